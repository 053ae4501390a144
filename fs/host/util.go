package host

import "golang.org/x/sys/unix"

// writableDevice reports whether st is a host device the sandbox may open
// itself: null, zero, full, random, urandom, tty.
func writableDevice(st *unix.Stat_t) bool {
	if st.Mode&unix.S_IFMT != unix.S_IFCHR {
		return false
	}
	maj, min := unix.Major(st.Rdev), unix.Minor(st.Rdev)
	switch {
	case maj == 1 && (min == 3 || min == 5 || min == 7 || min == 8 || min == 9):
		return true
	case maj == 5 && min == 0:
		return true
	}
	return false
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// procFDPath names an O_PATH fd for the *xattr calls, which do not take
// O_PATH fds directly.
func procFDPath(fd int) string { return "/proc/self/fd/" + itoa(fd) }
