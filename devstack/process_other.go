//go:build !linux

package devstack

import "syscall"

// childProcAttr puts a server in its own process group, so that a terminal's
// Ctrl-C reaches only us (we stop it in order). Only Linux can also kill it
// when we die.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// isPostgresProcess tells whether pid is alive; without /proc the process
// name cannot be checked.
func isPostgresProcess(pid int) bool {
	return syscall.Kill(pid, 0) == nil
}
