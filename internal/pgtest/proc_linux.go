package pgtest

import "syscall"

// sysProcAttr runs the server as cred (nil: as the caller) and has the
// kernel stop it with an immediate shutdown (SIGQUIT) if the test binary
// dies without calling Stop (a -timeout panic, a kill).
func sysProcAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT}
}
