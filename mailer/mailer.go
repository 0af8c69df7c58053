// Package mailer delivers staffsync's emails: over SMTP in production, into a log file in
// `staffsync dev`. Every message carries an idempotency key (also its Message-ID), so a
// receiving system can drop the duplicate that a retry after a crash may send.
package mailer

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
)

// Message is one email.
type Message struct {
	IdempotencyKey string
	To             string
	Subject        string
	Body           string
}

// Sender delivers messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// SMTP sends through an SMTP server.
type SMTP struct {
	host, port  string
	implicitTLS bool
	auth        smtp.Auth
	from        string
	timeout     time.Duration
}

// DefaultFrom is the sender address when SMTP_URL names none.
const DefaultFrom = "staffsync@localhost"

// NewSMTP configures delivery from a URL: smtp://[user:password@]host[:port][?from=address]
// (STARTTLS when the server offers it; port 587 by default) or smtps://... (TLS from the
// first byte; port 465 by default).
func NewSMTP(rawURL string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("SMTP_URL is not a URL: %w", err)
	}
	s := &SMTP{host: u.Hostname(), port: u.Port(), from: DefaultFrom, timeout: 30 * time.Second}
	switch u.Scheme {
	case "smtp":
		if s.port == "" {
			s.port = "587"
		}
	case "smtps":
		s.implicitTLS = true
		if s.port == "" {
			s.port = "465"
		}
	default:
		return nil, fmt.Errorf("SMTP_URL must start with smtp:// or smtps://, not %q", u.Scheme+"://")
	}
	if s.host == "" {
		return nil, errors.New("SMTP_URL has no host, e.g. smtp://user:password@mail.example.com:587")
	}
	if from := u.Query().Get("from"); from != "" {
		if _, err := mail.ParseAddress(from); err != nil {
			return nil, fmt.Errorf("SMTP_URL: from=%q is not an email address: %w", from, err)
		}
		s.from = from
	}
	if u.User != nil {
		password, _ := u.User.Password()
		s.auth = smtp.PlainAuth("", u.User.Username(), password, s.host)
	}
	return s, nil
}

// Send delivers one message.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	deadline := time.Now().Add(s.timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	dialer := &net.Dialer{Deadline: deadline}
	addr := net.JoinHostPort(s.host, s.port)
	var conn net.Conn
	var err error
	if s.implicitTLS {
		conn, err = (&tls.Dialer{NetDialer: dialer, Config: &tls.Config{ServerName: s.host}}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = dialer.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return fmt.Errorf("connect to mail server %s: %w", addr, err)
	}
	_ = conn.SetDeadline(deadline)
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("greet mail server %s: %w", addr, err)
	}
	defer c.Close()
	if !s.implicitTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(&tls.Config{ServerName: s.host}); err != nil {
				return fmt.Errorf("STARTTLS with %s: %w", addr, err)
			}
		}
	}
	if s.auth != nil {
		if err := c.Auth(s.auth); err != nil {
			return fmt.Errorf("log in to mail server %s: %w", addr, err)
		}
	}
	if err := c.Mail(s.from); err != nil {
		return fmt.Errorf("mail server refused sender: %w", err)
	}
	if err := c.Rcpt(m.To); err != nil {
		return fmt.Errorf("mail server refused recipient of %s: %w", m.IdempotencyKey, err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("start message %s: %w", m.IdempotencyKey, err)
	}
	if _, err := w.Write(Format(s.from, m, time.Now())); err != nil {
		return fmt.Errorf("write message %s: %w", m.IdempotencyKey, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("mail server refused message %s: %w", m.IdempotencyKey, err)
	}
	return c.Quit()
}

// Format renders a message as RFC 5322 text with CRLF line ends.
func Format(from string, m Message, now time.Time) []byte {
	var b strings.Builder
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", from)
	header("To", m.To)
	header("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	header("Date", now.UTC().Format(time.RFC1123Z))
	header("Message-ID", "<"+strings.ReplaceAll(m.IdempotencyKey, "/", ".")+"@staffsync>")
	header("X-Staffsync-Idempotency-Key", m.IdempotencyKey)
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "8bit")
	b.WriteString("\r\n")
	body := strings.ReplaceAll(m.Body, "\r\n", "\n")
	for _, line := range strings.Split(body, "\n") {
		b.WriteString(line + "\r\n")
	}
	return []byte(b.String())
}

// LogFile appends every message to a file instead of sending it (staffsync dev).
type LogFile struct {
	Path string
	mu   sync.Mutex
}

// Send appends the message, separated by a line of dashes.
func (l *LogFile) Send(_ context.Context, m Message) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, err := os.OpenFile(l.Path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("open mail log: %w", err)
	}
	text := strings.ReplaceAll(string(Format(DefaultFrom, m, time.Now())), "\r\n", "\n")
	if _, err := f.WriteString(text + "----\n"); err != nil {
		f.Close()
		return fmt.Errorf("write mail log: %w", err)
	}
	return f.Close()
}
