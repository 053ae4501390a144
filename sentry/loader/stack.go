package loader

import (
	"encoding/binary"
	"sync"

	"golang.org/x/sys/unix"

	"stockade.dev/platform"
	"stockade.dev/sentry/hostproc"
	"stockade.dev/sentry/mm"
)

// Auxiliary vector keys (unix lacks them).
const (
	atNull          = 0
	atPHDR          = 3
	atPHENT         = 4
	atPHNUM         = 5
	atPAGESZ        = 6
	atBASE          = 7
	atFLAGS         = 8
	atENTRY         = 9
	atUID           = 11
	atEUID          = 12
	atGID           = 13
	atEGID          = 14
	atPLATFORM      = 15
	atHWCAP         = 16
	atCLKTCK        = 17
	atSECURE        = 23
	atRANDOM        = 25
	atHWCAP2        = 26
	atEXECFN        = 31
	atMINSIGSTKSZ   = 51
	atSYSINFOEHDR   = 33
	stackSize       = 8 << 20
	maxStackRandom  = 1 << 22 // pages: 16 GiB, as Linux
	clockTicksPerS  = 100
	defaultMinStack = 3376
)

// hostAux holds the host's AT_HWCAP, AT_HWCAP2 and AT_MINSIGSTKSZ: the
// application runs on the same CPU, so it sees the same features.
var hostAux struct {
	once                   sync.Once
	hwcap, hwcap2, minSigS uint64
}

func hostAuxv() (hwcap, hwcap2, minSig uint64) {
	hostAux.once.Do(func() {
		hostAux.minSigS = defaultMinStack
		b, err := hostproc.ReadFile("self/auxv")
		if err != nil {
			return
		}
		for i := 0; i+16 <= len(b); i += 16 {
			k, v := binary.LittleEndian.Uint64(b[i:]), binary.LittleEndian.Uint64(b[i+8:])
			switch k {
			case atHWCAP:
				hostAux.hwcap = v
			case atHWCAP2:
				hostAux.hwcap2 = v
			case atMINSIGSTKSZ:
				hostAux.minSigS = v
			}
		}
	})
	return hostAux.hwcap, hostAux.hwcap2, hostAux.minSigS
}

// buildStack maps the main stack and writes argc, argv, envp and auxv the
// way Linux's create_elf_tables does. It returns the initial stack pointer.
// layout chooses the stack top and the mmap base, randomised as Linux does,
// before anything is mapped.
func layout(a *Args) (stackTop uintptr) {
	top := a.MM.MaxAddr() - randomPages(a, maxStackRandom)*mm.PageSize
	top &^= mm.PageSize - 1
	// mmap placement starts below the stack and a gap (128 MiB, as Linux's
	// minimum), randomised.
	a.MM.SetMmapBase(top - stackSizeOf(a) - (128 << 20) - randomPages(a, 1<<16)*mm.PageSize)
	a.MM.SetStackTop(top)
	return top
}

func buildStack(a *Args, top uintptr, argv []string, execfn string, exe *loaded, interpBase uintptr) (uintptr, error) {
	size := stackSizeOf(a)
	_, err := a.MM.MMap(mm.MMapOpts{
		Addr: top - size, Length: size, Perms: platform.ReadWrite,
		Fixed: true, Private: true, GrowsDown: true, Name: "[stack]",
	})
	if err != nil {
		return 0, fail(unix.ENOMEM, "mapping the stack: %v", err)
	}

	sp := top
	push := func(b []byte) (uintptr, error) {
		sp -= uintptr(len(b))
		_, err := a.MM.CopyOut(sp, b)
		return sp, err
	}
	pushStr := func(s string) (uintptr, error) { return push(append([]byte(s), 0)) }

	// Strings: execfn at the very top, then envp and argv strings.
	execfnAddr, err := pushStr(execfn)
	if err != nil {
		return 0, err
	}
	envAddrs := make([]uintptr, len(a.Envv))
	envEnd := sp
	for i := len(a.Envv) - 1; i >= 0; i-- {
		if envAddrs[i], err = pushStr(a.Envv[i]); err != nil {
			return 0, err
		}
	}
	a.MM.EnvvStart, a.MM.EnvvEnd = sp, envEnd
	argAddrs := make([]uintptr, len(argv))
	argEnd := sp
	for i := len(argv) - 1; i >= 0; i-- {
		if argAddrs[i], err = pushStr(argv[i]); err != nil {
			return 0, err
		}
	}
	a.MM.ArgvStart, a.MM.ArgvEnd = sp, argEnd
	platformAddr, _ := pushStr("x86_64")
	var rnd [16]byte
	a.Random(rnd[:])
	sp &^= 15
	randomAddr, _ := push(rnd[:])

	hwcap, hwcap2, minSig := hostAuxv()
	var secure uint64
	if a.Secure {
		secure = 1
	}
	var auxv []uint64
	auxv = []uint64{
		atHWCAP, hwcap,
		atPAGESZ, mm.PageSize,
		atCLKTCK, clockTicksPerS,
		atPHDR, uint64(exe.phdr),
		atPHENT, uint64(exe.phent),
		atPHNUM, uint64(exe.phnum),
		atBASE, uint64(interpBase),
		atFLAGS, 0,
		atENTRY, uint64(exe.entry),
		atUID, uint64(a.UID),
		atEUID, uint64(a.EUID),
		atGID, uint64(a.GID),
		atEGID, uint64(a.EGID),
		atSECURE, secure,
		atRANDOM, uint64(randomAddr),
		atHWCAP2, hwcap2,
		atEXECFN, uint64(execfnAddr),
		atPLATFORM, uint64(platformAddr),
		atMINSIGSTKSZ, minSig,
	}
	if a.VDSO != 0 {
		auxv = append(auxv, atSYSINFOEHDR, uint64(a.VDSO))
	}
	auxv = append(auxv, atNull, 0)
	a.MM.Auxv = auxv
	// Words: argc, argv..., NULL, envp..., NULL, auxv pairs.
	words := 1 + len(argv) + 1 + len(a.Envv) + 1 + len(auxv)
	sp -= uintptr(words * 8)
	sp &^= 15
	buf := make([]byte, 0, words*8)
	put := func(v uint64) { buf = binary.LittleEndian.AppendUint64(buf, v) }
	put(uint64(len(argv)))
	for _, p := range argAddrs {
		put(uint64(p))
	}
	put(0)
	for _, p := range envAddrs {
		put(uint64(p))
	}
	put(0)
	for _, v := range auxv {
		put(v)
	}
	if _, err := a.MM.CopyOut(sp, buf); err != nil {
		return 0, fail(unix.EFAULT, "writing the initial stack: %v", err)
	}
	return sp, nil
}

// stackSizeOf returns the main stack's size: RLIMIT_STACK, at least 128 KiB
// and at most 1 GiB (an unlimited stack gets 1 GiB of address space; pages
// are only allocated when touched).
func stackSizeOf(a *Args) uintptr {
	n := a.StackSize
	if n == 0 {
		n = stackSize
	}
	n = max(n, 128<<10)
	n = min(n, 1<<30)
	return uintptr(n+mm.PageSize-1) &^ (mm.PageSize - 1)
}
