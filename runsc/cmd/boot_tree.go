package cmd

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"stockade.dev/fs/dev"
	"stockade.dev/fs/devpts"
	"stockade.dev/fs/overlay"
	"stockade.dev/fs/proc"
	"stockade.dev/fs/sys"
	"stockade.dev/fs/tmpfs"
	"stockade.dev/fs/vfs"
	"stockade.dev/runsc/specutil"
	"stockade.dev/sentry/kernel"
	"stockade.dev/sentry/memfile"
)

// The file tree of a container (`runsc boot`):
//
//	/      the bundle's rootfs served by a `runsc gofer` process (gofer.go,
//	       started by boot, pivoted into the rootfs when runsc is root):
//	       --overlay=memory (default): an overlay of an in-memory tmpfs
//	       over the gofer's tree (read-only lower), so nothing the
//	       container writes reaches the host; --overlay=none: the gofer's
//	       tree itself, writable, so writes reach the host rootfs (as with
//	       runc). Read-only if root.readonly.
//	spec mounts, in order: proc, sysfs, cgroup (the sentry's views), tmpfs
//	       (in memory), devpts, mqueue (a tmpfs stand-in), /dev (the
//	       sentry's device tree whatever the spec's type), bind mounts of
//	       host directories and files, each served by the same gofer on its
//	       own socket, writable unless the spec says "ro" (writes reach
//	       the host, as with runc, whatever --overlay is).
//	/dev   the sentry's device tree even if the spec has no /dev mount.

// containerRoot is the container's file tree and the gofer serving it.
type containerRoot struct {
	VFS   *vfs.VFS
	Gofer *goferProcess
	// Binds are the gofer's roots of the spec's bind mounts, by index in
	// spec.Mounts.
	Binds map[int]vfs.Inode
}

// isBind reports whether m is a bind mount (type "bind", or a "bind" or
// "rbind" option).
func isBind(m specs.Mount) bool {
	_, _, _, _, bind, _ := specutil.MountFlags(m.Options)
	return bind || m.Type == "bind"
}

// buildContainerRoot starts the gofer for the rootfs and the spec's bind
// mounts and makes the VFS whose root is the container's root.
func buildContainerRoot(mf *memfile.File, rootfs string, s *specs.Spec) (*containerRoot, error) {
	if overlayFl != "memory" && overlayFl != "none" {
		return nil, fmt.Errorf("--overlay=%s is not supported: use --overlay=memory or --overlay=none", overlayFl)
	}
	if st, err := os.Stat(rootfs); err != nil {
		return nil, fmt.Errorf("opening the rootfs %s: %v", rootfs, err)
	} else if !st.IsDir() {
		return nil, fmt.Errorf("opening the rootfs %s: not a directory", rootfs)
	}
	mounts, idx := specBindMounts(s)
	if err := checkBindSources(mounts); err != nil {
		return nil, err
	}
	// Pivoting needs CAP_SYS_ADMIN (a new mount namespace).
	pivot := os.Geteuid() == 0
	gp, err := startGoferArgs([]string{"--root=" + rootDir, "--confine=" + strconv.FormatBool(confineFl)}, rootfs, goferReadOnly(s), false, pivot, mounts)
	if err != nil {
		return nil, fmt.Errorf("serving the rootfs %s: %v", rootfs, err)
	}
	cr := &containerRoot{Gofer: gp, Binds: map[int]vfs.Inode{}}
	for j, i := range idx {
		cr.Binds[i] = gp.Mounts[j]
	}
	root, err := rootLayers(mf, gp.Root, rootfs)
	if err != nil {
		gp.Kill()
		return nil, err
	}
	cr.VFS = vfs.New(root.Inode, root.FSType, root.Source, 0)
	cr.VFS.Root().Mount.Options = root.Options
	return cr, nil
}

// specBindMounts returns the bind mounts of s a gofer serves (all but
// /dev's) and their indexes in s.Mounts.
func specBindMounts(s *specs.Spec) ([]goferMount, []int) {
	var mounts []goferMount
	var idx []int
	for i, m := range s.Mounts {
		if !isBind(m) || filepath.Clean(m.Destination) == "/dev" {
			continue
		}
		ro, _, _, _, _, _ := specutil.MountFlags(m.Options)
		mounts = append(mounts, goferMount{Source: m.Source, ReadOnly: ro})
		idx = append(idx, i)
	}
	return mounts, idx
}

// checkBindSources checks that the bind mounts' sources exist.
func checkBindSources(mounts []goferMount) error {
	for _, m := range mounts {
		if _, err := os.Stat(m.Source); err != nil {
			return fmt.Errorf("bind mount source %s: %v", m.Source, err)
		}
	}
	return nil
}

// goferReadOnly reports whether the gofer serves the rootfs read-only:
// always under the memory overlay, else if root.readonly.
func goferReadOnly(s *specs.Spec) bool {
	return overlayFl != "none" || s.Root.Readonly
}

// rootLayer is a container root's filesystem and how /proc/mounts shows it.
type rootLayer struct {
	Inode                   vfs.Inode
	FSType, Source, Options string
}

// rootLayers stacks the writable layer --overlay asks for on the gofer's
// tree of rootfs (lower).
func rootLayers(mf *memfile.File, lower vfs.Inode, rootfs string) (rootLayer, error) {
	if overlayFl == "none" {
		return rootLayer{Inode: lower, FSType: "9p", Source: rootfs}, nil
	}
	upper := tmpfs.New(mf, tmpfs.Options{})
	ofs, err := overlay.New(upper.Root(), lower)
	if err != nil {
		return rootLayer{}, fmt.Errorf("building the root overlay: %v", err)
	}
	return rootLayer{Inode: ofs.Root(), FSType: "overlay", Source: "overlay", Options: "lowerdir=" + rootfs + ",upperdir=(memory)"}, nil
}

// mountSpec mounts the spec's mounts (and /dev if the spec has none) once
// the kernel exists. A read-only root is made read-only last.
func mountSpec(v *vfs.VFS, k *kernel.Kernel, mf *memfile.File, s *specs.Spec, binds map[int]vfs.Inode) error {
	return mountSpecAt(v, v.Root(), "", k, mf, s, binds)
}

// mountSpecAt is mountSpec in the mount namespace whose root is root, for
// a pod container in pid namespace pidns (its proc shows that namespace's
// processes: sentry/kernel/container.go).
func mountSpecAt(v *vfs.VFS, root vfs.VirtualDentry, pidns string, k *kernel.Kernel, mf *memfile.File, s *specs.Spec, binds map[int]vfs.Inode) error {
	ctx := &vfs.Context{Creds: vfs.RootCreds(), Root: root, Cwd: root}
	mount := func(dst string, root vfs.Inode, fsType, source string, flags uint64, data string) error {
		if err := mountAt(v, ctx, dst, root, fsType, source, flags, data); err != nil {
			if _, err2 := v.MountAt(ctx, dst, root, fsType, source, flags, data); err2 != nil {
				return fmt.Errorf("mounting %s on %s: %v", fsType, dst, err)
			}
		}
		return nil
	}
	hasDev := false
	for _, m := range s.Mounts {
		if filepath.Clean(m.Destination) == "/dev" {
			hasDev = true
		}
	}
	if !hasDev {
		if err := mount("/dev", dev.NewTree(), "devtmpfs", "devtmpfs", vfs.MountNoSuid|vfs.MountNoExec, "mode=755"); err != nil {
			return err
		}
	}
	for i, m := range s.Mounts {
		dst := filepath.Clean(m.Destination)
		ro, nosuid, nodev, noexec, bind, data := specutil.MountFlags(m.Options)
		var flags uint64
		if ro {
			flags |= vfs.MountReadOnly
		}
		if nosuid {
			flags |= vfs.MountNoSuid
		}
		if nodev {
			flags |= vfs.MountNoDev
		}
		if noexec {
			flags |= vfs.MountNoExec
		}
		typ := m.Type
		if bind || typ == "bind" {
			typ = "bind"
		}
		var err error
		switch {
		case dst == "/dev":
			err = mount(dst, dev.NewTree(), "devtmpfs", "devtmpfs", flags|vfs.MountNoExec, "mode=755")
		case typ == "proc":
			err = mount(dst, proc.NewForPIDNamespace(k, pidns), "proc", "proc", flags|vfs.MountNoSuid|vfs.MountNoDev|vfs.MountNoExec, "")
		case typ == "sysfs":
			err = mount(dst, sys.New(k), "sysfs", "sysfs", flags|vfs.MountReadOnly, "")
		case typ == "cgroup" || typ == "cgroup2":
			err = mount(dst, sys.NewCgroup(k), "cgroup2", "cgroup", flags|vfs.MountReadOnly, "nsdelegate")
		case typ == "devpts":
			err = mount(dst, devpts.New(v).Root(), "devpts", "devpts", flags, "gid=5,mode=620,ptmxmode=666")
		case typ == "tmpfs" || typ == "mqueue":
			mode := specutil.TmpfsMode(data, 0o1777)
			if typ == "mqueue" {
				mode = 0o1777
			}
			fs := tmpfs.New(mf, tmpfs.Options{Mode: mode, SizeLimit: specutil.TmpfsSize(data)})
			err = mount(dst, fs.Root(), typ, m.Source, flags, data)
		case typ == "bind":
			err = bindMount(v, ctx, binds[i], m.Source, dst, flags)
		default:
			slog.Warn("skipping a mount of an unsupported type", "type", m.Type, "destination", dst)
		}
		if err != nil {
			return err
		}
	}
	if s.Root.Readonly {
		root.Mount.Flags |= vfs.MountReadOnly
	}
	return nil
}

// bindMount mounts root, the gofer's view of the host file or directory
// src, on dst, making dst (a directory, or an empty file for a file) first
// if it is missing, as runc does.
func bindMount(v *vfs.VFS, ctx *vfs.Context, root vfs.Inode, src, dst string, flags uint64) error {
	if root == nil {
		return fmt.Errorf("bind mount source %s: not served", src)
	}
	if _, ok := root.(vfs.DirInode); ok {
		if err := mountAt(v, ctx, dst, root, "bind", src, flags, ""); err != nil {
			return fmt.Errorf("bind mount of %s on %s: %v", src, dst, err)
		}
		return nil
	}
	if dir := filepath.Dir(dst); dir != "/" {
		if err := mkdirAll(v, ctx, dir); err != nil {
			return fmt.Errorf("making mount point %s: %v", dir, err)
		}
	}
	if fd, err := v.OpenAt(ctx, vfs.VirtualDentry{}, dst, unix.O_CREAT|unix.O_WRONLY|unix.O_NOFOLLOW, 0o644); err == nil {
		fd.DecRef()
	} else if err != unix.EEXIST && err != unix.EISDIR {
		return fmt.Errorf("making mount point %s: %v", dst, err)
	}
	at, err := v.Resolve(ctx, vfs.VirtualDentry{}, dst, vfs.ResolveOptions{Follow: true})
	if err != nil {
		return fmt.Errorf("resolving mount point %s: %v", dst, err)
	}
	if _, err := v.Mount(at, root, "bind", src, flags, ""); err != nil {
		return fmt.Errorf("bind mount of %s on %s: %v", src, dst, err)
	}
	return nil
}

// resolveProgram finds the program a process runs as runc reports it:
// `exec: "NAME": executable file not found in $PATH`.
func resolveProgram(v *vfs.VFS, ctx *vfs.Context, name string, env []string) (string, error) {
	p, err := lookPath(v, ctx, name, specutil.EnvValue(env, "PATH"))
	if err != nil {
		return "", fmt.Errorf("exec: %q: executable file not found in $PATH", name)
	}
	if strings.Contains(name, "/") {
		var st unix.Stat_t
		if err := v.StatAt(ctx, vfs.VirtualDentry{}, p, true, false, &st); err != nil {
			var e unix.Errno
			if errors.As(err, &e) {
				return "", fmt.Errorf("exec: %q: %s", name, errnoText(e))
			}
			return "", fmt.Errorf("exec: %q: %v", name, err)
		}
	}
	return p, nil
}
