// Package cmd holds runsc's subcommands, one per file.
package cmd

import (
	"flag"
	"io"
	"log/slog"
	"os"
)

// Global flags shared by every subcommand.
var (
	debugLog   string
	straceFlag bool
	platformFl string
	networkFl  string
	rootDir    string
	debugFlag  bool
	cpuProfile string
)

// RegisterGlobalFlags declares runsc's global flags on fs.
func RegisterGlobalFlags(fs *flag.FlagSet) {
	fs.StringVar(&debugLog, "debug-log", "", "write the sandbox's debug log (and --strace output) to this file")
	fs.BoolVar(&straceFlag, "strace", false, "log every system call of the application, strace style")
	fs.StringVar(&platformFl, "platform", "ptrace", "how application code is run: ptrace")
	fs.StringVar(&networkFl, "network", "none", "networking: none (loopback only)")
	fs.StringVar(&rootDir, "root", "/var/run/runsc", "directory holding container state")
	fs.BoolVar(&debugFlag, "debug", false, "log at debug level")
	fs.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the sandbox kernel to this file")
}

// openLog returns the writer for the debug log and strace output: the
// --debug-log file, or nil when logging is off.
func openLog() (io.Writer, error) {
	if debugLog == "" {
		return nil, nil
	}
	return os.OpenFile(debugLog, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
}

// setupLogging installs the default logger: to the debug log if set, else
// nowhere (runsc must not add to the application's stderr).
func setupLogging(w io.Writer) {
	level := slog.LevelInfo
	if debugFlag {
		level = slog.LevelDebug
	}
	if w == nil {
		slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
		return
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level})))
}
