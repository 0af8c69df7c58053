package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/staffsync/staffsync/api"
	"github.com/staffsync/staffsync/api/fileupload"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/proto/staffsync/v1/staffsyncv1connect"
)

// edgeServer serves the API on a real listener with the given limits and timeouts, as
// `staffsync serve` does, over the shared stack's store and Temporal.
func edgeServer(t *testing.T, s *stack, limits api.Limits, timeouts api.ServerTimeouts) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := api.NewHTTPServer(api.NewHandler(api.Config{Store: s.store, Temporal: s.temporal, Limits: limits}), timeouts)
	go func() { _ = srv.Serve(listener) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + listener.Addr().String()
}

var (
	gzipBombOnce sync.Once
	gzipBomb     []byte
)

// gzipBombBytes is 512 MiB of zeros, gzip-compressed to about half a MiB.
const gzipBombBytes = 512 << 20

func bomb(t *testing.T) []byte {
	t.Helper()
	gzipBombOnce.Do(func() {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zeros := make([]byte, 1<<20)
		for range gzipBombBytes / len(zeros) {
			_, _ = zw.Write(zeros)
		}
		_ = zw.Close()
		gzipBomb = buf.Bytes()
	})
	return gzipBomb
}

// connectCall posts body to an RPC as the Connect protocol does and returns the HTTP status
// and the Connect error code of the answer ("" for a success).
func connectCall(t *testing.T, client *http.Client, url, procedure, token string, body io.Reader, gzipped bool) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+procedure, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/proto")
	req.Header.Set("Connect-Protocol-Version", "1")
	if gzipped {
		req.Header.Set("Content-Encoding", "gzip")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", procedure, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode == http.StatusOK {
		return resp.StatusCode, ""
	}
	var answer struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(raw, &answer); err != nil {
		t.Fatalf("%s answered %d with %q, not a Connect error", procedure, resp.StatusCode, raw)
	}
	return resp.StatusCode, answer.Code
}

// allocatedDuring reports the bytes the process allocated while fn ran: a decompressed bomb
// shows up here even when the collector has freed it again.
func allocatedDuring(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestAttackGzipBomb sends 512 MiB of zeros gzip-compressed into half a MiB to
// ListPeople, without a token and with a valid one. Neither is unpacked beyond the 1 MiB
// message limit: the answer is unauthenticated (before the body is read) or
// resource_exhausted, and the API allocates a few MiB, not hundreds.
func TestAttackGzipBomb(t *testing.T) {
	s := getStack(t)
	url := edgeServer(t, s, api.Limits{}, api.ServerTimeouts{})
	tn := s.newTenant(t, "Gzip Bomb Target")
	payload := bomb(t)
	tests := []struct {
		name, token, wantCode string
	}{
		{"no token", "", "unauthenticated"},
		{"unknown token", "not-a-token", "unauthenticated"},
		{"valid token", tn.apiToken, "resource_exhausted"},
	}
	t.Run("valid token, 2 MiB uncompressed", func(t *testing.T) {
		if _, code := connectCall(t, http.DefaultClient, url, staffsyncv1connect.DirectoryServiceListPeopleProcedure, tn.apiToken, bytes.NewReader(make([]byte, 2<<20)), false); code != "resource_exhausted" {
			t.Errorf("answer %q, want resource_exhausted", code)
		}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var code string
			allocated := allocatedDuring(func() {
				_, code = connectCall(t, http.DefaultClient, url, staffsyncv1connect.DirectoryServiceListPeopleProcedure, tt.token, bytes.NewReader(payload), true)
			})
			if code != tt.wantCode {
				t.Errorf("answer %q, want %q", code, tt.wantCode)
			}
			// The client's own buffers count too; 64 MiB is far below the 512 MiB unpacked.
			if allocated > 64<<20 {
				t.Errorf("the API allocated %d MiB for one bomb; the message limit should stop it at about 1 MiB", allocated>>20)
			}
			t.Logf("%s: %s, %d KiB allocated", tt.name, code, allocated>>10)
		})
	}
}

// TestAttackRefusedBeforeBody: a request without a credential is answered from its headers;
// the server does not wait for (or read) a body that never comes.
func TestAttackRefusedBeforeBody(t *testing.T) {
	s := getStack(t)
	url := edgeServer(t, s, api.Limits{}, api.ServerTimeouts{})
	for _, procedure := range []string{staffsyncv1connect.DirectoryServiceListPeopleProcedure, staffsyncv1connect.ImportServiceStartImportProcedure, fileupload.Path} {
		t.Run(procedure, func(t *testing.T) {
			body, writer := io.Pipe()
			defer writer.Close()
			start := time.Now()
			status, code := connectCall(t, http.DefaultClient, url, procedure, "", body, false)
			if code != "unauthenticated" || status != http.StatusUnauthorized {
				t.Errorf("answer %d %q, want 401 unauthenticated", status, code)
			}
			if elapsed := time.Since(start); elapsed > 5*time.Second {
				t.Errorf("answered after %v: it waited for the body", elapsed)
			}
		})
	}
}

// TestAttackSlowClients: a client that sends its headers (slowloris) or its body a byte at
// a time is disconnected by the server's timeouts, configured short here.
func TestAttackSlowClients(t *testing.T) {
	s := getStack(t)
	url := edgeServer(t, s, api.Limits{}, api.ServerTimeouts{ReadHeader: time.Second, Read: 2 * time.Second, Write: 2 * time.Second, Idle: time.Second})
	tn := s.newTenant(t, "Slow Clients Target")
	addr := strings.TrimPrefix(url, "http://")
	headers := "POST " + staffsyncv1connect.DirectoryServiceListPeopleProcedure + " HTTP/1.1\r\nHost: staffsync\r\n" +
		"Content-Type: application/proto\r\nConnect-Protocol-Version: 1\r\nAuthorization: Bearer " + tn.apiToken + "\r\n"
	tests := []struct {
		name string
		// first is sent at once, then rest a byte every 200 ms.
		first, rest string
		// within is when the server must have closed the connection.
		within time.Duration
	}{
		{"slowloris headers", "POST / HTTP/1.1\r\n", strings.Repeat("X-Slow: y\r\n", 100), 4 * time.Second},
		{"slow body", headers + "Content-Length: 1000\r\n\r\n", strings.Repeat("\x00", 1000), 5 * time.Second},
		{"idle keep-alive", "", "", 4 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			start := time.Now()
			closed := make(chan time.Duration, 1)
			go func() {
				_, _ = io.Copy(io.Discard, conn)
				closed <- time.Since(start)
			}()
			if _, err := io.WriteString(conn, tt.first); err != nil {
				t.Fatal(err)
			}
			sending := time.NewTicker(200 * time.Millisecond)
			defer sending.Stop()
			deadline := time.After(tt.within)
			for i := 0; ; i++ {
				select {
				case took := <-closed:
					t.Logf("closed after %v", took)
					return
				case <-deadline:
					t.Fatalf("the connection is still open after %v", tt.within)
				case <-sending.C:
					if i < len(tt.rest) {
						_, _ = conn.Write([]byte{tt.rest[i]})
					}
				}
			}
		})
	}
}

// TestAttackUnknownTokenFlood: an address that keeps guessing tokens is refused with
// resource_exhausted after the limit, without asking the database; another address is not.
func TestAttackUnknownTokenFlood(t *testing.T) {
	s := getStack(t)
	const perMinute = 5
	url := edgeServer(t, s, api.Limits{UnknownTokensPerMinute: perMinute}, api.ServerTimeouts{})
	tn := s.newTenant(t, "Token Flood Target")
	procedure := staffsyncv1connect.DirectoryServiceListPeopleProcedure
	for i := range perMinute {
		if _, code := connectCall(t, http.DefaultClient, url, procedure, fmt.Sprintf("guess-%d", i), http.NoBody, false); code != "unauthenticated" {
			t.Fatalf("guess %d answered %q, want unauthenticated", i, code)
		}
	}
	for i := range 50 {
		if _, code := connectCall(t, http.DefaultClient, url, procedure, fmt.Sprintf("flood-%d", i), http.NoBody, false); code != "resource_exhausted" {
			t.Fatalf("guess %d over the limit answered %q, want resource_exhausted", perMinute+i, code)
		}
	}
	// Every attempt of the limited address waits, a valid token's too: it may be the guesser's.
	if _, code := connectCall(t, http.DefaultClient, url, procedure, tn.apiToken, http.NoBody, false); code != "resource_exhausted" {
		t.Errorf("a valid token from the limited address answered %q, want resource_exhausted", code)
	}
	// Another loopback address (127.0.0.2) has its own count.
	other := &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}).DialContext}}
	if status, code := connectCall(t, other, url, procedure, tn.apiToken, http.NoBody, false); code != "" {
		t.Errorf("a valid token from another address answered %d %q, want success", status, code)
	}
}

// TestAttackWatchStreams: a company cannot open more WatchImport streams than its cap, and a
// stream ends at its maximum lifetime.
func TestAttackWatchStreams(t *testing.T) {
	s := getStack(t)
	url := edgeServer(t, s, api.Limits{WatchStreamsPerCompany: 2, WatchLifetime: 3 * time.Second}, api.ServerTimeouts{Read: time.Second, Write: time.Second})
	tn := s.newTenant(t, "Watch Streams Target")
	other := s.newTenant(t, "Watch Streams Neighbour")
	im := tn.start(t, "people.csv", readExample(t, "people.csv"), nil)
	im = tn.waitFor(t, im.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL)
	type watcher struct{ token string }
	ctx := context.Background()
	type result struct {
		err  error
		took time.Duration
	}
	client := staffsyncv1connect.NewImportServiceClient(http.DefaultClient, url)
	watch := func(w watcher, id string) (*connect.ServerStreamForClient[v1.WatchImportResponse], error) {
		req := connect.NewRequest(&v1.WatchImportRequest{ImportId: id})
		req.Header().Set("Authorization", "Bearer "+w.token)
		return client.WatchImport(ctx, req)
	}
	open := func(w watcher, id string) (*connect.ServerStreamForClient[v1.WatchImportResponse], chan result) {
		start := time.Now()
		stream, err := watch(w, id)
		if err != nil {
			t.Fatal(err)
		}
		if !stream.Receive() {
			t.Fatalf("watch ended at once: %v", stream.Err())
		}
		done := make(chan result, 1)
		go func() {
			for stream.Receive() {
			}
			done <- result{stream.Err(), time.Since(start)}
		}()
		return stream, done
	}
	_, first := open(watcher{tn.apiToken}, im.Id)
	_, second := open(watcher{tn.apiToken}, im.Id)
	third, err := watch(watcher{tn.apiToken}, im.Id)
	if err == nil {
		third.Receive()
		err = third.Err()
	}
	if connect.CodeOf(err) != connect.CodeResourceExhausted {
		t.Errorf("a third watch of the company: %v, want resource_exhausted", err)
	}
	// Another company's watch is not counted against the first's.
	theirs := other.start(t, "people.csv", readExample(t, "people.csv"), nil)
	_, neighbour := open(watcher{other.apiToken}, theirs.Id)
	for name, done := range map[string]chan result{"first": first, "second": second, "neighbour": neighbour} {
		select {
		case r := <-done:
			// It outlived the server's 1 s read and write timeouts, and ended at its lifetime.
			if connect.CodeOf(r.err) != connect.CodeDeadlineExceeded || r.took < 2*time.Second {
				t.Errorf("%s watch ended after %v with %v, want deadline_exceeded after its 3 s lifetime", name, r.took, r.err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("%s watch still open after 30 s; its lifetime is 3 s", name)
		}
	}
}

// TestAttackUploadSlots: one company's slow upload holds its own slot only; its second
// upload is refused at once while another company still uploads.
func TestAttackUploadSlots(t *testing.T) {
	s := getStack(t)
	url := edgeServer(t, s, api.Limits{UploadSlots: 2, UploadSlotsPerCompany: 1}, api.ServerTimeouts{})
	slow := s.newTenant(t, "Slow Uploader")
	other := s.newTenant(t, "Prompt Uploader")
	file := readExample(t, "people.csv")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	body, writer := io.Pipe()
	defer writer.Close()
	held := make(chan error, 1)
	go func() {
		_, err := fileupload.Start(ctx, http.DefaultClient, url, slow.apiToken, "slow.csv", body, int64(len(file)), nil)
		held <- err
	}()
	// The first bytes arrive: the upload holds its slot from now on.
	if _, err := writer.Write(file[:10]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the headers were sent; the server takes the slot
	waitUntil(t, 10*time.Second, func() bool {
		_, err := fileupload.Start(ctx, http.DefaultClient, url, slow.apiToken, "second.csv", bytes.NewReader(file), int64(len(file)), nil)
		return connect.CodeOf(err) == connect.CodeResourceExhausted
	})
	im, err := fileupload.Start(ctx, http.DefaultClient, url, other.apiToken, "people.csv", bytes.NewReader(file), int64(len(file)), nil)
	if err != nil {
		t.Fatalf("another company's upload while the slow one runs: %v", err)
	}
	other.waitFor(t, im.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL)
	if _, err := writer.Write(file[10:]); err != nil {
		t.Fatal(err)
	}
	if err := <-held; err != nil {
		t.Fatalf("the slow upload, finished: %v", err)
	}
}

// waitUntil polls ok every 100 ms until it holds or within passes.
func waitUntil(t *testing.T, within time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("not so after %v", within)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
