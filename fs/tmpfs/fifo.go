package tmpfs

import (
	"sync"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/pipe"
	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/waiter"
)

// FIFO is a named pipe. Opening it joins its pipe (a fresh one once every
// end has closed, so leftover data do not survive). Without O_NONBLOCK a
// reader waits for a writer and a writer for a reader: the description
// implements vfs.BlockingOpen and the open system call waits on it.
type FIFO struct {
	inode

	fmu sync.Mutex
	p   *pipe.Pipe
	// rgen and wgen count the opens for reading and writing; changed is
	// closed (and replaced) at every open.
	rgen, wgen uint64
	changed    chan struct{}
}

var _ vfs.FIFOInode = (*FIFO)(nil)

func (fs *FS) newFIFO(mode, uid, gid uint32) *FIFO {
	f := &FIFO{changed: make(chan struct{})}
	fs.initInode(&f.inode, mode, uid, gid)
	return f
}

// Open implements vfs.Inode (the VFS calls OpenFIFO instead).
func (f *FIFO) Open(vd vfs.VirtualDentry, flags int) (vfs.FileDescription, error) {
	return f.OpenFIFO(vd, flags)
}

// OpenFIFO implements vfs.FIFOInode.
func (f *FIFO) OpenFIFO(vd vfs.VirtualDentry, flags int) (vfs.FileDescription, error) {
	acc := flags & unix.O_ACCMODE
	nonblock := flags&unix.O_NONBLOCK != 0
	status := uint32(flags) & (unix.O_NONBLOCK | unix.O_APPEND | unix.O_DIRECT | unix.O_NOATIME)
	f.fmu.Lock()
	defer f.fmu.Unlock()
	if f.p == nil {
		f.p = pipe.NewFIFO(f.uid, f.gid)
	} else if r, w := f.p.Counts(); r == 0 && w == 0 {
		f.p = pipe.NewFIFO(f.uid, f.gid)
	}
	readers, _ := f.p.Counts()
	switch acc {
	case unix.O_RDONLY:
		e := f.p.OpenEnd(true, status)
		f.rgen++
		f.wake()
		fd := &fifoFD{End: e, FileLocation: vfs.FileLocation{VD: vd}, fifo: f, read: true, gen: f.wgen, block: !nonblock}
		return fd, nil
	case unix.O_WRONLY:
		if nonblock && readers == 0 {
			return nil, unix.ENXIO
		}
		e := f.p.OpenEnd(false, status)
		f.wgen++
		f.wake()
		fd := &fifoFD{End: e, FileLocation: vfs.FileLocation{VD: vd}, fifo: f, gen: f.rgen, block: !nonblock}
		return fd, nil
	case unix.O_RDWR:
		r := f.p.OpenEnd(true, status)
		w := f.p.OpenEnd(false, status)
		f.rgen++
		f.wgen++
		f.wake()
		fd := &fifoRDWR{r: r, w: w, FileLocation: vfs.FileLocation{VD: vd}, fifo: f}
		fd.InitRefs()
		fd.Release = func() { r.DecRef(); w.DecRef() }
		return fd, nil
	}
	return nil, unix.EINVAL
}

// wake tells waiting openers that something opened. f.fmu must be held.
func (f *FIFO) wake() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// fifoFD is one end of a FIFO.
type fifoFD struct {
	*pipe.End
	vfs.FileLocation
	fifo  *FIFO
	read  bool
	gen   uint64
	block bool
}

var _ vfs.BlockingOpen = (*fifoFD)(nil)

// OpenWait implements vfs.BlockingOpen: a reader waits until a writer has
// opened since it did (or one is open), and a writer for a reader.
func (fd *fifoFD) OpenWait() <-chan struct{} {
	if !fd.block {
		return nil
	}
	f := fd.fifo
	f.fmu.Lock()
	defer f.fmu.Unlock()
	r, w := fd.End.Pipe().Counts()
	if fd.read && (w > 0 || f.wgen != fd.gen) || !fd.read && (r > 0 || f.rgen != fd.gen) {
		fd.block = false
		return nil
	}
	return f.changed
}

// Stat implements vfs.FileDescription: the FIFO's inode.
func (fd *fifoFD) Stat(st *unix.Stat_t) error { return fd.fifo.Stat(st) }

// Name implements vfs.FileDescription.
func (fd *fifoFD) Name() string { return "" }

// fifoRDWR is a FIFO opened for reading and writing.
type fifoRDWR struct {
	vfs.RefCount
	vfs.NoIO
	vfs.FileLocation
	fifo *FIFO
	r, w *pipe.End
}

func (fd *fifoRDWR) Read(dst [][]byte, off int64) (int, error)  { return fd.r.Read(dst, off) }
func (fd *fifoRDWR) Write(src [][]byte, off int64) (int, error) { return fd.w.Write(src, off) }
func (fd *fifoRDWR) Stat(st *unix.Stat_t) error                 { return fd.fifo.Stat(st) }
func (fd *fifoRDWR) StatusFlags() uint32 {
	return fd.r.StatusFlags()&^unix.O_ACCMODE | unix.O_RDWR
}
func (fd *fifoRDWR) SetStatusFlags(fl uint32) error {
	fd.r.SetStatusFlags(fl)
	return fd.w.SetStatusFlags(fl)
}
func (fd *fifoRDWR) Name() string { return "" }
func (fd *fifoRDWR) Ioctl(m vfs.Memory, req, arg uintptr) (uintptr, error) {
	return fd.r.Ioctl(m, req, arg)
}

// Readiness implements waiter.Waitable.
func (fd *fifoRDWR) Readiness(mask waiter.EventMask) waiter.EventMask {
	return fd.r.Readiness(mask) | fd.w.Readiness(mask)
}

// EventRegister implements waiter.Waitable.
func (fd *fifoRDWR) EventRegister(e *waiter.Entry) { fd.r.EventRegister(e); fd.w.EventRegister(e) }

// EventUnregister implements waiter.Waitable.
func (fd *fifoRDWR) EventUnregister(e *waiter.Entry) {
	fd.r.EventUnregister(e)
	fd.w.EventUnregister(e)
}
