package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"regexp"
	"testing"

	"github.com/staffsync/staffsync/sources"
	"github.com/staffsync/staffsync/sources/bamboohr"
	"github.com/staffsync/staffsync/sources/personio"
)

// The banner's commands must work as printed: each fake answers with the printed settings
// and secrets, and a restart serves on the same addresses so existing integrations still work.
func TestFakeHRISBannerConnects(t *testing.T) {
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	start := func() (string, func()) {
		ctx, cancel := context.WithCancel(context.Background())
		f, err := startFakeHRIS(ctx, log, dir)
		if err != nil {
			t.Fatal(err)
		}
		var banner bytes.Buffer
		f.printBanner(&banner)
		return banner.String(), func() { cancel(); f.wait() }
	}
	banner, stop := start()

	setting := func(kind, pattern string) []string {
		t.Helper()
		m := regexp.MustCompile(`--kind ` + kind + ` [^\n]*\\\n\s+` + pattern).FindStringSubmatch(banner)
		if m == nil {
			t.Fatalf("no %s command matching %q in the banner:\n%s", kind, pattern, banner)
		}
		return m[1:]
	}
	b := setting("bamboohr", `--setting subdomain=(\S+) --setting base_url=(\S+) \\\n\s+--secret api_key=(\S+) --auto-apply`)
	p := setting("personio", `--setting base_url=(\S+) \\\n\s+--secret client_id=(\S+) --secret client_secret=(\S+) --auto-apply`)
	clients := map[string]sources.RecordSource{
		"bamboohr": bamboohr.New(bamboohr.Config{Subdomain: b[0], BaseURL: b[1], APIKey: b[2]}),
		"personio": personio.New(personio.Config{BaseURL: p[0], ClientID: p[1], ClientSecret: p[2]}),
	}
	for kind, c := range clients {
		n, err := c.CountPeople(context.Background())
		if err != nil || n != 25 {
			t.Fatalf("%s as printed: %d people, %v; want 25", kind, n, err)
		}
	}
	stop()

	again, stopAgain := start()
	defer stopAgain()
	if again != banner {
		t.Fatalf("after a restart the banner changed:\n%s\nwas:\n%s", again, banner)
	}
}
