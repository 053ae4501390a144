package syscalls

import (
	"golang.org/x/sys/unix"

	"stockade.dev/platform"
	"stockade.dev/sentry/kernel"
	"stockade.dev/sentry/mm"
)

func init() {
	register(map[string]impl{
		"mmap":       partial(sysMmap, "MAP_SHARED file mappings are private copies; MAP_SHARED anonymous memory is not shared across fork yet"),
		"munmap":     full(sysMunmap),
		"mprotect":   full(sysMprotect),
		"mremap":     partial(sysMremap, "no MREMAP_DONTUNMAP, no old_size 0 duplication"),
		"madvise":    partial(sysMadvise, "DONTNEED/FREE/REMOVE drop pages; other advice is accepted and ignored"),
		"brk":        full(sysBrk),
		"msync":      partial(sysMsync, "nothing to write back: shared file mappings are copies"),
		"mlock":      partial(sysNop, "no-op: sandbox memory is never swapped by the sentry"),
		"munlock":    partial(sysNop, "no-op"),
		"mlockall":   partial(sysNop, "no-op"),
		"munlockall": partial(sysNop, "no-op"),
	})
}

func sysNop(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) { return 0, nil }

const (
	mapGrowsdown      = 0x100
	mapFixedNoreplace = 0x100000
	mapUninitialized  = 0x4000000
	mapSharedValidate = 0x3
)

func sysMmap(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	addr, length, prot, flags, fd, off := a[0], a[1], int(a.Int(2)), int(a.Int(3)), a.Int(4), uint64(a[5])
	typ := flags & (unix.MAP_SHARED | unix.MAP_PRIVATE | mapSharedValidate)
	if typ != unix.MAP_SHARED && typ != unix.MAP_PRIVATE && typ != mapSharedValidate {
		return 0, unix.EINVAL
	}
	if length == 0 || off&(mm.PageSize-1) != 0 {
		return 0, unix.EINVAL
	}
	if prot&^(unix.PROT_READ|unix.PROT_WRITE|unix.PROT_EXEC|unix.PROT_GROWSDOWN|unix.PROT_GROWSUP) != 0 {
		return 0, unix.EINVAL
	}
	opts := mm.MMapOpts{
		Addr: addr, Length: length, Perms: platform.ProtToAccess(prot),
		Fixed: flags&unix.MAP_FIXED != 0, NoReplace: flags&mapFixedNoreplace != 0 && flags&unix.MAP_FIXED == 0,
		Private: typ == unix.MAP_PRIVATE, GrowsDown: flags&mapGrowsdown != 0,
		Populate: flags&(unix.MAP_POPULATE|unix.MAP_LOCKED) != 0 && flags&unix.MAP_NONBLOCK == 0,
		Offset:   off,
	}
	// Linux: READ_IMPLIES_EXEC is off for x86-64 binaries; PROT_WRITE on
	// x86 implies PROT_READ in hardware.
	if opts.Perms.Write {
		opts.Perms.Read = true
	}
	if flags&unix.MAP_ANONYMOUS == 0 {
		f, err := getFile(t, fd)
		if err != nil {
			return 0, err
		}
		defer f.DecRef()
		if am, ok := f.(anonMappable); ok && am.MapsAsAnonymous() {
			// /dev/zero: private or shared anonymous memory.
			if f.StatusFlags()&unix.O_ACCMODE == unix.O_WRONLY {
				return 0, unix.EACCES
			}
			opts.Offset = 0
			return t.MM.MMap(opts)
		}
		m, ok := f.(mm.Mappable)
		if !ok {
			return 0, unix.ENODEV
		}
		acc := f.StatusFlags() & unix.O_ACCMODE
		if acc == unix.O_WRONLY || f.StatusFlags()&unix.O_PATH != 0 {
			return 0, unix.EACCES
		}
		var st unix.Stat_t
		if err := f.Stat(&st); err != nil {
			return 0, errnoOf(err)
		}
		if st.Mode&unix.S_IFMT == unix.S_IFDIR {
			return 0, unix.ENODEV
		}
		if !opts.Private {
			if acc != unix.O_RDWR {
				if opts.Perms.Write {
					return 0, unix.EACCES
				}
				opts.MaxPerms = platform.AccessType{Read: true, Execute: true}
			}
		}
		opts.File, opts.Dev, opts.Ino = m, st.Dev, st.Ino
	}
	if !withinAddressSpaceLimit(t, uint64(length)) {
		return 0, unix.ENOMEM
	}
	r, err := t.MM.MMap(opts)
	return r, err
}

// rlimitAS is RLIMIT_AS.
const rlimitAS = 9

// withinAddressSpaceLimit reports whether growing the address space by n
// bytes stays within RLIMIT_AS.
func withinAddressSpaceLimit(t *kernel.Task, n uint64) bool {
	lim := t.Rlimit(rlimitAS)
	if lim.Cur == ^uint64(0) {
		return true
	}
	return t.MM.MappedBytes()+n <= lim.Cur
}

// anonMappable is implemented by files whose mappings are anonymous memory
// (/dev/zero, fs/dev).
type anonMappable interface {
	MapsAsAnonymous() bool
}

func sysMunmap(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return 0, t.MM.Munmap(a[0], a[1])
}

func sysMprotect(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	prot := int(a.Int(2))
	if prot&^(unix.PROT_READ|unix.PROT_WRITE|unix.PROT_EXEC|unix.PROT_GROWSDOWN|unix.PROT_GROWSUP) != 0 {
		return 0, unix.EINVAL
	}
	perms := platform.ProtToAccess(prot)
	if perms.Write {
		perms.Read = true
	}
	return 0, t.MM.Mprotect(a[0], a[1], perms, prot&unix.PROT_GROWSDOWN != 0)
}

func sysMremap(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	flags := int(a.Int(3))
	if flags&^(unix.MREMAP_MAYMOVE|unix.MREMAP_FIXED) != 0 {
		return 0, unix.EINVAL
	}
	if a[2] > a[1] && !withinAddressSpaceLimit(t, uint64(a[2]-a[1])) {
		return 0, unix.ENOMEM
	}
	return t.MM.Mremap(a[0], a[1], a[2], flags&unix.MREMAP_MAYMOVE != 0, flags&unix.MREMAP_FIXED != 0, a[4])
}

func sysMadvise(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	if !validMadvice(int(a.Int(2))) { // sys_misc_fd.go
		return 0, unix.EINVAL
	}
	return 0, t.MM.Madvise(a[0], a[1], int(a.Int(2)))
}

func sysBrk(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	if cur := t.MM.Brk(0); a[0] > cur && !withinAddressSpaceLimit(t, uint64(a[0]-cur)) {
		return cur, nil
	}
	return t.MM.Brk(a[0]), nil
}

func sysMsync(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	if a[0]&(mm.PageSize-1) != 0 {
		return 0, unix.EINVAL
	}
	flags := int(a.Int(2))
	if flags&^(unix.MS_ASYNC|unix.MS_SYNC|unix.MS_INVALIDATE) != 0 || flags&unix.MS_ASYNC != 0 && flags&unix.MS_SYNC != 0 {
		return 0, unix.EINVAL
	}
	return 0, nil
}
