package devstack

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// debianPostgresRoot is where Debian's postgresql-NN packages put the server
// binaries; they are not on PATH there.
const debianPostgresRoot = "/usr/lib/postgresql"

// findPostgresBinDir returns the directory holding initdb and pg_ctl. A
// cluster that already exists is served by binaries of its own major version
// when they are installed, because newer binaries refuse older data.
func findPostgresBinDir(dataDir string) (string, error) {
	if version, err := os.ReadFile(filepath.Join(dataDir, "PG_VERSION")); err == nil {
		dir := filepath.Join(debianPostgresRoot, strings.TrimSpace(string(version)), "bin")
		if hasPostgresBinaries(dir) {
			return dir, nil
		}
	}
	if pgCtl, err := exec.LookPath("pg_ctl"); err == nil {
		if dir := filepath.Dir(pgCtl); hasPostgresBinaries(dir) {
			return dir, nil
		}
	}
	for _, dir := range debianPostgresBinDirs() {
		if hasPostgresBinaries(dir) {
			return dir, nil
		}
	}
	return "", errors.New("PostgreSQL server binaries (initdb, pg_ctl) were found neither on PATH nor in " +
		debianPostgresRoot + "/*/bin: install the Debian package postgresql (run `make tools`)")
}

func hasPostgresBinaries(dir string) bool {
	for _, name := range []string{"initdb", "pg_ctl", "postgres"} {
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil || info.IsDir() || info.Mode()&0o111 == 0 {
			return false
		}
	}
	return true
}

// debianPostgresBinDirs lists /usr/lib/postgresql/*/bin, newest major first.
func debianPostgresBinDirs() []string {
	entries, err := os.ReadDir(debianPostgresRoot)
	if err != nil {
		return nil
	}
	type versionDir struct {
		version float64
		dir     string
	}
	var found []versionDir
	for _, entry := range entries {
		version, err := strconv.ParseFloat(entry.Name(), 64)
		if err != nil {
			continue
		}
		found = append(found, versionDir{version, filepath.Join(debianPostgresRoot, entry.Name(), "bin")})
	}
	sort.Slice(found, func(i, j int) bool { return found[i].version > found[j].version })
	dirs := make([]string, len(found))
	for i, f := range found {
		dirs[i] = f.dir
	}
	return dirs
}

// serverAccount is the unprivileged user that PostgreSQL runs as when we are
// root; initdb and postgres refuse to run as root.
type serverAccount struct {
	name string
	uid  int
	gid  int
}

// postgresAccount returns nil when we are not root: the commands then run as
// ourselves.
func postgresAccount() (*serverAccount, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	if account, err := lookupAccount("postgres"); err == nil {
		return account, nil
	}
	if account, err := lookupAccount("staffsync"); err == nil {
		return account, nil
	}
	out, addErr := exec.Command("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "staffsync").CombinedOutput()
	// A concurrent test binary may have created the user first.
	account, err := lookupAccount("staffsync")
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL cannot run as root and creating the system user staffsync failed (%v: %s); create a non-root user named postgres or staffsync",
			addErr, bytes.TrimSpace(out))
	}
	return account, nil
}

func lookupAccount(name string) (*serverAccount, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return nil, err
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return nil, fmt.Errorf("user %s has a non-numeric uid %q", name, u.Uid)
	}
	gid, err := strconv.Atoi(u.Gid)
	if err != nil {
		return nil, fmt.Errorf("user %s has a non-numeric gid %q", name, u.Gid)
	}
	return &serverAccount{name: name, uid: uid, gid: gid}, nil
}

// command runs a PostgreSQL program as the account (or as ourselves when the
// account is nil). The working directory is / because ours may not be
// readable by the account, and initdb/pg_ctl complain about that.
func (a *serverAccount) command(program string, args ...string) *exec.Cmd {
	var cmd *exec.Cmd
	if a == nil {
		cmd = exec.Command(program, args...)
	} else {
		cmd = exec.Command("runuser", append([]string{"-u", a.name, "--", program}, args...)...)
	}
	cmd.Dir = "/"
	return cmd
}

// prepareDataDir makes dir belong to the account and makes sure the account
// can reach it: temporary directories are created 0700 by root, so missing
// search permission (o+x, not read) is added to the ancestors that lack it.
func (a *serverAccount) prepareDataDir(dir string, log func(format string, args ...any)) error {
	if a == nil {
		return nil
	}
	info, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("inspect PostgreSQL data directory: %w", err)
	}
	if stat, ok := info.Sys().(*syscall.Stat_t); ok && int(stat.Uid) != a.uid {
		err := filepath.WalkDir(dir, func(path string, _ os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			return os.Lchown(path, a.uid, a.gid)
		})
		if err != nil {
			return fmt.Errorf("give PostgreSQL data directory %s to user %s: %w", dir, a.name, err)
		}
	}
	for parent := filepath.Dir(dir); ; parent = filepath.Dir(parent) {
		info, err := os.Stat(parent)
		if err != nil {
			return fmt.Errorf("inspect %s: %w", parent, err)
		}
		if !a.canSearch(info) {
			if err := os.Chmod(parent, info.Mode().Perm()|0o001); err != nil {
				return fmt.Errorf("let user %s reach the PostgreSQL data directory through %s: %w", a.name, parent, err)
			}
			log("devstack: added search permission (o+x) to %s so that user %s can reach %s", parent, a.name, dir)
		}
		if parent == filepath.Dir(parent) {
			return nil
		}
	}
}

func (a *serverAccount) canSearch(info os.FileInfo) bool {
	mode := info.Mode().Perm()
	if mode&0o001 != 0 {
		return true
	}
	stat, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return false
	}
	if int(stat.Uid) == a.uid {
		return mode&0o100 != 0
	}
	return int(stat.Gid) == a.gid && mode&0o010 != 0
}
