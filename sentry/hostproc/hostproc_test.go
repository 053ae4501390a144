package hostproc

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestReadThroughFD reads the same procfs files by path and through a
// directory fd of /proc (as a chrooted sentry does).
func TestReadThroughFD(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "named")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	link := "self/fd/" + strconv.Itoa(int(f.Fd()))
	check := func(mode string) {
		b, err := ReadFile("self/status")
		if err != nil || !strings.Contains(string(b), "\nPid:\t") {
			t.Errorf("%s: ReadFile(self/status): %v, %q", mode, err, b)
		}
		name, err := Readlink(link)
		if err != nil || name != f.Name() {
			t.Errorf("%s: Readlink(%s) = %q, %v; want %q", mode, link, name, err, f.Name())
		}
		if _, err := ReadFile("self/no-such-file"); !os.IsNotExist(err) {
			t.Errorf("%s: ReadFile of a missing file: %v, want not-exist", mode, err)
		}
	}
	check("/proc")
	fd, err := unix.Open("/proc", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	Use(fd)
	defer func() { Use(-1); unix.Close(fd) }()
	check("fd")
}
