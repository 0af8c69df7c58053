package mailer

import (
	"bufio"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPasswordEmail(t *testing.T) {
	for _, tc := range []struct {
		name        string
		r           Recipient
		wantTo      string
		wantGreet   string
		wantPronoun string
	}{
		{"login email, she/her", Recipient{FirstName: "Ana", Gender: "F", Email: "ana@acme.example", CompanyName: "Acme"}, "ana@acme.example", "Hi Ana,", "she/her"},
		{"alt email and preferred name, he/him", Recipient{FirstName: "Robert", PreferredName: "Bob", Gender: "m", Email: "bob@acme.example", AltEmail: "bob@home.example", CompanyName: "Acme"}, "bob@home.example", "Hi Bob,", "he/him"},
		{"no gender, they/them", Recipient{FirstName: "Kim", Email: "kim@acme.example"}, "kim@acme.example", "Hi Kim,", "they/them"},
		{"N, they/them", Recipient{FirstName: "Sam", Gender: "N", Email: "sam@acme.example"}, "sam@acme.example", "Hi Sam,", "they/them"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			to, subject, body := PasswordEmail(tc.r, "https://people.example/sign-in")
			if to != tc.wantTo {
				t.Errorf("to = %q, want %q", to, tc.wantTo)
			}
			if !strings.HasPrefix(body, tc.wantGreet) || !strings.Contains(body, "pronouns "+tc.wantPronoun+";") ||
				!strings.Contains(body, "https://people.example/sign-in") || !strings.Contains(body, "Your login email is "+tc.r.Email+".") {
				t.Errorf("body = %q", body)
			}
			if !strings.Contains(subject, "set your password") {
				t.Errorf("subject = %q", subject)
			}
		})
	}
}

func TestNewSMTPRejectsBadURLs(t *testing.T) {
	for url, want := range map[string]string{
		"http://mail.example":             "must start with smtp:// or smtps://",
		"smtp://":                         "has no host",
		"smtp://mail.example?from=nobody": "is not an email address",
	} {
		if _, err := NewSMTP(url); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("NewSMTP(%q) = %v, want an error containing %q", url, err, want)
		}
	}
}

// fakeSMTP accepts one session and returns what the client sent.
func fakeSMTP(t *testing.T) (addr string, got <-chan []string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	lines := make(chan []string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		r := bufio.NewReader(conn)
		say := func(s string) { _, _ = conn.Write([]byte(s + "\r\n")) }
		var seen []string
		say("220 fake ESMTP")
		inData := false
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				lines <- seen
				return
			}
			line = strings.TrimRight(line, "\r\n")
			seen = append(seen, line)
			switch {
			case inData && line == ".":
				inData = false
				say("250 queued")
			case inData:
			case strings.HasPrefix(line, "EHLO"):
				say("250-fake\r\n250 AUTH PLAIN")
			case strings.HasPrefix(line, "AUTH PLAIN"):
				say("235 ok")
			case strings.HasPrefix(line, "DATA"):
				inData = true
				say("354 go on")
			case strings.HasPrefix(line, "QUIT"):
				say("221 bye")
				lines <- seen
				return
			default:
				say("250 ok")
			}
		}
	}()
	return ln.Addr().String(), lines
}

func TestSMTPSendsWithIdempotencyKey(t *testing.T) {
	addr, got := fakeSMTP(t)
	// PLAIN auth is only sent over TLS or to localhost; the fake server listens on 127.0.0.1.
	s, err := NewSMTP("smtp://user:secret@" + addr + "?from=hr@acme.example")
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(context.Background(), Message{IdempotencyKey: "password/4/9", To: "ana@acme.example", Subject: "Grüße", Body: "Hi Ana,\n.hidden line\nbye\n"})
	if err != nil {
		t.Fatal(err)
	}
	session := strings.Join(<-got, "\n")
	for _, want := range []string{
		"MAIL FROM:<hr@acme.example>", "RCPT TO:<ana@acme.example>", "AUTH PLAIN",
		"Message-ID: <password.4.9@staffsync>", "X-Staffsync-Idempotency-Key: password/4/9",
		"Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=", "..hidden line", "QUIT",
	} {
		if !strings.Contains(session, want) {
			t.Errorf("session lacks %q:\n%s", want, session)
		}
	}
}

func TestLogFileAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mail.log")
	l := &LogFile{Path: path}
	for _, key := range []string{"password/1/1", "password/1/2"} {
		if err := l.Send(context.Background(), Message{IdempotencyKey: key, To: "x@acme.example", Subject: "s", Body: "b"}); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	if strings.Count(text, "----\n") != 2 || !strings.Contains(text, "X-Staffsync-Idempotency-Key: password/1/2") || strings.Contains(text, "\r") {
		t.Fatalf("mail log = %q", text)
	}
}
