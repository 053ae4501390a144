package cmd

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"stockade.dev/fs/dev"
	"stockade.dev/fs/devpts"
	"stockade.dev/fs/host"
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
//	/      overlay: an in-memory tmpfs over the bundle's rootfs (a host
//	       TreeFS, read-only), so nothing the container writes reaches the
//	       host (--overlay=memory); read-only if root.readonly.
//	spec mounts, in order: proc, sysfs, cgroup (the sentry's views), tmpfs
//	       (in memory), devpts, mqueue (a tmpfs stand-in), /dev (the
//	       sentry's device tree whatever the spec's type), bind mounts of
//	       host directories (host TreeFS, read-only until the gofer lands).
//	/dev   the sentry's device tree even if the spec has no /dev mount.

// buildContainerRoot makes the VFS whose root is the container's root
// overlay.
func buildContainerRoot(mf *memfile.File, rootfs string) (*vfs.VFS, error) {
	if overlayFl != "memory" {
		return nil, fmt.Errorf("--overlay=%s is not supported yet: the rootfs is served read-only until the gofer exists; use --overlay=memory", overlayFl)
	}
	_, lower, err := host.NewTreeFS(rootfs)
	if err != nil {
		return nil, fmt.Errorf("opening the rootfs %s: %v", rootfs, err)
	}
	upper := tmpfs.New(mf, tmpfs.Options{})
	ofs, err := overlay.New(upper.Root(), lower)
	if err != nil {
		return nil, fmt.Errorf("building the root overlay: %v", err)
	}
	v := vfs.New(ofs.Root(), "overlay", "overlay", 0)
	v.Root().Mount.Options = "lowerdir=" + rootfs + ",upperdir=(memory)"
	return v, nil
}

// mountSpec mounts the spec's mounts (and /dev if the spec has none) once
// the kernel exists. A read-only root is made read-only last.
func mountSpec(v *vfs.VFS, k *kernel.Kernel, mf *memfile.File, s *specs.Spec) error {
	ctx := &vfs.Context{Creds: &vfs.Creds{Privileged: true}, Root: v.Root(), Cwd: v.Root()}
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
	for _, m := range s.Mounts {
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
			err = mount(dst, proc.New(k), "proc", "proc", flags|vfs.MountNoSuid|vfs.MountNoDev|vfs.MountNoExec, "")
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
			err = bindMount(mount, m.Source, dst, flags)
		default:
			slog.Warn("skipping a mount of an unsupported type", "type", m.Type, "destination", dst)
		}
		if err != nil {
			return err
		}
	}
	if s.Root.Readonly {
		v.Root().Mount.Flags |= vfs.MountReadOnly
	}
	return nil
}

// bindMount mounts the host directory src on dst, read-only (host TreeFS).
// Bind mounts of single files wait for the gofer and are skipped.
func bindMount(mount func(string, vfs.Inode, string, string, uint64, string) error, src, dst string, flags uint64) error {
	st, err := os.Stat(src)
	if err != nil {
		return fmt.Errorf("bind mount source %s: %v", src, err)
	}
	if !st.IsDir() {
		slog.Warn("skipping a bind mount of a file (needs the gofer)", "source", src, "destination", dst)
		return nil
	}
	_, root, err := host.NewTreeFS(src)
	if err != nil {
		return fmt.Errorf("bind mount source %s: %v", src, err)
	}
	return mount(dst, root, "bind", src, flags|vfs.MountReadOnly, "")
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
