package cmd

import (
	"fmt"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/proc"
	"stockade.dev/fs/sys"
	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/kernel"
)

// mountKernelFS mounts the filesystems that show the sandbox's kernel
// rather than files: procfs at /proc, sysfs at /sys and the cgroup2 view
// at /sys/fs/cgroup. They need the kernel, so they are mounted once it
// exists, before the first process starts.
func mountKernelFS(v *vfs.VFS, k *kernel.Kernel) error {
	ctx := &vfs.Context{Creds: vfs.RootCreds(), Root: v.Root(), Cwd: v.Root()}
	const common = vfs.MountNoSuid | vfs.MountNoDev | vfs.MountNoExec
	// Making /proc and /sys in the root's memory layer must not show as a
	// change of / (its times are the host's, as if they had been there).
	var rootSt unix.Stat_t
	rootStatted := v.StatAt(ctx, vfs.VirtualDentry{}, "/", true, false, &rootSt) == nil
	defer func() {
		if rootStatted {
			v.SetStatAt(ctx, vfs.VirtualDentry{}, "/", true, false, &vfs.SetStatOptions{Atime: &rootSt.Atim, Mtime: &rootSt.Mtim})
		}
	}()
	for _, m := range []struct {
		path, fsType string
		root         vfs.Inode
		flags        uint64
		options      string
	}{
		{"/proc", "proc", proc.New(k), common, ""},
		{"/sys", "sysfs", sys.New(k), common | vfs.MountReadOnly, ""},
		{"/sys/fs/cgroup", "cgroup2", sys.NewCgroup(k), common | vfs.MountReadOnly, "nsdelegate"},
	} {
		// The mount point is made in the root's memory layer if the host
		// has none (it never shows its own /proc and /sys); on a read-only
		// root, vfs.MountAt puts a stand-in directory there instead.
		if err := mountAt(v, ctx, m.path, m.root, m.fsType, m.fsType, m.flags, m.options); err != nil {
			if _, err := v.MountAt(ctx, m.path, m.root, m.fsType, m.fsType, m.flags, m.options); err != nil {
				return fmt.Errorf("mounting %s on %s: %v", m.fsType, m.path, err)
			}
		}
	}
	return nil
}
