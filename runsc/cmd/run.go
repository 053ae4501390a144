package cmd

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/google/subcommands"
	"golang.org/x/sys/unix"

	"stockade.dev/runsc/container"
	"stockade.dev/runsc/sandbox"
	"stockade.dev/runsc/specutil"
	"stockade.dev/sentry/control"
)

// Run implements `runsc run`: create and start a container, wait for it
// and delete it; runsc exits with the container's status.
type Run struct {
	bundle, pidFile, consoleSocket string
	detach, keep                   bool
	noPivot, noNewKeyring          bool
	preserveFDs                    int
}

// Name implements subcommands.Command.
func (*Run) Name() string { return "run" }

// Synopsis implements subcommands.Command.
func (*Run) Synopsis() string { return "create and run a container" }

// Usage implements subcommands.Command.
func (*Run) Usage() string {
	return `run [command options] <container-id>

Where "<container-id>" is your name for the instance of the container that
you are starting. The name you provide for the container instance must be
unique on your host. runsc exits with the container's exit status (128+N if
it was killed by signal N), and deletes it unless --detach or --keep.
`
}

// SetFlags implements subcommands.Command.
func (r *Run) SetFlags(fs *flag.FlagSet) {
	setBundleFlags(fs, &r.bundle, &r.pidFile, &r.consoleSocket)
	fs.BoolVar(&r.detach, "detach", false, "detach from the container's process")
	fs.BoolVar(&r.detach, "d", false, "same as --detach")
	fs.BoolVar(&r.keep, "keep", false, "do not delete the container after it exits")
	fs.BoolVar(&r.noPivot, "no-pivot", false, "accepted for runc compatibility")
	fs.BoolVar(&r.noNewKeyring, "no-new-keyring", false, "accepted for runc compatibility")
	fs.IntVar(&r.preserveFDs, "preserve-fds", 0, "accepted for runc compatibility")
}

// Execute implements subcommands.Command.
func (r *Run) Execute(_ context.Context, fs *flag.FlagSet, _ ...any) subcommands.ExitStatus {
	setupOCILogging()
	id, err := oneID(fs, "run")
	if err != nil {
		return ociError("%v", err)
	}
	// A terminal with no console socket: runsc run is the terminal's
	// other end, copying between its own stdio and the pty.
	var master, console *os.File
	if !r.detach && r.consoleSocket == "" {
		if b, err := absBundle(r.bundle); err == nil {
			if spec, err := specutil.Load(b); err == nil && spec.Process.Terminal {
				if master, console, err = sandbox.OpenPty(); err != nil {
					return ociError("runsc run failed: allocating a pty: %v", err)
				}
				// The window size is there before the init runs.
				resizeFrom(0, master)
			}
		}
	}
	ct, sb, err := createContainer(id, r.bundle, r.pidFile, r.consoleSocket, console, r.detach)
	if console != nil {
		console.Close()
	}
	if err != nil {
		return ociError("runsc run failed: %v", err)
	}
	if err := startContainer(ct); err != nil {
		deleteContainer(ct)
		return ociError("runsc run failed: %v", err)
	}
	ct.Unlock()
	if r.detach {
		return subcommands.ExitSuccess
	}
	var copied <-chan struct{}
	if master != nil {
		if st, err := unix.IoctlGetTermios(0, unix.TCGETS); err == nil {
			raw := *st
			raw.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
			raw.Oflag &^= unix.OPOST
			raw.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
			raw.Cflag &^= unix.CSIZE | unix.PARENB
			raw.Cflag |= unix.CS8
			unix.IoctlSetTermios(0, unix.TCSETS, &raw)
			defer unix.IoctlSetTermios(0, unix.TCSETS, st)
			resizeFrom(0, master)
		}
		copied = sandbox.CopyConsole(master, os.Stdin, os.Stdout)
	}
	// Signals sent to runsc run go to the container's init, as runc's.
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, forwardedSignals...)
	go func() {
		for s := range sigs {
			sig := s.(syscall.Signal)
			if sig == unix.SIGWINCH && master != nil {
				// As runc: the terminal is resized; the host pty tells
				// the sandbox, which tells the foreground group inside.
				resizeFrom(0, master)
				continue
			}
			control.Call(ct.Dir, &control.Request{Method: control.MethodSignal, Signal: int32(sig)}, nil)
		}
	}()
	ps, _ := sb.Process.Wait()
	signal.Stop(sigs)
	code := 255
	if ps != nil {
		if ws, ok := ps.Sys().(syscall.WaitStatus); ok {
			switch {
			case ws.Exited():
				code = ws.ExitStatus()
			case ws.Signaled():
				code = 128 + int(ws.Signal())
				if ws.Signal() == syscall.SIGSYS {
					fmt.Fprintln(os.Stderr, "runsc: "+sandbox.SeccompKillMessage("sandbox", sb.Pid))
				}
			}
		}
	}
	if master != nil {
		select {
		case <-copied:
		case <-time.After(500 * time.Millisecond):
		}
		master.Close()
	}
	if !r.keep {
		if ct, err := loadContainer(id); err == nil {
			deleteContainer(ct)
		} else if err != container.ErrNotExist {
			ociError("%v", err)
		}
	}
	return subcommands.ExitStatus(code)
}
