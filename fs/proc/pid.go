package proc

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/synth"
	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/kernel"
	"stockade.dev/sentry/mm"
)

// proc is one /proc/[pid] (thread == nil) or /proc/[pid]/task/[tid]
// directory's subject.
type proc struct {
	fs     *FS
	tg     *kernel.ThreadGroup
	thread *kernel.Task
}

// named returns the task whose name, credentials and state the directory
// shows: the thread, or the process's leader (which may have exited).
func (p *proc) named() *kernel.Task {
	if p.thread != nil {
		return p.thread
	}
	return p.tg.Leader()
}

// live returns a running task whose address space, files and filesystem
// context the directory shows, or nil once they are gone.
func (p *proc) live() *kernel.Task {
	if p.thread != nil {
		s := p.thread.State()
		if s == kernel.StateDead || s == kernel.StateZombie {
			return nil
		}
		return p.thread
	}
	return p.tg.LiveTask()
}

// mm returns the address space shown, or nil.
func (p *proc) mm() *mm.MM {
	if t := p.live(); t != nil {
		return t.MemoryManager()
	}
	return nil
}

// id is the directory's pid or tid.
func (p *proc) id() int32 {
	if p.thread != nil {
		return p.thread.ID
	}
	return p.tg.ID
}

// ino returns the stable inode number of the directory's entry slot.
func (p *proc) ino(slot int) uint64 {
	base := uint64(1) << 40
	if p.thread != nil {
		base = uint64(1) << 41
	}
	return base | uint64(p.id())<<12 | uint64(slot)
}

func (p *proc) owner() (uint32, uint32) {
	c := p.named().Credentials()
	if c == nil {
		return 0, 0
	}
	return c.EffectiveUID, c.EffectiveGID
}

// builder adds entries to a per-process directory with stable inode
// numbers.
type builder struct {
	p    *proc
	dir  *synth.Dir
	slot int
}

func (b *builder) attr(mode uint32) synth.Attr {
	b.slot++
	a := b.p.fs.tmpl
	a.Ino, a.Mode, a.Owner = b.p.ino(b.slot), mode, b.p.owner
	return a
}

func (b *builder) file(name string, perm uint32, gen func() ([]byte, error), write func([]byte) error) {
	b.dir.Add(name, &synth.File{Attr: b.attr(unix.S_IFREG | perm), Gen: gen, Write: write})
}

func (b *builder) text(name string, perm uint32, gen func() string) {
	b.file(name, perm, func() ([]byte, error) { return []byte(gen()), nil }, nil)
}

func (b *builder) link(name string, target func() (string, error)) {
	b.dir.Add(name, &synth.Symlink{Attr: b.attr(unix.S_IFLNK | 0o777), Target: target})
}

func (b *builder) magic(name string, path func() (string, error), dest func() (vfs.VirtualDentry, error)) {
	b.dir.Add(name, &synth.MagicLink{Attr: b.attr(unix.S_IFLNK | 0o777), Path: path, Dest: dest})
}

func (b *builder) subdir(name string, perm uint32) *synth.Dir {
	d := synth.NewDir(b.attr(unix.S_IFDIR | perm))
	b.dir.Add(name, d)
	return d
}

// processDir returns /proc/[pid] (thread nil) or a /proc/[pid]/task/[tid]
// directory.
func (fs *FS) processDir(tg *kernel.ThreadGroup, thread *kernel.Task) vfs.Inode {
	p := &proc{fs: fs, tg: tg, thread: thread}
	a := fs.tmpl
	a.Ino, a.Mode, a.Owner, a.NoCache = p.ino(0), unix.S_IFDIR|0o555, p.owner, true
	d := synth.NewDir(a)
	b := &builder{p: p, dir: d}
	if thread == nil {
		taskDir := b.subdir("task", 0o555)
		taskDir.Dyn = threadList{p}
	}
	fdDir := synth.NewDir(b.attr(unix.S_IFDIR | 0o500))
	fdDir.Dyn = fdList{p: p, info: false}
	d.Add("fd", fdDir)
	infoDir := synth.NewDir(b.attr(unix.S_IFDIR | 0o500))
	infoDir.Dyn = fdList{p: p, info: true}
	d.Add("fdinfo", infoDir)
	if thread == nil {
		netDir := b.subdir("net", 0o555)
		p.buildNet(netDir, b)
	}
	ns := b.subdir("ns", 0o511)
	for _, n := range nsNames {
		name, id := n.name, n.id
		ns.Add(name, &synth.MagicLink{Attr: b.attr(unix.S_IFLNK | 0o777),
			Path: func() (string, error) {
				return fmt.Sprintf("%s:[%d]", strings.TrimSuffix(name, "_for_children"), id), nil
			},
			Dest: func() (vfs.VirtualDentry, error) { return vfs.VirtualDentry{}, unix.ENOENT }})
	}
	b.file("auxv", 0o400, p.auxv, nil)
	b.text("cgroup", 0o444, func() string { return "0::/\n" })
	b.file("cmdline", 0o444, p.cmdline, nil)
	b.file("comm", 0o644, p.comm, p.setComm)
	b.file("coredump_filter", 0o644, synth.Bytes("00000033\n"), func([]byte) error { return nil })
	b.magic("cwd", p.linkPath(func(t *kernel.Task) vfs.VirtualDentry { return t.FSContext().Cwd() }),
		p.linkDest(func(t *kernel.Task) vfs.VirtualDentry { return t.FSContext().Cwd() }))
	b.file("environ", 0o400, p.environ, nil)
	b.magic("exe", p.exePath, p.exeDest)
	b.text("gid_map", 0o644, idMap)
	b.file("io", 0o400, p.io, nil)
	b.file("limits", 0o444, p.limits, nil)
	b.file("loginuid", 0o644, synth.Bytes("4294967295"), func([]byte) error { return unix.EPERM })
	b.file("maps", 0o444, p.maps, nil)
	b.file("mountinfo", 0o444, p.mountinfo, nil)
	b.file("mounts", 0o444, p.mounts, nil)
	b.text("oom_adj", 0o644, func() string { return strconv.Itoa(int(p.tg.OOMScoreAdj()*17/1000)) + "\n" })
	b.text("oom_score", 0o444, func() string { return strconv.Itoa(max(0, int(p.tg.OOMScoreAdj())+666)) + "\n" })
	b.file("oom_score_adj", 0o644, func() ([]byte, error) {
		return []byte(strconv.Itoa(int(p.tg.OOMScoreAdj())) + "\n"), nil
	}, p.setOOMScoreAdj)
	b.text("personality", 0o400, func() string { return "00000000\n" })
	b.magic("root", p.linkPath(func(t *kernel.Task) vfs.VirtualDentry { return t.FSContext().Root() }),
		p.linkDest(func(t *kernel.Task) vfs.VirtualDentry { return t.FSContext().Root() }))
	b.file("sched", 0o644, p.sched, func([]byte) error { return nil })
	b.file("schedstat", 0o444, p.schedstat, nil)
	b.text("sessionid", 0o444, func() string { return "4294967295" })
	b.text("setgroups", 0o644, func() string { return "allow\n" })
	b.file("smaps_rollup", 0o444, p.smapsRollup, nil)
	b.file("stat", 0o444, p.stat, nil)
	b.file("statm", 0o444, p.statm, nil)
	b.file("status", 0o444, p.status, nil)
	b.text("timerslack_ns", 0o644, func() string {
		if t := p.live(); t != nil {
			return strconv.FormatUint(t.TimerSlack(), 10) + "\n"
		}
		return "0\n"
	})
	b.text("uid_map", 0o644, idMap)
	b.text("wchan", 0o444, func() string { return "0" })
	return d
}

// nsNames are the namespaces of /proc/[pid]/ns, with the initial
// namespaces' inode numbers Linux uses.
var nsNames = []struct {
	name string
	id   uint64
}{
	{"cgroup", 4026531835}, {"ipc", 4026531839}, {"mnt", 4026531841}, {"net", 4026531840},
	{"pid", 4026531836}, {"pid_for_children", 4026531836}, {"time", 4026531834},
	{"time_for_children", 4026531834}, {"user", 4026531837}, {"uts", 4026531838},
}

// idMap is uid_map and gid_map of the initial user namespace.
func idMap() string { return "         0          0 4294967295\n" }

// threadList lists /proc/[pid]/task.
type threadList struct{ p *proc }

// Names implements synth.Dynamic.
func (l threadList) Names() []string {
	var out []string
	for _, t := range l.p.tg.Tasks() {
		out = append(out, strconv.Itoa(int(t.ID)))
	}
	if len(out) == 0 && l.p.tg.IsZombie() {
		out = append(out, strconv.Itoa(int(l.p.tg.ID)))
	}
	return out
}

// Lookup implements synth.Dynamic.
func (l threadList) Lookup(name string) (vfs.Inode, error) {
	tid, err := strconv.ParseInt(name, 10, 32)
	if err != nil {
		return nil, unix.ENOENT
	}
	for _, t := range l.p.tg.Tasks() {
		if t.ID == int32(tid) {
			return l.p.fs.processDir(l.p.tg, t), nil
		}
	}
	if int32(tid) == l.p.tg.ID && l.p.tg.IsZombie() {
		return l.p.fs.processDir(l.p.tg, l.p.tg.Leader()), nil
	}
	return nil, unix.ENOENT
}

// files returns the fd table shown, or nil.
func (p *proc) files() *vfs.FDTable {
	if t := p.live(); t != nil {
		return t.Files()
	}
	return nil
}

// fdList lists /proc/[pid]/fd (links) or fdinfo (files).
type fdList struct {
	p    *proc
	info bool
}

// Names implements synth.Dynamic.
func (l fdList) Names() []string {
	var out []string
	if ft := l.p.files(); ft != nil {
		ft.Range(func(fd int32, _ vfs.FileDescription, _ bool) {
			out = append(out, strconv.Itoa(int(fd)))
		})
	}
	return out
}

// Lookup implements synth.Dynamic.
func (l fdList) Lookup(name string) (vfs.Inode, error) {
	fd, err := strconv.ParseInt(name, 10, 32)
	if err != nil || fd < 0 || strconv.Itoa(int(fd)) != name {
		return nil, unix.ENOENT
	}
	ft := l.p.files()
	if ft == nil {
		return nil, unix.ENOENT
	}
	f, cloexec, err := ft.Get(int32(fd))
	if err != nil {
		return nil, unix.ENOENT
	}
	defer f.DecRef()
	p := l.p
	a := p.fs.tmpl
	a.Owner, a.NoCache = p.owner, true
	base := uint64(1) << 42
	if l.info {
		base = uint64(1) << 43
	}
	if p.thread != nil {
		base |= uint64(1) << 44
	}
	a.Ino = base | uint64(p.id())<<22 | uint64(fd)&(1<<22-1)
	get := func() (vfs.FileDescription, error) {
		ft := p.files()
		if ft == nil {
			return nil, unix.ENOENT
		}
		f, _, err := ft.Get(int32(fd))
		if err != nil {
			return nil, unix.ENOENT
		}
		return f, nil
	}
	if l.info {
		a.Mode = unix.S_IFREG | 0o444
		_ = cloexec
		return &synth.File{Attr: a, Gen: func() ([]byte, error) {
			f, err := get()
			if err != nil {
				return nil, err
			}
			defer f.DecRef()
			_, cloexec, _ := ft.Get(int32(fd))
			return p.fdinfo(f, cloexec), nil
		}}, nil
	}
	a.Mode = unix.S_IFLNK
	switch f.StatusFlags() & unix.O_ACCMODE {
	case unix.O_RDONLY:
		a.Mode |= 0o500
	case unix.O_WRONLY:
		a.Mode |= 0o300
	default:
		a.Mode |= 0o700
	}
	if f.StatusFlags()&unix.O_PATH != 0 {
		a.Mode = unix.S_IFLNK | 0o100
	}
	return &synth.MagicLink{Attr: a,
		Path: func() (string, error) {
			f, err := get()
			if err != nil {
				return "", err
			}
			defer f.DecRef()
			return p.fileName(f), nil
		},
		Dest: func() (vfs.VirtualDentry, error) {
			f, err := get()
			if err != nil {
				return vfs.VirtualDentry{}, err
			}
			defer f.DecRef()
			if l, ok := f.(vfs.Locatable); ok && l.Location().Ok() {
				return l.Location(), nil
			}
			var st unix.Stat_t
			if f.Stat(&st) == nil && st.Mode&unix.S_IFMT == unix.S_IFSOCK {
				return vfs.VirtualDentry{}, unix.ENXIO // as Linux
			}
			// Pipes, anonymous files and the host's stdio files have no
			// place in the tree: the link opens the description itself.
			return reopenDest(f), nil
		}}, nil
}

// root returns the root the directory's paths are shown from.
func (p *proc) root() vfs.VirtualDentry {
	if t := p.live(); t != nil {
		return t.FSContext().Root()
	}
	return p.fs.k.VFS.Root()
}

// fileName is readlink of /proc/[pid]/fd/N: the path of a file in the
// tree, else the file's own name ("pipe:[ino]", "anon_inode:[eventfd]").
func (p *proc) fileName(f vfs.FileDescription) string {
	if l, ok := f.(vfs.Locatable); ok && l.Location().Ok() {
		// Files on a detached, anonymous mount (memfd) have no path: they
		// go by their own name.
		if m := l.Location().Mount; m.Parent() != nil || m.NamespaceRoot() || f.Name() == "" {
			return p.fs.k.VFS.PathOf(l.Location(), p.root())
		}
	}
	if n := f.Name(); n != "" {
		return n
	}
	var st unix.Stat_t
	if f.Stat(&st) == nil {
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFSOCK:
			return fmt.Sprintf("socket:[%d]", st.Ino)
		case unix.S_IFIFO:
			return fmt.Sprintf("pipe:[%d]", st.Ino)
		}
	}
	return "anon_inode:[unknown]"
}

// fdinfo is /proc/[pid]/fdinfo/N.
func (p *proc) fdinfo(f vfs.FileDescription, cloexec bool) []byte {
	pos, err := f.Seek(0, unix.SEEK_CUR)
	if err != nil {
		pos = 0
	}
	flags := f.StatusFlags() | 0x8000 // O_LARGEFILE, as Linux shows
	if cloexec {
		flags |= unix.O_CLOEXEC
	}
	mnt := 0
	var ino uint64
	var st unix.Stat_t
	if f.Stat(&st) == nil {
		ino = st.Ino
	}
	if l, ok := f.(vfs.Locatable); ok && l.Location().Ok() {
		mnt = l.Location().Mount.ID
	}
	return fmt.Appendf(nil, "pos:\t%d\nflags:\t0%o\nmnt_id:\t%d\nino:\t%d\n", pos, flags, mnt, ino)
}

// linkPath and linkDest make the cwd and root links.
func (p *proc) linkPath(get func(*kernel.Task) vfs.VirtualDentry) func() (string, error) {
	return func() (string, error) {
		t := p.live()
		if t == nil {
			return "", unix.ENOENT
		}
		return p.fs.k.VFS.PathOf(get(t), p.root()), nil
	}
}

func (p *proc) linkDest(get func(*kernel.Task) vfs.VirtualDentry) func() (vfs.VirtualDentry, error) {
	return func() (vfs.VirtualDentry, error) {
		t := p.live()
		if t == nil {
			return vfs.VirtualDentry{}, unix.ENOENT
		}
		return get(t), nil
	}
}

// exeFile returns the executable's mapping, if it still has one.
func (p *proc) exeFile() vfs.Locatable {
	m := p.mm()
	if m == nil {
		return nil
	}
	for _, v := range m.VMAs() {
		if v.File {
			if l, ok := v.Mappable.(vfs.Locatable); ok && l.Location().Ok() {
				return l
			}
			return nil
		}
	}
	return nil
}

func (p *proc) exePath() (string, error) {
	if l := p.exeFile(); l != nil {
		return p.fs.k.VFS.PathOf(l.Location(), p.root()), nil
	}
	if m := p.mm(); m != nil && m.Executable != "" {
		return m.Executable, nil
	}
	return "", unix.ENOENT
}

func (p *proc) exeDest() (vfs.VirtualDentry, error) {
	if l := p.exeFile(); l != nil {
		return l.Location(), nil
	}
	return vfs.VirtualDentry{}, unix.ENOENT
}

// auxv is the auxiliary vector, as 64-bit pairs ending with AT_NULL.
func (p *proc) auxv() ([]byte, error) {
	m := p.mm()
	if m == nil {
		return nil, nil
	}
	var out []byte
	for _, v := range m.Auxv {
		out = binary.LittleEndian.AppendUint64(out, v)
	}
	if n := len(m.Auxv); n < 2 || m.Auxv[n-2] != 0 {
		out = append(out, make([]byte, 16)...)
	}
	return out, nil
}

// cmdline is the argument area of the process's memory.
func (p *proc) cmdline() ([]byte, error) {
	m := p.mm()
	if m == nil {
		return nil, nil
	}
	b := m.ReadRange(m.ArgvStart, m.ArgvEnd, 1<<20)
	// A process that overwrote its arguments (setproctitle) shows the
	// string up to the first NUL if the last byte is not NUL.
	if len(b) > 0 && b[len(b)-1] != 0 {
		if i := bytes.IndexByte(b, 0); i >= 0 {
			b = b[:i]
		}
	}
	return b, nil
}

func (p *proc) environ() ([]byte, error) {
	m := p.mm()
	if m == nil {
		return nil, nil
	}
	return m.ReadRange(m.EnvvStart, m.EnvvEnd, 1<<20), nil
}

func (p *proc) comm() ([]byte, error) {
	return []byte(p.named().CommName() + "\n"), nil
}

// setComm writes comm: the thread's name, or the leader's for
// /proc/[pid]/comm, truncated to 15 bytes.
func (p *proc) setComm(b []byte) error {
	t := p.named()
	if s := t.State(); s == kernel.StateDead || s == kernel.StateZombie {
		return unix.ESRCH
	}
	s := string(b)
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSuffix(s, "\n")
	t.SetComm(s)
	return nil
}

func (p *proc) setOOMScoreAdj(b []byte) error {
	s := strings.TrimSpace(string(b))
	v, err := strconv.ParseInt(s, 10, 32)
	if err != nil || v < -1000 || v > 1000 {
		return unix.EINVAL
	}
	p.tg.SetOOMScoreAdj(int32(v))
	return nil
}

func (p *proc) io() ([]byte, error) {
	return []byte("rchar: 0\nwchar: 0\nsyscr: 0\nsyscw: 0\nread_bytes: 0\nwrite_bytes: 0\ncancelled_write_bytes: 0\n"), nil
}

// limitNames are /proc/[pid]/limits' rows, by resource number.
var limitNames = []struct{ name, unit string }{
	{"Max cpu time", "seconds"}, {"Max file size", "bytes"}, {"Max data size", "bytes"},
	{"Max stack size", "bytes"}, {"Max core file size", "bytes"}, {"Max resident set", "bytes"},
	{"Max processes", "processes"}, {"Max open files", "files"}, {"Max locked memory", "bytes"},
	{"Max address space", "bytes"}, {"Max file locks", "locks"}, {"Max pending signals", "signals"},
	{"Max msgqueue size", "bytes"}, {"Max nice priority", ""}, {"Max realtime priority", ""},
	{"Max realtime timeout", "us"},
}

func (p *proc) limits() ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units")
	val := func(v uint64) string {
		if v == ^uint64(0) {
			return "unlimited"
		}
		return strconv.FormatUint(v, 10)
	}
	for i, l := range limitNames {
		r := p.tg.Rlimit(i)
		if l.unit == "" {
			fmt.Fprintf(&b, "%-25s %-20s %-20s\n", l.name, val(r.Cur), val(r.Max))
		} else {
			fmt.Fprintf(&b, "%-25s %-20s %-20s %-10s\n", l.name, val(r.Cur), val(r.Max), l.unit)
		}
	}
	return b.Bytes(), nil
}

// vmaName is the name /proc/[pid]/maps shows for a mapping.
func (p *proc) vmaName(v mm.VMAInfo, root vfs.VirtualDentry) string {
	if v.Mappable != nil {
		if l, ok := v.Mappable.(vfs.Locatable); ok && l.Location().Ok() {
			return p.fs.k.VFS.PathOf(l.Location(), root)
		}
	}
	return v.Name
}

// maps is /proc/[pid]/maps.
func (p *proc) maps() ([]byte, error) {
	m := p.mm()
	if m == nil {
		return nil, nil
	}
	root := p.root()
	var b bytes.Buffer
	line := func(start, end uint64, r, w, x, priv bool, off, dev, ino uint64, name string) {
		perm := []byte("---p")
		if r {
			perm[0] = 'r'
		}
		if w {
			perm[1] = 'w'
		}
		if x {
			perm[2] = 'x'
		}
		if !priv {
			perm[3] = 's'
		}
		n0 := b.Len()
		fmt.Fprintf(&b, "%08x-%08x %s %08x %02x:%02x %d ", start, end, perm, off, unix.Major(dev), unix.Minor(dev), ino)
		if name != "" {
			for b.Len()-n0 < 73 {
				b.WriteByte(' ')
			}
			b.WriteString(name)
		}
		b.WriteByte('\n')
	}
	for _, v := range m.VMAs() {
		line(uint64(v.Start), uint64(v.End), v.Read, v.Write, v.Exec, v.Private, v.Offset, v.Dev, v.Ino, p.vmaName(v, root))
	}
	if start, vdso, end, ok := p.fs.vdso(); ok {
		if start < vdso {
			line(uint64(start), uint64(vdso), true, false, false, true, 0, 0, 0, "[vvar]")
		}
		line(uint64(vdso), uint64(end), true, false, true, true, 0, 0, 0, "[vdso]")
	}
	return b.Bytes(), nil
}

// smapsRollup is /proc/[pid]/smaps_rollup.
func (p *proc) smapsRollup() ([]byte, error) {
	m := p.mm()
	if m == nil {
		return nil, nil
	}
	vmas := m.VMAs()
	var b bytes.Buffer
	if len(vmas) == 0 {
		return nil, nil
	}
	u := m.Usage()
	lo, hi := uint64(vmas[0].Start), uint64(vmas[len(vmas)-1].End)
	fmt.Fprintf(&b, "%08x-%08x ---p 00000000 00:00 0", lo, hi)
	for b.Len() < 73 {
		b.WriteByte(' ')
	}
	b.WriteString("[rollup]\n")
	kb := func(name string, v uint64) { fmt.Fprintf(&b, "%-16s%8d kB\n", name+":", v>>10) }
	kb("Rss", u.RSS)
	kb("Pss", u.RSS)
	kb("Pss_Anon", u.RSSAnon)
	kb("Pss_File", u.RSSFile)
	kb("Pss_Shmem", u.RSSShmem)
	kb("Shared_Clean", 0)
	kb("Shared_Dirty", 0)
	kb("Private_Clean", u.RSSFile)
	kb("Private_Dirty", u.RSSAnon+u.RSSShmem)
	kb("Referenced", u.RSS)
	kb("Anonymous", u.RSSAnon)
	kb("LazyFree", 0)
	kb("AnonHugePages", 0)
	kb("ShmemPmdMapped", 0)
	kb("FilePmdMapped", 0)
	kb("Shared_Hugetlb", 0)
	kb("Private_Hugetlb", 0)
	kb("Swap", 0)
	kb("SwapPss", 0)
	kb("Locked", 0)
	return b.Bytes(), nil
}

// mountFlags renders a mount's flags as /proc/mounts options.
func mountFlags(m *vfs.Mount) string {
	s := "rw"
	if m.ReadOnly() {
		s = "ro"
	}
	if m.Flags&vfs.MountNoSuid != 0 {
		s += ",nosuid"
	}
	if m.Flags&vfs.MountNoDev != 0 {
		s += ",nodev"
	}
	if m.Flags&vfs.MountNoExec != 0 {
		s += ",noexec"
	}
	return s
}

// visibleMounts returns the mounts below root and their mount points.
func (p *proc) visibleMounts() ([]*vfs.Mount, []string) {
	v := p.fs.k.VFS
	root := p.root()
	var ms []*vfs.Mount
	var pts []string
	for _, m := range v.MountsOf(root) {
		pt := v.MountPoint(m, root)
		ms = append(ms, m)
		pts = append(pts, pt)
	}
	return ms, pts
}

func escapeMount(s string) string {
	r := strings.NewReplacer(" ", `\040`, "\t", `\011`, "\n", `\012`, `\`, `\134`)
	return r.Replace(s)
}

func (p *proc) mounts() ([]byte, error) {
	var b bytes.Buffer
	ms, pts := p.visibleMounts()
	for i, m := range ms {
		opts := mountFlags(m)
		if m.Options != "" {
			opts += "," + m.Options
		}
		src := m.Source
		if src == "" {
			src = "none"
		}
		fmt.Fprintf(&b, "%s %s %s %s 0 0\n", escapeMount(src), escapeMount(pts[i]), m.FSType, opts)
	}
	return b.Bytes(), nil
}

func (p *proc) mountinfo() ([]byte, error) {
	var b bytes.Buffer
	ms, pts := p.visibleMounts()
	for i, m := range ms {
		parent := m.ID
		if pm := m.Parent(); pm != nil {
			parent = pm.ID
		}
		var st unix.Stat_t
		m.Root().Inode().Stat(&st)
		src := m.Source
		if src == "" {
			src = "none"
		}
		super := "rw"
		if m.ReadOnly() {
			super = "ro"
		}
		if m.Options != "" {
			super += "," + m.Options
		}
		fmt.Fprintf(&b, "%d %d %d:%d / %s %s - %s %s %s\n", m.ID, parent, unix.Major(st.Dev), unix.Minor(st.Dev),
			escapeMount(pts[i]), mountFlags(m), m.FSType, escapeMount(src), super)
	}
	return b.Bytes(), nil
}

func (p *proc) sched() ([]byte, error) {
	t := p.named()
	var b bytes.Buffer
	title := fmt.Sprintf("%s (%d, #threads: %d)", t.CommName(), t.ID, max(1, len(p.tg.Tasks())))
	fmt.Fprintf(&b, "%s\n%s\n", title, strings.Repeat("-", 59))
	u := t.ThreadUsage()
	row := func(k string, v string) { fmt.Fprintf(&b, "%-45s:%21s\n", k, v) }
	row("se.sum_exec_runtime", fmt.Sprintf("%d.%06d", u.Sched/1e6, u.Sched%1e6))
	row("nr_switches", "0")
	row("nr_voluntary_switches", "0")
	row("nr_involuntary_switches", "0")
	policy, prio := t.SchedPolicy()
	row("policy", strconv.Itoa(int(policy&^kernel.SchedResetOnFork)))
	if policy == kernel.SchedFIFO || policy == kernel.SchedRR {
		row("prio", strconv.Itoa(int(99-prio)))
	} else {
		row("prio", strconv.Itoa(int(120+t.Nice())))
	}
	return b.Bytes(), nil
}

func (p *proc) schedstat() ([]byte, error) {
	var run int64
	if p.thread != nil {
		run = p.thread.ThreadUsage().Sched
	} else {
		run = p.tg.ProcessUsage().Sched
	}
	return fmt.Appendf(nil, "%d 0 0\n", run), nil
}

// memory returns the address space's usage, zero if it is gone.
func (p *proc) memory() (mm.Usage, *mm.MM) {
	m := p.mm()
	if m == nil {
		return mm.Usage{}, nil
	}
	return m.Usage(), m
}

// state is the state letter the directory shows.
func (p *proc) state() kernel.TaskState {
	if p.thread != nil {
		return p.thread.State()
	}
	if p.tg.IsZombie() {
		return kernel.StateZombie
	}
	if t := p.tg.LiveTask(); t != nil {
		return t.State()
	}
	return kernel.StateZombie
}

// stat is /proc/[pid]/stat (fs/proc/array.c's field order).
func (p *proc) stat() ([]byte, error) {
	k := p.fs.k
	t := p.named()
	tg := p.tg
	state := p.state()
	var usage kernel.CPUUsage
	if p.thread != nil {
		usage = p.thread.ThreadUsage()
	} else {
		usage = tg.ProcessUsage()
	}
	cu, _ := tg.ChildrenUsage()
	nthreads := max(1, len(tg.Tasks()))
	nice := t.Nice()
	policy, rtprio := t.SchedPolicy()
	policy &^= kernel.SchedResetOnFork
	prio := int64(20 + nice)
	if policy == kernel.SchedFIFO || policy == kernel.SchedRR {
		prio = int64(-1 - rtprio)
	}
	start := ticks(t.StartTime().Sub(k.BootTime()).Nanoseconds())
	u, m := p.memory()
	var startCode, endCode, startStack, startData, endData, startBrk, argStart, argEnd, envStart, envEnd uint64
	if m != nil {
		vmas := m.VMAs()
		var exeDev, exeIno uint64
		found := false
		for _, v := range vmas {
			if !v.File {
				continue
			}
			if !found {
				exeDev, exeIno, found = v.Dev, v.Ino, true
			}
			if v.Dev != exeDev || v.Ino != exeIno {
				continue
			}
			if v.Exec {
				if startCode == 0 {
					startCode = uint64(v.Start)
				}
				endCode = uint64(v.End)
			} else if v.Write {
				if startData == 0 {
					startData = uint64(v.Start)
				}
				endData = uint64(v.End)
			}
		}
		startStack = uint64(m.StackTop())
		bs, _ := m.BrkRange()
		startBrk = uint64(bs)
		argStart, argEnd, envStart, envEnd = uint64(m.ArgvStart), uint64(m.ArgvEnd), uint64(m.EnvvStart), uint64(m.EnvvEnd)
	}
	ign, catch := tg.SignalDispositions()
	pending := tg.PendingSignals() | t.ThreadPendingSignals()
	exitSignal := tg.ExitSignal()
	if p.thread != nil && p.thread != tg.Leader() {
		exitSignal = -1
	}
	cpu := 0
	if state != kernel.StateZombie && state != kernel.StateDead {
		cpu = t.CurrentCPU()
	}
	rsslim := tg.Rlimit(5).Cur
	exitCode := 0
	fields := []any{
		t.ID, "(" + t.CommName() + ")", string(rune(state)), tg.ParentID(), tg.PGID(), tg.SID(),
		0, -1, uint32(0x400000), // tty_nr, tpgid, flags (PF_RANDOMIZE)
		usage.MinFlt, cu.MinFlt, usage.MajFlt, cu.MajFlt,
		ticks(usage.User), ticks(usage.Sys), ticks(cu.User), ticks(cu.Sys),
		prio, nice, nthreads, 0, start, u.VSize, u.RSS / mm.PageSize, rsslim,
		startCode, endCode, startStack, 0, 0,
		uint64(pending), uint64(t.BlockedSignals()), uint64(ign), uint64(catch),
		0, 0, 0, exitSignal, cpu, rtprio, policy, 0, 0, 0,
		startData, endData, startBrk, argStart, argEnd, envStart, envEnd, exitCode,
	}
	var b bytes.Buffer
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprint(&b, f)
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// statm is /proc/[pid]/statm, in pages.
func (p *proc) statm() ([]byte, error) {
	u, _ := p.memory()
	pg := uint64(mm.PageSize)
	return fmt.Appendf(nil, "%d %d %d %d 0 %d 0\n", u.VSize/pg, u.RSS/pg, (u.RSSFile+u.RSSShmem)/pg,
		u.Exe/pg, (u.Data+u.Stack)/pg), nil
}

// cpuList renders CPU numbers as a list of ranges ("0-3,6").
func cpuList(cpus []int) string {
	var parts []string
	for i := 0; i < len(cpus); {
		j := i
		for j+1 < len(cpus) && cpus[j+1] == cpus[j]+1 {
			j++
		}
		if i == j {
			parts = append(parts, strconv.Itoa(cpus[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", cpus[i], cpus[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// maskHex renders a CPU mask as /proc/[pid]/status's Cpus_allowed:
// 32-bit words, comma separated, highest first.
func maskHex(mask []uint64) string {
	var words []uint32
	for _, m := range mask {
		words = append(words, uint32(m), uint32(m>>32))
	}
	for len(words) > 1 && words[len(words)-1] == 0 {
		words = words[:len(words)-1]
	}
	var parts []string
	for i := len(words) - 1; i >= 0; i-- {
		if i == len(words)-1 {
			parts = append(parts, strconv.FormatUint(uint64(words[i]), 16))
		} else {
			parts = append(parts, fmt.Sprintf("%08x", words[i]))
		}
	}
	return strings.Join(parts, ",")
}

// status is /proc/[pid]/status.
func (p *proc) status() ([]byte, error) {
	t := p.named()
	tg := p.tg
	c := t.Credentials()
	var b bytes.Buffer
	kv := func(k string, format string, args ...any) {
		fmt.Fprintf(&b, "%s:\t"+format+"\n", append([]any{k}, args...)...)
	}
	kv("Name", "%s", t.CommName())
	umask := uint32(0o022)
	if lt := p.live(); lt != nil {
		umask = lt.FSContext().Umask()
	}
	kv("Umask", "%04o", umask)
	kv("State", "%s", p.state())
	kv("Tgid", "%d", tg.ID)
	kv("Ngid", "0")
	kv("Pid", "%d", t.ID)
	kv("PPid", "%d", tg.ParentID())
	kv("TracerPid", "0")
	kv("Uid", "%d\t%d\t%d\t%d", c.RealUID, c.EffectiveUID, c.SavedUID, c.FSUID)
	kv("Gid", "%d\t%d\t%d\t%d", c.RealGID, c.EffectiveGID, c.SavedGID, c.FSGID)
	fdSize := 64
	if ft := p.files(); ft != nil {
		n := 0
		ft.Range(func(fd int32, _ vfs.FileDescription, _ bool) { n = int(fd) + 1 })
		for fdSize < n {
			fdSize *= 2
		}
	}
	kv("FDSize", "%d", fdSize)
	var groups strings.Builder
	for _, g := range c.Groups {
		fmt.Fprintf(&groups, "%d ", g)
	}
	kv("Groups", "%s", groups.String())
	kv("NStgid", "%d", tg.ID)
	kv("NSpid", "%d", t.ID)
	kv("NSpgid", "%d", tg.PGID())
	kv("NSsid", "%d", tg.SID())
	if u, m := p.memory(); m != nil {
		kb := func(k string, v uint64) { fmt.Fprintf(&b, "%s:\t%8d kB\n", k, v>>10) }
		kb("VmPeak", u.VSize)
		kb("VmSize", u.VSize)
		kb("VmLck", 0)
		kb("VmPin", 0)
		kb("VmHWM", u.RSS)
		kb("VmRSS", u.RSS)
		kb("RssAnon", u.RSSAnon)
		kb("RssFile", u.RSSFile)
		kb("RssShmem", u.RSSShmem)
		kb("VmData", u.Data)
		kb("VmStk", u.Stack)
		kb("VmExe", u.Exe)
		kb("VmLib", u.Lib)
		kb("VmPTE", (u.VSize>>21)*8)
		kb("VmSwap", 0)
		kb("HugetlbPages", 0)
		kv("CoreDumping", "0")
		thp := 1
		if t.THPDisabled() {
			thp = 0
		}
		kv("THP_enabled", "%d", thp)
	}
	kv("Threads", "%d", max(1, len(tg.Tasks())))
	kv("SigQ", "0/%d", tg.Rlimit(11).Cur)
	ign, catch := tg.SignalDispositions()
	kv("SigPnd", "%016x", uint64(t.ThreadPendingSignals()))
	kv("ShdPnd", "%016x", uint64(tg.PendingSignals()))
	kv("SigBlk", "%016x", uint64(t.BlockedSignals()))
	kv("SigIgn", "%016x", uint64(ign))
	kv("SigCgt", "%016x", uint64(catch))
	kv("CapInh", "%016x", uint64(c.Inheritable))
	kv("CapPrm", "%016x", uint64(c.Permitted))
	kv("CapEff", "%016x", uint64(c.Effective))
	kv("CapBnd", "%016x", uint64(c.Bounding))
	kv("CapAmb", "%016x", uint64(c.Ambient))
	nnp := 0
	if t.NoNewPrivs() {
		nnp = 1
	}
	kv("NoNewPrivs", "%d", nnp)
	kv("Seccomp", "0")
	kv("Seccomp_filters", "0")
	kv("Speculation_Store_Bypass", "thread vulnerable")
	kv("SpeculationIndirectBranch", "conditional enabled")
	aff := t.Affinity()
	var cpus []int
	for i := 0; i < len(aff)*64; i++ {
		if aff[i/64]&(1<<(i%64)) != 0 {
			cpus = append(cpus, i)
		}
	}
	kv("Cpus_allowed", "%s", maskHex(aff))
	kv("Cpus_allowed_list", "%s", cpuList(cpus))
	kv("Mems_allowed", "00000000,00000001")
	kv("Mems_allowed_list", "0")
	kv("voluntary_ctxt_switches", "0")
	kv("nonvoluntary_ctxt_switches", "0")
	return b.Bytes(), nil
}

// buildNet fills /proc/[pid]/net: the sandbox has loopback only.
func (p *proc) buildNet(d *synth.Dir, b *builder) {
	add := func(name, contents string) {
		d.Add(name, &synth.File{Attr: b.attr(unix.S_IFREG | 0o444), Gen: synth.Bytes(contents)})
	}
	add("dev", "Inter-|   Receive                                                |  Transmit\n"+
		" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"+
		"    lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0\n")
	add("tcp", "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n")
	add("tcp6", "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n")
	add("udp", "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n")
	add("udp6", "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n")
	add("unix", "Num       RefCount Protocol Flags    Type St Inode Path\n")
	add("route", "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT                                                       \n")
	add("if_inet6", "00000000000000000000000000000001 01 80 10 80       lo\n")
}
