// Package loader loads executables into a fresh memory manager: static and
// PIE ELF binaries, dynamic ones through their PT_INTERP, and `#!` scripts;
// it builds the initial stack (argv, envp, auxv) the way Linux does.
package loader

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"strings"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
	"stockade.dev/platform"
	"stockade.dev/sentry/mm"
)

// maxInterpreterDepth bounds nested #! interpreters, as Linux does.
const maxInterpreterDepth = 4

// Args are the inputs of Load.
type Args struct {
	// VFS and Ctx resolve Filename.
	VFS *vfs.VFS
	Ctx *vfs.Context
	// Filename is the path to execute; Argv and Envv its arguments and
	// environment.
	Filename string
	Argv     []string
	Envv     []string
	// MM is the empty memory manager to load into.
	MM *mm.MM
	// Creds for the auxiliary vector.
	UID, EUID, GID, EGID uint32
	// Secure is AT_SECURE.
	Secure bool
	// OnExecutable, if set, is called with the stat of the program file
	// (the ELF, after #! interpreters) and whether its mount is nosuid,
	// before the stack is built: execve's credential change, which may
	// update UID..EGID and Secure.
	OnExecutable func(a *Args, st *unix.Stat_t, nosuid bool)
	// Random supplies randomness (AT_RANDOM, address space layout).
	Random func([]byte)
	// VDSO is the address of the vDSO image in the address space (0: none).
	VDSO uintptr
	// StackSize is RLIMIT_STACK's soft value: the main stack's size
	// (0: 8 MiB).
	StackSize uint64
}

// Result describes a loaded program.
type Result struct {
	// Entry is where execution starts (the interpreter's entry if any).
	Entry uintptr
	// StackPointer is the initial rsp (pointing at argc).
	StackPointer uintptr
	// Path is the resolved path of the executable (for /proc/self/exe).
	Path string
	// Argv is the final argument vector (after #! rewriting).
	Argv []string
}

// Error is a load failure: the errno execve returns.
type Error struct {
	Errno unix.Errno
	Msg   string
}

func (e *Error) Error() string { return e.Msg }

func fail(errno unix.Errno, format string, a ...any) error {
	return &Error{Errno: errno, Msg: fmt.Sprintf(format, a...)}
}

// openExec opens path for execution: it must be a regular, executable file.
func openExec(a *Args, path string) (vfs.FileDescription, error) {
	f, err := a.VFS.OpenAt(a.Ctx, vfs.VirtualDentry{}, path, unix.O_RDONLY, 0)
	if err != nil {
		errno, _ := err.(unix.Errno)
		if errno == 0 {
			errno = unix.EIO
		}
		return nil, fail(errno, "%s: %v", path, err)
	}
	var st unix.Stat_t
	if err := f.Stat(&st); err != nil {
		f.DecRef()
		return nil, fail(unix.EIO, "%s: stat: %v", path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG || st.Mode&0o111 == 0 {
		f.DecRef()
		return nil, fail(unix.EACCES, "%s: %v", path, unix.EACCES)
	}
	if err := a.VFS.AccessAt(a.Ctx, vfs.VirtualDentry{}, path, unix.X_OK, true, false); err != nil {
		f.DecRef()
		return nil, fail(unix.EACCES, "%s: %v", path, unix.EACCES)
	}
	return f, nil
}

// Load loads the program a describes into a.MM and builds its stack.
func Load(a *Args) (*Result, error) {
	path := a.Filename
	argv := a.Argv
	var f vfs.FileDescription
	for depth := 0; ; depth++ {
		var err error
		f, err = openExec(a, path)
		if err != nil {
			return nil, err
		}
		hdr := make([]byte, 256)
		n, _ := f.ReadAt(hdr, 0)
		hdr = hdr[:n]
		if !bytes.HasPrefix(hdr, []byte("#!")) {
			break
		}
		f.DecRef()
		if depth >= maxInterpreterDepth {
			return nil, fail(unix.ELOOP, "%s: too many levels of #! interpreters", path)
		}
		interp, arg, ok := parseShebang(hdr)
		if !ok {
			return nil, fail(unix.ENOEXEC, "%s: bad #! line", path)
		}
		nargv := []string{interp}
		if arg != "" {
			nargv = append(nargv, arg)
		}
		nargv = append(nargv, path)
		if len(argv) > 1 {
			nargv = append(nargv, argv[1:]...)
		}
		argv = nargv
		path = interp
	}
	defer f.DecRef()
	if a.OnExecutable != nil {
		var st unix.Stat_t
		if err := f.Stat(&st); err != nil {
			return nil, fail(unix.EIO, "%s: stat: %v", path, err)
		}
		nosuid := false
		if l, ok := f.(vfs.Locatable); ok {
			if m := l.Location().Mount; m != nil {
				nosuid = m.Flags&vfs.MountNoSuid != 0
			}
		}
		a.OnExecutable(a, &st, nosuid)
	}

	top := layout(a)
	exe, err := loadELF(a, f, path, false)
	if err != nil {
		return nil, err
	}
	entry := exe.entry
	var interpBase uintptr
	if exe.interp != "" {
		inf, err := a.VFS.OpenAt(a.Ctx, vfs.VirtualDentry{}, exe.interp, unix.O_RDONLY, 0)
		if err != nil {
			errno, _ := err.(unix.Errno)
			if errno == 0 {
				errno = unix.ENOENT
			}
			return nil, fail(errno, "%s: interpreter %s: %v", path, exe.interp, err)
		}
		defer inf.DecRef()
		in, err := loadELF(a, inf, exe.interp, true)
		if err != nil {
			return nil, err
		}
		entry = in.entry
		interpBase = in.bias
	}
	// The program break starts after the executable, randomised a little.
	a.MM.SetBrk(exe.end + randomPages(a, 1<<13)*mm.PageSize)

	sp, err := buildStack(a, top, argv, path, exe, interpBase)
	if err != nil {
		return nil, err
	}
	name := path
	if l, ok := f.(vfs.Locatable); ok {
		name = a.VFS.PathOf(l.Location(), a.Ctx.Root)
	}
	return &Result{Entry: entry, StackPointer: sp, Path: name, Argv: argv}, nil
}

// parseShebang splits a "#!interp arg" line.
func parseShebang(hdr []byte) (interp, arg string, ok bool) {
	line := hdr[2:]
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	s := strings.Trim(string(line), " \t")
	if s == "" {
		return "", "", false
	}
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i], strings.Trim(s[i:], " \t"), true
	}
	return s, "", true
}

// loaded describes one mapped ELF image.
type loaded struct {
	bias   uintptr
	entry  uintptr
	phdr   uintptr
	phent  int
	phnum  int
	end    uintptr // end of the highest segment
	interp string
}

// elfDynBase is where PIE executables load, as on Linux (2/3 of 47 bits).
const elfDynBase = 0x555555554000

func loadELF(a *Args, f vfs.FileDescription, path string, isInterp bool) (*loaded, error) {
	ident := make([]byte, 64)
	if n, _ := f.ReadAt(ident, 0); n < 64 || !bytes.HasPrefix(ident, []byte(elf.ELFMAG)) {
		return nil, fail(unix.ENOEXEC, "%s: %v", path, unix.ENOEXEC)
	}
	ef, err := elf.NewFile(f)
	if err != nil {
		return nil, fail(unix.ENOEXEC, "%s: %v", path, unix.ENOEXEC)
	}
	if ef.Class != elf.ELFCLASS64 || ef.Machine != elf.EM_X86_64 || ef.Data != elf.ELFDATA2LSB {
		return nil, fail(unix.ENOEXEC, "%s: %v (not an x86-64 executable)", path, unix.ENOEXEC)
	}
	if ef.Type != elf.ET_EXEC && ef.Type != elf.ET_DYN {
		return nil, fail(unix.ENOEXEC, "%s: %v", path, unix.ENOEXEC)
	}
	var lo, hi uint64 = ^uint64(0), 0
	var l loaded
	for _, p := range ef.Progs {
		switch p.Type {
		case elf.PT_LOAD:
			if p.Memsz == 0 {
				continue
			}
			lo = min(lo, p.Vaddr&^(mm.PageSize-1))
			hi = max(hi, p.Vaddr+p.Memsz)
		case elf.PT_INTERP:
			if isInterp {
				return nil, fail(unix.ELIBBAD, "%s: interpreter has an interpreter", path)
			}
			b := make([]byte, p.Filesz)
			if _, err := f.ReadAt(b, int64(p.Off)); err != nil {
				return nil, fail(unix.ENOEXEC, "%s: reading PT_INTERP: %v", path, err)
			}
			l.interp = string(bytes.TrimRight(b, "\x00"))
		}
	}
	if hi == 0 || hi <= lo {
		return nil, fail(unix.ENOEXEC, "%s: no loadable segments", path)
	}
	span := uintptr((hi - lo + mm.PageSize - 1) &^ (mm.PageSize - 1))
	if ef.Type == elf.ET_DYN {
		// Reserve the whole span, then map segments over it.
		var hint uintptr
		if !isInterp {
			hint = elfDynBase + randomPages(a, 1<<16)*mm.PageSize
		}
		base, err := a.MM.MMap(mm.MMapOpts{Addr: hint, Length: span, Private: true})
		if err != nil {
			return nil, fail(unix.ENOMEM, "%s: no room for %#x bytes: %v", path, span, err)
		}
		l.bias = base - uintptr(lo)
	}
	var st unix.Stat_t
	f.Stat(&st)
	mappable, _ := f.(mm.Mappable)
	if mappable == nil {
		return nil, fail(unix.EACCES, "%s: file cannot be mapped", path)
	}
	for _, p := range ef.Progs {
		if p.Type != elf.PT_LOAD || p.Memsz == 0 {
			continue
		}
		if p.Filesz > p.Memsz || p.Off%mm.PageSize != p.Vaddr%mm.PageSize {
			return nil, fail(unix.ENOEXEC, "%s: bad segment", path)
		}
		perms := platform.AccessType{Read: p.Flags&elf.PF_R != 0, Write: p.Flags&elf.PF_W != 0, Execute: p.Flags&elf.PF_X != 0}
		vaddr := l.bias + uintptr(p.Vaddr)
		start := vaddr &^ (mm.PageSize - 1)
		fileEnd := vaddr + uintptr(p.Filesz)
		memEnd := vaddr + uintptr(p.Memsz)
		if p.Filesz > 0 {
			length := (fileEnd+mm.PageSize-1)&^(mm.PageSize-1) - start
			_, err := a.MM.MMap(mm.MMapOpts{
				Addr: start, Length: length, Perms: perms, Fixed: true, Private: true,
				File: mappable, Offset: p.Off &^ (mm.PageSize - 1), Dev: st.Dev, Ino: st.Ino,
			})
			if err != nil {
				return nil, fail(unix.ENOMEM, "%s: mapping segment: %v", path, err)
			}
			// Zero the part of the last file page that belongs to .bss.
			if memEnd > fileEnd && fileEnd&(mm.PageSize-1) != 0 {
				if err := a.MM.ZeroOutForce(fileEnd, int(mm.PageSize-fileEnd&(mm.PageSize-1))); err != nil {
					return nil, fail(unix.EFAULT, "%s: clearing .bss: %v", path, err)
				}
			}
		}
		anonStart := (fileEnd + mm.PageSize - 1) &^ (mm.PageSize - 1)
		if p.Filesz == 0 {
			anonStart = start
		}
		if memEnd > anonStart {
			length := (memEnd+mm.PageSize-1)&^(mm.PageSize-1) - anonStart
			if _, err := a.MM.MMap(mm.MMapOpts{Addr: anonStart, Length: length, Perms: perms, Fixed: true, Private: true}); err != nil {
				return nil, fail(unix.ENOMEM, "%s: mapping .bss: %v", path, err)
			}
		}
		l.end = max(l.end, (memEnd+mm.PageSize-1)&^(mm.PageSize-1))
	}
	// Give back the reserved pages no segment covers.
	if ef.Type == elf.ET_DYN {
		a.MM.UnmapHoles(l.bias+uintptr(lo), l.bias+uintptr(lo)+span)
	}
	l.entry = l.bias + uintptr(ef.Entry)
	l.phent = 56
	l.phnum = len(ef.Progs)
	for _, p := range ef.Progs {
		if p.Type == elf.PT_PHDR {
			l.phdr = l.bias + uintptr(p.Vaddr)
		}
	}
	if l.phdr == 0 {
		// The program headers sit in the segment that maps file offset e_phoff.
		phoff := binary.LittleEndian.Uint64(ident[32:])
		for _, p := range ef.Progs {
			if p.Type == elf.PT_LOAD && phoff >= p.Off && phoff < p.Off+p.Filesz {
				l.phdr = l.bias + uintptr(p.Vaddr+phoff-p.Off)
				break
			}
		}
	}
	return &l, nil
}

// randomPages returns a random number in [0, n).
func randomPages(a *Args, n uint64) uintptr {
	var b [8]byte
	a.Random(b[:])
	return uintptr(binary.LittleEndian.Uint64(b[:]) % n)
}
