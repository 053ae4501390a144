package cmd

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/google/subcommands"

	"stockade.dev/runsc/container"
)

// Global flags of the OCI commands: those docker and containerd pass to
// runc (and so to runsc), and the sandbox's own.
var (
	logFile       string
	logFormat     string
	logLevel      string
	systemdCgroup bool
	rootlessFl    string
	overlayFl     string
	confineFl     bool
)

// RegisterOCIFlags declares the global flags of the OCI commands on fs.
func RegisterOCIFlags(fs *flag.FlagSet) {
	fs.StringVar(&logFile, "log", "", "write runsc's log (errors included) to this file")
	fs.StringVar(&logFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.BoolVar(&systemdCgroup, "systemd-cgroup", false, "read linux.cgroupsPath as systemd's slice:prefix:name (runsc makes the cgroup systemd would, itself)")
	fs.StringVar(&rootlessFl, "rootless", "auto", "accepted for runc compatibility: true, false or auto")
	fs.StringVar(&overlayFl, "overlay", "memory", "the container root's writable layer: memory (writes stay in the sandbox's memory) or none (writes go through the gofer to the host rootfs)")
	fs.BoolVar(&confineFl, "confine", true, "confine the sandbox process: namespaces, chroot into an empty directory, no capabilities, seccomp (--confine=false only to debug)")
}

// bootGlobalArgs are the global flags `runsc boot` is given: those that
// shape the sandbox.
func bootGlobalArgs() []string {
	args := []string{
		"--root=" + rootDir, "--platform=" + platformFl, "--network=" + networkFl,
		"--overlay=" + overlayFl, "--log-format=" + logFormat, "--log-level=" + logLevel,
	}
	if logFile != "" {
		args = append(args, "--log="+logFile)
	}
	if debugLog != "" {
		args = append(args, "--debug-log="+debugLog)
	}
	if debugFlag {
		args = append(args, "--debug")
	}
	if straceFlag {
		args = append(args, "--strace")
	}
	args = append(args, "--confine="+strconv.FormatBool(confineFl))
	return args
}

// setupOCILogging installs the logger of the OCI commands: --log (or
// --debug-log) in --log-format, at --log-level (debug with --debug).
func setupOCILogging() {
	path := logFile
	if path == "" {
		path = debugLog
	}
	if path == "" {
		slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
		return
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
		return
	}
	level := slog.LevelInfo
	switch strings.ToLower(logLevel) {
	case "debug":
		level = slog.LevelDebug
	case "warn", "warning":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	}
	if debugFlag {
		level = slog.LevelDebug
	}
	o := &slog.HandlerOptions{Level: level}
	if logFormat == "json" {
		slog.SetDefault(slog.New(slog.NewJSONHandler(f, o)))
	} else {
		slog.SetDefault(slog.New(slog.NewTextHandler(f, o)))
	}
}

// ociError reports a failed command as runc does: one line on stderr and
// an error entry in --log (containerd reads the last one from a JSON log),
// and returns the exit status (1, as runc's).
func ociError(format string, args ...any) subcommands.ExitStatus {
	return ociErrorCode(1, format, args...)
}

func ociErrorCode(code int, format string, args ...any) subcommands.ExitStatus {
	msg := fmt.Sprintf(format, args...)
	if strings.HasPrefix(msg, "runsc ") {
		fmt.Fprintln(os.Stderr, msg)
	} else {
		fmt.Fprintf(os.Stderr, "runsc: %s\n", msg)
	}
	if logFile != "" {
		if f, err := os.OpenFile(logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err == nil {
			if logFormat == "json" {
				b, _ := json.Marshal(map[string]string{"level": "error", "msg": msg, "time": time.Now().UTC().Format(time.RFC3339Nano)})
				f.Write(append(b, '\n'))
			} else {
				fmt.Fprintf(f, "time=%q level=error msg=%q\n", time.Now().UTC().Format(time.RFC3339Nano), msg)
			}
			f.Close()
		}
	}
	return subcommands.ExitStatus(code)
}

// oneID returns the single container id argument.
func oneID(fs *flag.FlagSet, name string) (string, error) {
	if fs.NArg() < 1 {
		return "", fmt.Errorf("%s: missing container id; usage: runsc %s <container-id>", name, name)
	}
	return fs.Arg(0), nil
}

// loadContainer locks and loads container id.
func loadContainer(id string) (*container.Container, error) {
	return container.Load(rootDir, id)
}

// absBundle returns the absolute bundle directory (the working directory
// if empty).
func absBundle(b string) (string, error) {
	if b == "" {
		return os.Getwd()
	}
	return filepath.Abs(b)
}

var errUsage = errors.New("usage")
