// Package sftpdrop is the hosted SFTP drop: an SFTP server (pkg/sftp request server over
// x/crypto/ssh) where an HR system pushes files. Each sftp-drop integration has its own user
// with public-key login and sees only its own flat virtual folder, where it may upload, list
// and remove files and nothing else. A complete upload is stored and starts an import; a
// partial or oversized upload is dropped.
package sftpdrop

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/subtle"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	pkgsftp "github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

// DefaultMaxBytes is the largest upload accepted (as for uploads in the API: 50 MiB).
const DefaultMaxBytes = 50 << 20

// Account is the integration behind a drop user.
type Account struct {
	CompanyID      int64
	IntegrationID  int64
	AuthorizedKeys []ssh.PublicKey
	// Password is the drop's optional password ("" = public keys only). It lives only for
	// the login and is never logged.
	Password string
}

// FileInfo describes a stored file.
type FileInfo struct {
	Name       string
	Size       int64
	UploadedAt time.Time
}

// ErrNoAccount means no drop has that user name.
var ErrNoAccount = errors.New("no such drop user")

// Backend stores the drops' files.
type Backend interface {
	Account(ctx context.Context, user string) (Account, error)
	List(ctx context.Context, acc Account) ([]FileInfo, error)
	// Save stores a complete upload and starts its import.
	Save(ctx context.Context, acc Account, name string, content []byte) error
	Remove(ctx context.Context, acc Account, name string) error
	// Usage says what the drop holds, leaving out the file named replacing (for the quota).
	Usage(ctx context.Context, acc Account, replacing string) (Usage, error)
}

// Server is the hosted SFTP drop server.
type Server struct {
	Backend  Backend
	HostKey  ssh.Signer
	MaxBytes int64
	Log      *slog.Logger
	// Quota bounds each drop; zero fields take the defaults.
	Quota Quota
	// FailedLoginLimit failed logins per address within FailedLoginWindow block the
	// address for the rest of the window (zero: 10 in 5 minutes).
	FailedLoginLimit  int
	FailedLoginWindow time.Duration

	limiter *loginLimiter
	uploads uploadSlots
}

// LoadOrCreateHostKey reads the server's host key from path, creating an ed25519 key there
// (mode 0600) on first start, so clients can pin it across restarts.
func LoadOrCreateHostKey(keyPath string) (ssh.Signer, error) {
	raw, err := os.ReadFile(keyPath)
	if errors.Is(err, fs.ErrNotExist) {
		_, priv, gerr := ed25519.GenerateKey(rand.Reader)
		if gerr != nil {
			return nil, fmt.Errorf("generate SFTP host key: %w", gerr)
		}
		block, merr := ssh.MarshalPrivateKey(priv, "staffsync sftp drop")
		if merr != nil {
			return nil, fmt.Errorf("encode SFTP host key: %w", merr)
		}
		raw = pem.EncodeToMemory(block)
		if err := os.MkdirAll(filepath.Dir(keyPath), 0o700); err != nil {
			return nil, fmt.Errorf("create directory of the SFTP host key: %w", err)
		}
		if err := os.WriteFile(keyPath, raw, 0o600); err != nil {
			return nil, fmt.Errorf("write SFTP host key %s: %w", keyPath, err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("read SFTP host key %s: %w", keyPath, err)
	}
	signer, err := ssh.ParsePrivateKey(raw)
	if err != nil {
		return nil, fmt.Errorf("SFTP host key %s is not an SSH private key: %w", keyPath, err)
	}
	return signer, nil
}

func (s *Server) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// Extensions of ssh.Permissions that carry the account from authentication to the
// session: the connection holds them, so nothing is kept per login attempt.
const (
	extCompany     = "staffsync-company"
	extIntegration = "staffsync-integration"
)

func accountPermissions(acc Account) *ssh.Permissions {
	return &ssh.Permissions{Extensions: map[string]string{
		extCompany:     strconv.FormatInt(acc.CompanyID, 10),
		extIntegration: strconv.FormatInt(acc.IntegrationID, 10),
	}}
}

// sessionAccount reads the account a connection authenticated as.
func sessionAccount(p *ssh.Permissions) (Account, bool) {
	if p == nil {
		return Account{}, false
	}
	company, err1 := strconv.ParseInt(p.Extensions[extCompany], 10, 64)
	integration, err2 := strconv.ParseInt(p.Extensions[extIntegration], 10, 64)
	if err1 != nil || err2 != nil || integration <= 0 {
		return Account{}, false
	}
	return Account{CompanyID: company, IntegrationID: integration}, true
}

// sshConfig is the configuration of one connection. Its account lookup is remembered for
// that connection only (several keys offered cost one lookup) and goes with it.
func (s *Server) sshConfig(ctx context.Context) *ssh.ServerConfig {
	var (
		lookedUp string
		acc      Account
		lookErr  error
	)
	account := func(user string) (Account, error) {
		if lookedUp == user && lookErr == nil {
			return acc, nil
		}
		lookupCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		lookedUp = user
		acc, lookErr = s.Backend.Account(lookupCtx, user)
		return acc, lookErr
	}
	cfg := &ssh.ServerConfig{
		PublicKeyCallback: func(meta ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			acc, err := account(meta.User())
			if err != nil {
				return nil, errors.New("access denied")
			}
			for _, k := range acc.AuthorizedKeys {
				if bytes.Equal(k.Marshal(), key.Marshal()) {
					return accountPermissions(acc), nil
				}
			}
			return nil, errors.New("access denied")
		},
		PasswordCallback: func(meta ssh.ConnMetadata, password []byte) (*ssh.Permissions, error) {
			acc, err := account(meta.User())
			if err != nil || acc.Password == "" || subtle.ConstantTimeCompare([]byte(acc.Password), password) != 1 {
				return nil, errors.New("access denied")
			}
			return accountPermissions(acc), nil
		},
		MaxAuthTries: 6,
	}
	cfg.AddHostKey(s.HostKey)
	return cfg
}

// init fills in the defaults; Serve calls it, tests may call it first.
func (s *Server) init() {
	if s.limiter != nil {
		return
	}
	if s.MaxBytes <= 0 {
		s.MaxBytes = DefaultMaxBytes
	}
	s.Quota = s.Quota.withDefaults()
	s.limiter = newLoginLimiter(s.FailedLoginLimit, s.FailedLoginWindow)
}

// Serve accepts connections on l until ctx ends.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	s.init()
	stop := context.AfterFunc(ctx, func() { l.Close() })
	defer stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		conn, err := l.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return fmt.Errorf("SFTP drop: accept: %w", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.handleConn(ctx, conn)
		}()
	}
}

func (s *Server) handleConn(ctx context.Context, conn net.Conn) {
	defer conn.Close()
	if !s.limiter.allowed(conn.RemoteAddr()) {
		return // too many failed logins: no handshake, no lookup
	}
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	sc, chans, reqs, err := ssh.NewServerConn(conn, s.sshConfig(ctx))
	if err != nil {
		// Failed logins are normal on the internet: counted, not logged per attempt.
		s.limiter.failed(conn.RemoteAddr())
		return
	}
	defer sc.Close()
	_ = conn.SetDeadline(time.Time{})
	acc, ok := sessionAccount(sc.Permissions)
	if !ok {
		return
	}
	stop := context.AfterFunc(ctx, func() { sc.Close() })
	defer stop()
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		if nc.ChannelType() != "session" {
			_ = nc.Reject(ssh.UnknownChannelType, "only SFTP sessions are allowed")
			continue
		}
		ch, requests, err := nc.Accept()
		if err != nil {
			continue
		}
		go s.session(ctx, acc, ch, requests)
	}
}

func (s *Server) session(ctx context.Context, acc Account, ch ssh.Channel, requests <-chan *ssh.Request) {
	defer ch.Close()
	for req := range requests {
		// The payload of a subsystem request is an SSH string: 4-byte length, then the name.
		if req.Type == "subsystem" && len(req.Payload) >= 4 && string(req.Payload[4:]) == "sftp" {
			_ = req.Reply(true, nil)
			h := &handlers{ctx: ctx, s: s, acc: acc}
			srv := pkgsftp.NewRequestServer(ch, pkgsftp.Handlers{FileGet: h, FilePut: h, FileCmd: h, FileList: h})
			if err := srv.Serve(); err != nil && !errors.Is(err, io.EOF) {
				s.log().Debug("SFTP drop session ended", "integration", acc.IntegrationID, "error", err)
			}
			_ = srv.Close()
			return
		}
		_ = req.Reply(false, nil)
	}
}

// handlers serve one session's virtual folder.
type handlers struct {
	ctx context.Context
	s   *Server
	acc Account
}

// fileName maps a client path to a file of the flat folder; anything else (subfolders,
// ../ escapes, another drop's folder) does not exist for this user.
func fileName(p string) (string, error) {
	clean := path.Clean("/" + p)
	dir, name := path.Split(clean)
	if dir != "/" || name == "" || len(name) > 255 {
		return "", os.ErrPermission
	}
	return name, nil
}

func (h *handlers) Fileread(*pkgsftp.Request) (io.ReaderAt, error) {
	return nil, os.ErrPermission // upload, list and remove only
}

func (h *handlers) Filewrite(r *pkgsftp.Request) (io.WriterAt, error) {
	name, err := fileName(r.Filepath)
	if err != nil {
		return nil, err
	}
	usage, err := h.s.Backend.Usage(h.ctx, h.acc, name)
	if err != nil {
		return nil, errors.New("cannot check the drop's quota right now; try again")
	}
	if err := h.s.Quota.checkUsage(usage, 0); err != nil {
		return nil, err
	}
	if err := h.s.uploads.acquire(h.acc.IntegrationID, h.s.Quota.OpenUploads); err != nil {
		return nil, err
	}
	return &upload{h: h, name: name}, nil
}

func (h *handlers) Filecmd(r *pkgsftp.Request) error {
	switch r.Method {
	case "Remove":
		name, err := fileName(r.Filepath)
		if err != nil {
			return err
		}
		if err := h.s.Backend.Remove(h.ctx, h.acc, name); err != nil {
			return os.ErrNotExist
		}
		return nil
	case "Setstat":
		return nil // clients set times after an upload; the drop keeps its own
	}
	return os.ErrPermission
}

func (h *handlers) Filelist(r *pkgsftp.Request) (pkgsftp.ListerAt, error) {
	clean := path.Clean("/" + r.Filepath)
	switch r.Method {
	case "List":
		if clean != "/" {
			return nil, os.ErrPermission
		}
		files, err := h.s.Backend.List(h.ctx, h.acc)
		if err != nil {
			return nil, errors.New("cannot list the folder right now")
		}
		out := make(lister, len(files))
		for i, f := range files {
			out[i] = fileInfo{name: f.Name, size: f.Size, mtime: f.UploadedAt}
		}
		return out, nil
	case "Stat", "Lstat":
		if clean == "/" {
			return lister{fileInfo{name: "/", dir: true, mtime: time.Now()}}, nil
		}
		name, err := fileName(clean)
		if err != nil {
			return nil, err
		}
		files, err := h.s.Backend.List(h.ctx, h.acc)
		if err != nil {
			return nil, errors.New("cannot list the folder right now")
		}
		for _, f := range files {
			if f.Name == name {
				return lister{fileInfo{name: f.Name, size: f.Size, mtime: f.UploadedAt}}, nil
			}
		}
		return nil, os.ErrNotExist
	}
	return nil, os.ErrPermission
}

// upload buffers one file; only a cleanly closed upload within the limit is stored.
type upload struct {
	h      *handlers
	name   string
	mu     sync.Mutex
	buf    []byte
	failed bool
	closed bool
}

func (u *upload) WriteAt(p []byte, off int64) (int, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	end := off + int64(len(p))
	if off < 0 || end > u.h.s.MaxBytes {
		u.failed = true
		return 0, fmt.Errorf("the file is larger than the limit of %d MiB", u.h.s.MaxBytes>>20)
	}
	if end > int64(len(u.buf)) {
		grown := make([]byte, end)
		copy(grown, u.buf)
		u.buf = grown
	}
	copy(u.buf[off:], p)
	return len(p), nil
}

// TransferError is called when the session ends with the file still open: a partial upload.
func (u *upload) TransferError(error) {
	u.mu.Lock()
	u.failed = true
	u.mu.Unlock()
}

func (u *upload) Close() error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.closed {
		return nil
	}
	u.closed = true
	defer u.h.s.uploads.release(u.h.acc.IntegrationID)
	if u.failed || len(u.buf) == 0 {
		return nil
	}
	// Checked again with the size: other sessions may have stored files meanwhile.
	usage, err := u.h.s.Backend.Usage(u.h.ctx, u.h.acc, u.name)
	if err != nil {
		return errors.New("cannot check the drop's quota right now; try again")
	}
	if err := u.h.s.Quota.checkUsage(usage, int64(len(u.buf))); err != nil {
		return err
	}
	if err := u.h.s.Backend.Save(u.h.ctx, u.h.acc, u.name, u.buf); err != nil {
		u.h.s.log().Warn("SFTP drop: could not store an upload", "integration", u.h.acc.IntegrationID, "error", err)
		return errors.New("the upload could not be stored; try again")
	}
	return nil
}

type fileInfo struct {
	name  string
	size  int64
	mtime time.Time
	dir   bool
}

func (f fileInfo) Name() string { return f.name }
func (f fileInfo) Size() int64  { return f.size }
func (f fileInfo) Mode() fs.FileMode {
	if f.dir {
		return fs.ModeDir | 0o755
	}
	return 0o644
}
func (f fileInfo) ModTime() time.Time { return f.mtime }
func (f fileInfo) IsDir() bool        { return f.dir }
func (f fileInfo) Sys() any           { return nil }

type lister []os.FileInfo

func (l lister) ListAt(out []os.FileInfo, off int64) (int, error) {
	if off >= int64(len(l)) {
		return 0, io.EOF
	}
	n := copy(out, l[off:])
	if off+int64(n) >= int64(len(l)) {
		return n, io.EOF
	}
	return n, nil
}

// ParseAuthorizedKeys reads public keys in authorized_keys format, one a line.
func ParseAuthorizedKeys(text string) []ssh.PublicKey {
	var out []ssh.PublicKey
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if k, _, _, _, err := ssh.ParseAuthorizedKey([]byte(line)); err == nil {
			out = append(out, k)
		}
	}
	return out
}
