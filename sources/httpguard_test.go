package sources

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/staffsync/staffsync/directory"
)

func TestCheckBaseURL(t *testing.T) {
	tests := []struct {
		raw          string
		allowPrivate bool
		wantErr      string
	}{
		{"", false, ""},
		{"https://api.bamboohr.com/api/gateway.php", false, ""},
		{"http://127.0.0.1:8080", true, ""},
		{"http://api.personio.de", false, "base_url must use https"},
		{"ftp://api.personio.de", false, "is not an address like https://api.example.com"},
		{"api.personio.de", false, "is not an address like https://api.example.com"},
		{"https://user:pw@api.personio.de", false, "must not contain a user name, password, query or fragment"},
		{"https://api.personio.de?x=1", false, "must not contain"},
	}
	for _, tt := range tests {
		err := CheckBaseURL(tt.raw, Network{AllowPrivate: tt.allowPrivate})
		if tt.wantErr == "" {
			if err != nil {
				t.Errorf("%q: %v", tt.raw, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrConfig) {
			t.Errorf("%q: err = %v, want %q", tt.raw, err, tt.wantErr)
		}
		if strings.Contains(tt.raw, "pw@") && err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("%q: the error repeats the password: %v", tt.raw, err)
		}
	}
}

func TestReadCapped(t *testing.T) {
	if data, err := ReadCapped(strings.NewReader("12345"), 5, "x"); err != nil || string(data) != "12345" {
		t.Errorf("at the cap: %q %v", data, err)
	}
	_, err := ReadCapped(strings.NewReader("123456"), 5, "the answer")
	if !errors.Is(err, ErrAnswerTooLarge) || err.Error() != "the HR system's answer is too large: the answer is larger than 5 bytes; staffsync stops reading there" {
		t.Errorf("above the cap: %v", err)
	}
}

func TestRetryBudget(t *testing.T) {
	b := RetryBudget{Max: time.Minute}
	if !b.Take(40*time.Second) || b.Take(30*time.Second) || !b.Take(20*time.Second) || b.Spent() != time.Minute {
		t.Errorf("budget spent %s", b.Spent())
	}
}

func TestSkipDuplicateIDsAndSameName(t *testing.T) {
	if !SameName(" lena  FISCHER", "Lena", "Fischer") || SameName("Leni", "Lena", "Fischer") {
		t.Error("SameName")
	}
	recs := []directory.Record{{SourceID: "1"}, {SourceID: "2"}, {SourceID: "1"}, {SourceID: ""}, {SourceID: ""}}
	if n := SkipDuplicateIDs(recs); n != 2 || recs[0].Skip != "two people share id 1" || recs[2].Skip == "" || recs[1].Skip != "" || recs[3].Skip != "" {
		t.Errorf("%d skipped: %+v", n, recs)
	}
}
