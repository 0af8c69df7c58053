package secrets

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

func newBox(t *testing.T) *Box {
	t.Helper()
	key, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSealOpenRoundTrip(t *testing.T) {
	b := newBox(t)
	sealed, err := b.SealMap(map[string]string{"password": "hunter2-very-secret"}, []byte("integration/1"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("hunter2")) {
		t.Fatal("sealed value contains the plaintext")
	}
	got, err := b.OpenMap(sealed, []byte("integration/1"))
	if err != nil {
		t.Fatal(err)
	}
	if got["password"] != "hunter2-very-secret" || len(got) != 1 {
		t.Fatalf("got %v", got)
	}
	if _, err := b.OpenMap(sealed, []byte("integration/2")); err == nil {
		t.Fatal("opened a value bound to another integration")
	}
	if _, err := newBox(t).OpenMap(sealed, []byte("integration/1")); err == nil || !strings.Contains(err.Error(), "wrong STAFFSYNC_SECRET_KEY") {
		t.Fatalf("wrong key: err = %v", err)
	}
	rotated, err := b.SealMap(map[string]string{"token": "new-token-value"}, []byte("integration/1"))
	if err != nil {
		t.Fatal(err)
	}
	merged, err := Merge(sealed, rotated, nil)
	if err != nil {
		t.Fatal(err)
	}
	both, err := b.OpenMap(merged, []byte("integration/1"))
	if err != nil || both["password"] != "hunter2-very-secret" || both["token"] != "new-token-value" {
		t.Fatalf("merged: %v %v", both, err)
	}
	removed, _ := Merge(merged, nil, []string{"password"})
	if got, err := b.OpenMap(removed, []byte("integration/1")); err != nil || len(got) != 1 || got["token"] == "" {
		t.Fatalf("removed: %v %v", got, err)
	}
	empty, err := b.OpenMap(nil, nil)
	if err != nil || len(empty) != 0 {
		t.Fatalf("empty: %v %v", empty, err)
	}
}

func TestNewRefusesBadKeys(t *testing.T) {
	for _, tc := range []struct {
		name, key, want string
	}{
		{"empty", "", "STAFFSYNC_SECRET_KEY is not set"},
		{"not base64", "%%%", "is not valid base64"},
		{"short", base64.StdEncoding.EncodeToString(make([]byte, 16)), "exactly 32 bytes, it has 16 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.key)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestHint(t *testing.T) {
	for value, want := range map[string]string{
		"short":                  "set",
		"abcdefghijk":            "set",
		"abcdefghijkl":           "set, ends in ijkl",
		"sk_live_1234567890WXYZ": "set, ends in WXYZ",
	} {
		if got := Hint(value); got != want {
			t.Errorf("Hint(%q) = %q, want %q", value, got, want)
		}
	}
}
