//go:build linux

package devstack

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"syscall"
)

// childProcAttr puts a server in its own process group, so that a terminal's
// Ctrl-C reaches only us (we stop it in order), and kills it if we die.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// isPostgresProcess tells whether pid is a live (not zombie) PostgreSQL
// process. Zombies matter: a killed postmaster whose parent (pg_ctl) exited
// waits for init to reap it, and still answers kill(pid, 0).
func isPostgresProcess(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// Format: "pid (comm) state ..."; comm may contain spaces or parentheses.
	open, closing := bytes.IndexByte(stat, '('), bytes.LastIndexByte(stat, ')')
	if open < 0 || closing < open || len(stat) < closing+3 {
		return false
	}
	comm, state := string(stat[open+1:closing]), stat[closing+2]
	return strings.HasPrefix(comm, "postgres") && state != 'Z' && state != 'X'
}
