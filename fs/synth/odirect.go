package synth

// NoDirectIO implements vfs.NoDirectIOInode: generated files have no
// direct I/O (open with O_DIRECT is EINVAL, as on Linux's procfs).
func (a *Attr) NoDirectIO() {}
