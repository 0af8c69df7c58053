package sftp

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/staffsync/staffsync/sources"
)

func (d *sshd) config(auth string) Config {
	cfg := Config{Host: "127.0.0.1", Port: d.Port, User: d.User, HostKey: d.HostKey(), Dir: d.Dir, Glob: "people-*.csv",
		Network: sources.Network{AllowPrivate: true}, Timeout: 10 * time.Second}
	if auth == "password" {
		cfg.Password = d.Password
	} else {
		cfg.PrivateKey = d.UserKeyPEM
	}
	return cfg
}

func (d *sshd) put(t *testing.T, name, content string, mtime time.Time) {
	t.Helper()
	p := filepath.Join(d.Dir, name)
	if err := os.WriteFile(p, []byte(content), 0o666); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

func mustNew(t *testing.T, cfg Config) *Source {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSFTPPull(t *testing.T) {
	d := startSSHD(t)
	ctx := context.Background()
	base := time.Now().Add(-time.Hour).Truncate(time.Second)
	d.put(t, "people-1.csv", "old\n", base)
	d.put(t, "people-2.csv", "newest\n", base.Add(10*time.Minute))
	d.put(t, "other.csv", "not matching\n", base.Add(20*time.Minute))

	for _, auth := range []string{"password", "key"} {
		t.Run(auth+" login takes the newest matching file", func(t *testing.T) {
			f, err := mustNew(t, d.config(auth)).FetchFile(ctx, "")
			if err != nil {
				t.Fatal(err)
			}
			if f.Name != "people-2.csv" || string(f.Content) != "newest\n" {
				t.Fatalf("got %s %q", f.Name, f.Content)
			}
		})
	}

	t.Run("already imported file is skipped", func(t *testing.T) {
		src := mustNew(t, d.config("key"))
		f, err := src.FetchFile(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := src.FetchFile(ctx, f.Fingerprint); !errors.Is(err, sources.ErrUnchanged) {
			t.Fatalf("second fetch: err = %v", err)
		}
		d.put(t, "people-3.csv", "newer still\n", base.Add(30*time.Minute))
		g, err := src.FetchFile(ctx, f.Fingerprint)
		if err != nil || g.Name != "people-3.csv" {
			t.Fatalf("after a new file: %v %v", g.Name, err)
		}
	})

	t.Run("archive moves the imported file", func(t *testing.T) {
		src := mustNew(t, d.config("key"))
		f, err := src.FetchFile(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := src.Archive(ctx, f); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(d.Dir, "archive", f.Name)); err != nil {
			t.Fatalf("not in archive/: %v", err)
		}
		if _, err := os.Stat(filepath.Join(d.Dir, f.Name)); !os.IsNotExist(err) {
			t.Fatalf("still in the directory: %v", err)
		}
		g, err := src.FetchFile(ctx, f.Fingerprint)
		if err != nil || g.Name != "people-2.csv" {
			t.Fatalf("next newest: %v %v", g.Name, err)
		}
	})

	t.Run("wrong host key is refused", func(t *testing.T) {
		cfg := d.config("password")
		cfg.HostKey = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		_, err := mustNew(t, cfg).FetchFile(ctx, "")
		if !errors.Is(err, sources.ErrHostKey) || !strings.Contains(err.Error(), "presented "+d.HostKey()) {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("unpinned host key: test shows the fingerprint, fetch refuses", func(t *testing.T) {
		cfg := d.config("key")
		cfg.HostKey = ""
		src := mustNew(t, cfg)
		msg, err := src.TestConnection(ctx)
		if err != nil || !strings.Contains(msg, d.HostKey()) {
			t.Fatalf("test: %q %v", msg, err)
		}
		if _, err := src.FetchFile(ctx, ""); !errors.Is(err, sources.ErrConfig) || !strings.Contains(err.Error(), "not pinned") {
			t.Fatalf("fetch: err = %v", err)
		}
	})

	t.Run("wrong password is an auth error", func(t *testing.T) {
		cfg := d.config("password")
		cfg.Password = "wrong-password"
		_, err := mustNew(t, cfg).FetchFile(ctx, "")
		if !errors.Is(err, sources.ErrAuth) || strings.Contains(err.Error(), "wrong-password") {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("loopback refused unless private networks are allowed", func(t *testing.T) {
		cfg := d.config("key")
		cfg.Network.AllowPrivate = false
		_, err := mustNew(t, cfg).FetchFile(ctx, "")
		if !errors.Is(err, sources.ErrConfig) || !strings.Contains(err.Error(), "is internal") {
			t.Fatalf("err = %v", err)
		}
	})
}
