// Package sftp pulls the newest import file matching a glob from an SFTP server, over SSH
// with a pinned host key (SHA256 fingerprint): a server whose key does not match is never
// logged in to. It remembers the imported file (name, size, mtime, hash) and skips it next
// time, and can move imported files to an archive/ directory.
package sftp

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	pkgsftp "github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"github.com/staffsync/staffsync/sources"
)

// Defaults of Config.
const (
	DefaultPort     = 22
	DefaultGlob     = "*.csv"
	DefaultMaxBytes = 50 << 20
	DefaultTimeout  = 2 * time.Minute
	archiveDir      = "archive"
)

// Config says which server, how to log in and which files to take.
type Config struct {
	Host string
	Port int
	User string
	// Password or PrivateKey (OpenSSH or PEM format; Passphrase if it is encrypted).
	Password   string
	PrivateKey string
	Passphrase string
	// HostKey is the pinned SHA256 fingerprint of the server's host key ("SHA256:...").
	HostKey string
	// Dir is the remote directory (default the login directory), Glob the file pattern (default *.csv).
	Dir  string
	Glob string
	// MaxBytes refuses larger files (default 50 MiB); Timeout bounds each fetch (default 2 min).
	MaxBytes int64
	Timeout  time.Duration
	Network  sources.Network
}

// Source is an SFTP pull source.
type Source struct {
	cfg Config
}

var (
	_ sources.FileSource       = (*Source)(nil)
	_ sources.Archiver         = (*Source)(nil)
	_ sources.ConnectionTester = (*Source)(nil)
)

// New checks cfg and returns the source; it does not connect.
func New(cfg Config) (*Source, error) {
	cfg.Host = strings.TrimSpace(cfg.Host)
	if cfg.Host == "" || cfg.User == "" {
		return nil, sources.Errorf(sources.ErrConfig, "set the SFTP host and user")
	}
	if cfg.Password == "" && cfg.PrivateKey == "" {
		return nil, sources.Errorf(sources.ErrConfig, "set a password or a private_key secret for the SFTP login")
	}
	if cfg.Port == 0 {
		cfg.Port = DefaultPort
	}
	if cfg.Glob == "" {
		cfg.Glob = DefaultGlob
	}
	if _, err := path.Match(cfg.Glob, ""); err != nil || strings.Contains(cfg.Glob, "/") {
		return nil, sources.Errorf(sources.ErrConfig, "the file pattern %q is not valid; use a pattern like people-*.csv (no directories)", cfg.Glob)
	}
	if cfg.Dir == "" {
		cfg.Dir = "."
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	return &Source{cfg: cfg}, nil
}

func (s *Source) address() string { return net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port)) }

func (s *Source) authMethods() ([]ssh.AuthMethod, error) {
	var methods []ssh.AuthMethod
	if s.cfg.PrivateKey != "" {
		var signer ssh.Signer
		var err error
		if s.cfg.Passphrase != "" {
			signer, err = ssh.ParsePrivateKeyWithPassphrase([]byte(s.cfg.PrivateKey), []byte(s.cfg.Passphrase))
		} else {
			signer, err = ssh.ParsePrivateKey([]byte(s.cfg.PrivateKey))
		}
		if err != nil {
			// The parser's message never contains key material.
			return nil, sources.Errorf(sources.ErrConfig, "the private_key secret is not a readable SSH private key (%v)", err)
		}
		methods = append(methods, ssh.PublicKeys(signer))
	}
	if s.cfg.Password != "" {
		methods = append(methods, ssh.Password(s.cfg.Password))
	}
	return methods, nil
}

// errKeySeen stops a handshake once the host key is known (TestConnection without a pin).
var errKeySeen = errors.New("host key seen")

// dial connects and logs in; the host key must match the pinned fingerprint.
func (s *Source) dial(ctx context.Context) (*ssh.Client, error) {
	pinned := strings.TrimSpace(s.cfg.HostKey)
	if pinned == "" {
		return nil, sources.Errorf(sources.ErrConfig, "the server's host key is not pinned; run `staffsyncctl integrations test` to see its fingerprint and set it with --setting host_key=SHA256:...")
	}
	auth, err := s.authMethods()
	if err != nil {
		return nil, err
	}
	return s.handshake(ctx, &ssh.ClientConfig{
		User: s.cfg.User,
		Auth: auth,
		HostKeyCallback: func(_ string, _ net.Addr, key ssh.PublicKey) error {
			if got := ssh.FingerprintSHA256(key); got != pinned {
				return sources.Errorf(sources.ErrHostKey, "%s presented %s but %s is pinned; if the server's key really changed, update host_key", s.address(), got, pinned)
			}
			return nil
		},
	})
}

func (s *Source) handshake(ctx context.Context, cc *ssh.ClientConfig) (*ssh.Client, error) {
	cc.Timeout = s.cfg.Timeout
	conn, err := s.cfg.Network.Dialer().DialContext(ctx, "tcp", s.address())
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", s.address(), err)
	}
	deadline := time.Now().Add(s.cfg.Timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	_ = conn.SetDeadline(deadline)
	c, chans, reqs, err := ssh.NewClientConn(conn, s.address(), cc)
	if err != nil {
		conn.Close()
		switch {
		case errors.Is(err, sources.ErrHostKey), errors.Is(err, errKeySeen):
			return nil, err
		case strings.Contains(err.Error(), "unable to authenticate"):
			return nil, sources.Errorf(sources.ErrAuth, "%s refused the login of user %q; check the user name and the password or key", s.address(), s.cfg.User)
		}
		return nil, fmt.Errorf("SSH handshake with %s: %w", s.address(), err)
	}
	return ssh.NewClient(c, chans, reqs), nil
}

// HostKeyFingerprint connects only far enough to learn the server's host key (no login) and
// returns its SHA256 fingerprint, for the admin to pin.
func (s *Source) HostKeyFingerprint(ctx context.Context) (string, error) {
	var seen string
	_, err := s.handshake(ctx, &ssh.ClientConfig{
		User: s.cfg.User,
		HostKeyCallback: func(_ string, _ net.Addr, key ssh.PublicKey) error {
			seen = ssh.FingerprintSHA256(key)
			return errKeySeen
		},
	})
	if seen != "" {
		return seen, nil
	}
	return "", err
}

// TestConnection reports the server's fingerprint; with a pinned key it also logs in and
// counts the matching files.
func (s *Source) TestConnection(ctx context.Context) (string, error) {
	fp, err := s.HostKeyFingerprint(ctx)
	if err != nil {
		return "", err
	}
	if s.cfg.HostKey == "" {
		return fmt.Sprintf("server host key %s (not pinned yet: check it with the server's administrator, then set host_key=%s)", fp, fp), nil
	}
	files, err := s.withClient(ctx, func(c *pkgsftp.Client) (any, error) { return s.matching(c) })
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("logged in to %s (host key %s); %d file(s) match %s in %s", s.address(), fp, len(files.([]os.FileInfo)), s.cfg.Glob, s.cfg.Dir), nil
}

func (s *Source) withClient(ctx context.Context, fn func(c *pkgsftp.Client) (any, error)) (any, error) {
	conn, err := s.dial(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	c, err := pkgsftp.NewClient(conn)
	if err != nil {
		return nil, fmt.Errorf("start SFTP on %s: %w", s.address(), err)
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	return fn(c)
}

// matching lists the regular files matching the glob, newest first.
func (s *Source) matching(c *pkgsftp.Client) ([]os.FileInfo, error) {
	entries, err := c.ReadDir(s.cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("list %s on %s: %w", s.cfg.Dir, s.address(), err)
	}
	var out []os.FileInfo
	for _, e := range entries {
		if ok, _ := path.Match(s.cfg.Glob, e.Name()); ok && e.Mode().IsRegular() {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].ModTime().Equal(out[j].ModTime()) {
			return out[i].ModTime().After(out[j].ModTime())
		}
		return out[i].Name() > out[j].Name()
	})
	return out, nil
}

// fingerprint is what the source remembers of the last imported file.
type fingerprint struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	MTime  int64  `json:"mtime"`
	SHA256 string `json:"sha256"`
}

// FetchFile downloads the newest matching file unless it is the one last imported.
func (s *Source) FetchFile(ctx context.Context, lastFingerprint string) (sources.File, error) {
	var last fingerprint
	if lastFingerprint != "" {
		_ = json.Unmarshal([]byte(lastFingerprint), &last) // unreadable: download
	}
	out, err := s.withClient(ctx, func(c *pkgsftp.Client) (any, error) {
		files, err := s.matching(c)
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, sources.Errorf(sources.ErrNoFile, "no file matches %s in %s", s.cfg.Glob, s.cfg.Dir)
		}
		newest := files[0]
		fp := fingerprint{Name: newest.Name(), Size: newest.Size(), MTime: newest.ModTime().Unix()}
		if fp.Name == last.Name && fp.Size == last.Size && fp.MTime == last.MTime {
			return nil, sources.ErrUnchanged
		}
		if fp.Size > s.cfg.MaxBytes {
			return nil, sources.Errorf(sources.ErrConfig, "%s is %d MiB; the limit is %d MiB", fp.Name, fp.Size>>20, s.cfg.MaxBytes>>20)
		}
		f, err := c.Open(path.Join(s.cfg.Dir, fp.Name))
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", fp.Name, err)
		}
		defer f.Close()
		content, err := io.ReadAll(io.LimitReader(f, s.cfg.MaxBytes+1))
		if err != nil {
			return nil, fmt.Errorf("download %s: %w", fp.Name, err)
		}
		if int64(len(content)) > s.cfg.MaxBytes {
			return nil, sources.Errorf(sources.ErrConfig, "%s is larger than the limit of %d MiB", fp.Name, s.cfg.MaxBytes>>20)
		}
		sum := sha256.Sum256(content)
		fp.Size, fp.SHA256 = int64(len(content)), hex.EncodeToString(sum[:])
		if fp.Name == last.Name && fp.SHA256 == last.SHA256 {
			return nil, sources.ErrUnchanged
		}
		raw, _ := json.Marshal(fp)
		return sources.File{Name: fp.Name, Content: content, Fingerprint: string(raw)}, nil
	})
	if err != nil {
		return sources.File{}, err
	}
	return out.(sources.File), nil
}

// Archive moves an imported file into archive/ next to it (created when missing); a file of
// the same name already there gets a time suffix.
func (s *Source) Archive(ctx context.Context, f sources.File) error {
	_, err := s.withClient(ctx, func(c *pkgsftp.Client) (any, error) {
		dir := path.Join(s.cfg.Dir, archiveDir)
		if err := c.MkdirAll(dir); err != nil {
			return nil, fmt.Errorf("create %s: %w", dir, err)
		}
		target := path.Join(dir, f.Name)
		if _, err := c.Stat(target); err == nil {
			ext := path.Ext(f.Name)
			target = path.Join(dir, strings.TrimSuffix(f.Name, ext)+"-"+time.Now().UTC().Format("20060102T150405Z")+ext)
		}
		if err := c.Rename(path.Join(s.cfg.Dir, f.Name), target); err != nil {
			return nil, fmt.Errorf("move %s to %s: %w", f.Name, target, err)
		}
		return nil, nil
	})
	return err
}
