package syscalls

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"stockade.dev/sentry/kernel"
)

func init() {
	register(map[string]impl{
		"getdents64": full(sysGetdents64),
		"getdents":   full(sysGetdents),
	})
}

func sysGetdents64(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	f, err := getFile(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	size := int(min(a.Uint(2), 1<<20))
	buf := make([]byte, size)
	n, err := f.Getdents(buf)
	if err != nil {
		return 0, errnoOf(err)
	}
	if _, err := t.CopyOut(a[1], buf[:n]); err != nil {
		return 0, unix.EFAULT
	}
	return uintptr(n), nil
}

// sysGetdents implements the old getdents with struct linux_dirent
// (d_type in the last byte), converting from linux_dirent64 records.
func sysGetdents(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	f, err := getFile(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	size := int(min(a.Uint(2), 1<<20))
	// linux_dirent records can be up to 8 bytes longer than the 64-bit
	// ones (padding), so read less to be sure they fit.
	in := make([]byte, size/2+1)
	n, err := f.Getdents(in)
	if err != nil {
		return 0, errnoOf(err)
	}
	out := make([]byte, 0, size)
	le := binary.LittleEndian
	for i := 0; i < n; {
		ino := le.Uint64(in[i:])
		off := le.Uint64(in[i+8:])
		reclen := int(le.Uint16(in[i+16:]))
		typ := in[i+18]
		name := in[i+19 : i+reclen]
		for j, c := range name {
			if c == 0 {
				name = name[:j]
				break
			}
		}
		rl := (8 + 8 + 2 + len(name) + 2 + 7) &^ 7
		if len(out)+rl > size {
			break
		}
		rec := make([]byte, rl)
		le.PutUint64(rec[0:], ino)
		le.PutUint64(rec[8:], off)
		le.PutUint16(rec[16:], uint16(rl))
		copy(rec[18:], name)
		rec[rl-1] = typ
		out = append(out, rec...)
		i += reclen
	}
	if _, err := t.CopyOut(a[1], out); err != nil {
		return 0, unix.EFAULT
	}
	return uintptr(len(out)), nil
}
