package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	bamboofake "github.com/staffsync/staffsync/sources/bamboohr/fake"
	personiofake "github.com/staffsync/staffsync/sources/personio/fake"
)

// fakeHRISFile keeps the fakes' addresses in the dev directory, so integrations created
// against them keep working after a restart when the ports are still free.
const fakeHRISFile = "fake_hris_addrs"

// fakeHRIS are the built-in BambooHR and Personio doubles that `staffsync dev --fake-hris`
// serves on 127.0.0.1, each with its 25-person demo company.
type fakeHRIS struct {
	bambooURL   string
	bambooCo    string
	personioURL string
	servers     []*http.Server
	done        chan struct{}
}

// startFakeHRIS serves both fakes until ctx ends; wait blocks until they stopped.
func startFakeHRIS(ctx context.Context, log *slog.Logger, dir string) (*fakeHRIS, error) {
	remembered := readFakeAddrs(filepath.Join(dir, fakeHRISFile))
	bamboo := bamboofake.NewServer(bamboofake.Options{})
	handlers := []struct {
		kind    string
		handler http.Handler
	}{{"bamboohr", bamboo}, {"personio", personiofake.NewServer(personiofake.Options{})}}

	f := &fakeHRIS{bambooCo: bamboo.Company(), done: make(chan struct{})}
	listeners := make([]net.Listener, 0, len(handlers))
	var lines []string
	for _, h := range handlers {
		l, err := listenLocal(remembered[h.kind])
		if err != nil {
			for _, prev := range listeners {
				prev.Close()
			}
			return nil, fmt.Errorf("fake %s: %w", h.kind, err)
		}
		listeners = append(listeners, l)
		lines = append(lines, h.kind+"="+l.Addr().String())
		url := "http://" + l.Addr().String()
		if h.kind == "bamboohr" {
			f.bambooURL = url
		} else {
			f.personioURL = url
		}
		f.servers = append(f.servers, &http.Server{Handler: h.handler, ReadHeaderTimeout: 10 * time.Second})
	}
	if err := os.WriteFile(filepath.Join(dir, fakeHRISFile), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		log.Warn("could not remember the fake HR systems' addresses", "error", err)
	}
	stopped := make(chan struct{}, len(f.servers))
	for i, srv := range f.servers {
		go func() {
			if err := srv.Serve(listeners[i]); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("fake HR system stopped", "addr", listeners[i].Addr().String(), "error", err)
			}
			stopped <- struct{}{}
		}()
	}
	go func() {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for _, srv := range f.servers {
			_ = srv.Shutdown(shutdownCtx) // the dev process is ending; nothing to do about a slow client
		}
		for range f.servers {
			<-stopped
		}
		close(f.done)
	}()
	return f, nil
}

// wait blocks until both fakes have stopped (after the context given to startFakeHRIS ended).
func (f *fakeHRIS) wait() { <-f.done }

// listenLocal listens on the remembered address when it is a free 127.0.0.1 port, else on
// any free 127.0.0.1 port.
func listenLocal(remembered string) (net.Listener, error) {
	if host, _, err := net.SplitHostPort(remembered); err == nil && host == "127.0.0.1" {
		if l, err := net.Listen("tcp", remembered); err == nil {
			return l, nil
		}
	}
	return net.Listen("tcp", "127.0.0.1:0")
}

// readFakeAddrs reads "kind=host:port" lines; a missing or garbled file means none.
func readFakeAddrs(path string) map[string]string {
	out := map[string]string{}
	raw, err := os.ReadFile(path)
	if err != nil {
		return out
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if kind, addr, ok := strings.Cut(strings.TrimSpace(line), "="); ok {
			out[kind] = addr
		}
	}
	return out
}

// printBanner tells a new user how to connect the fakes.
func (f *fakeHRIS) printBanner(w io.Writer) {
	fmt.Fprintf(w, `
Fake HR systems (--fake-hris; private networks are allowed so integrations can reach them):
  BambooHR   %s   company %q, 25 people (one without a work email)
  Personio   %s   25 people (one without an email)

Connect one of them to the Demo company:
  go run ./cmd/staffsyncctl integrations create --kind bamboohr --name "BambooHR (fake)" \
    --setting subdomain=%s --setting base_url=%s \
    --secret api_key=%s --auto-apply
  go run ./cmd/staffsyncctl integrations create --kind personio --name "Personio (fake)" \
    --setting base_url=%s \
    --secret client_id=%s --secret client_secret=%s --auto-apply
  go run ./cmd/staffsyncctl integrations list      # then: integrations show|test ID
  go run ./cmd/staffsyncctl integrations fetch ID  # a preview to approve; automatic runs are off
  go run ./cmd/staffsyncctl integrations automatic ID on   # once the preview looks right
`, f.bambooURL, f.bambooCo, f.personioURL,
		f.bambooCo, f.bambooURL, bamboofake.DemoAPIKey,
		f.personioURL, personiofake.DemoClientID, personiofake.DemoClientSecret)
}
