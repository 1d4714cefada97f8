package adapt_test

import (
	"os/exec"
	"syscall"
)

// dieWithTest: the server TestMain starts gets SIGTERM if the test process dies first (a panic, a kill).
func dieWithTest(command *exec.Cmd) {
	command.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
