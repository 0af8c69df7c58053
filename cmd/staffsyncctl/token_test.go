package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestResolveToken(t *testing.T) {
	writeToken := func(t *testing.T, dir, content string) {
		t.Helper()
		path := filepath.Join(dir, ".staffsync", "dev", "token")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		flag string
		env  string
		// setup prepares root and returns the directory the lookup starts in.
		setup   func(t *testing.T, root string) string
		want    string
		wantErr string
	}{
		{
			name:  "flag wins over env and file",
			flag:  "flag-token",
			env:   "env-token",
			setup: func(t *testing.T, root string) string { writeToken(t, root, "file-token\n"); return root },
			want:  "flag-token",
		},
		{
			name:  "env wins over file",
			env:   " env-token ",
			setup: func(t *testing.T, root string) string { writeToken(t, root, "file-token\n"); return root },
			want:  "env-token",
		},
		{
			name:  "file in the current directory, newline trimmed",
			setup: func(t *testing.T, root string) string { writeToken(t, root, "file-token\n"); return root },
			want:  "file-token",
		},
		{
			name: "file found in a parent directory",
			setup: func(t *testing.T, root string) string {
				writeToken(t, root, "parent-token")
				sub := filepath.Join(root, "examples", "deep")
				if err := os.MkdirAll(sub, 0o755); err != nil {
					t.Fatal(err)
				}
				return sub
			},
			want: "parent-token",
		},
		{
			name: "nearest file wins",
			setup: func(t *testing.T, root string) string {
				writeToken(t, root, "outer")
				sub := filepath.Join(root, "inner")
				writeToken(t, sub, "inner")
				return sub
			},
			want: "inner",
		},
		{
			name:    "no token anywhere",
			setup:   func(t *testing.T, root string) string { return root },
			wantErr: "no API token: run `make dev` to start the local stack (it writes .staffsync/dev/token), or set STAFFSYNC_TOKEN or --token",
		},
		{
			name:    "empty token file",
			setup:   func(t *testing.T, root string) string { writeToken(t, root, "\n"); return root },
			wantErr: "is empty: run `make dev` again to recreate it, or set STAFFSYNC_TOKEN",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.setup(t, t.TempDir())
			env := func(key string) string {
				if key == "STAFFSYNC_TOKEN" {
					return tt.env
				}
				return ""
			}
			got, err := resolveToken(tt.flag, env, dir)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("token = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBaseURL(t *testing.T) {
	tests := map[string]string{
		"http://127.0.0.1:8080":   "http://127.0.0.1:8080",
		"127.0.0.1:9000":          "http://127.0.0.1:9000",
		"https://staffsync.test/": "https://staffsync.test",
	}
	for in, want := range tests {
		if got := baseURL(in); got != want {
			t.Errorf("baseURL(%q) = %q, want %q", in, got, want)
		}
	}
}
