package cmd

import (
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/proc"
	"stockade.dev/fs/sys"
	"stockade.dev/fs/tmpfs"
	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/kernel"
	"stockade.dev/sentry/memfile"
)

// registerFilesystems makes the filesystems the sandbox can mount(2)
// known to the kernel: tmpfs, proc and sysfs.
func registerFilesystems(k *kernel.Kernel, mf *memfile.File) {
	k.RegisterFilesystem("tmpfs", func(k *kernel.Kernel, source, data string) (vfs.Inode, string, error) {
		o := tmpfs.Options{Mode: 0o1777}
		shown := []string{"rw"}
		for _, opt := range strings.Split(data, ",") {
			key, val, _ := strings.Cut(opt, "=")
			switch key {
			case "":
			case "mode":
				m, err := strconv.ParseUint(val, 8, 32)
				if err != nil {
					return nil, "", unix.EINVAL
				}
				o.Mode = uint32(m) & 0o7777
				shown = append(shown, "mode="+strconv.FormatUint(uint64(o.Mode), 8))
			case "size":
				n, err := parseSize(val)
				if err != nil {
					return nil, "", unix.EINVAL
				}
				o.SizeLimit = n
				shown = append(shown, "size="+val)
			case "uid", "gid":
				id, err := strconv.ParseUint(val, 10, 32)
				if err != nil {
					return nil, "", unix.EINVAL
				}
				if key == "uid" {
					o.UID = uint32(id)
				} else {
					o.GID = uint32(id)
				}
				shown = append(shown, opt)
			case "nr_inodes", "nr_blocks", "huge", "inode64", "noswap":
				// Accepted: no effect in the sandbox.
			default:
				return nil, "", unix.EINVAL
			}
		}
		return tmpfs.New(mf, o).Root(), strings.Join(shown, ","), nil
	})
	k.RegisterFilesystem("proc", func(k *kernel.Kernel, source, data string) (vfs.Inode, string, error) {
		return proc.New(k), "rw,nosuid,nodev,noexec,relatime", nil
	})
	k.RegisterFilesystem("sysfs", func(k *kernel.Kernel, source, data string) (vfs.Inode, string, error) {
		return sys.New(k), "ro,nosuid,nodev,noexec,relatime", nil
	})
}

// parseSize parses a tmpfs size: bytes with an optional k, m or g suffix.
func parseSize(s string) (int64, error) {
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "k"), strings.HasSuffix(s, "K"):
		mult, s = 1<<10, s[:len(s)-1]
	case strings.HasSuffix(s, "m"), strings.HasSuffix(s, "M"):
		mult, s = 1<<20, s[:len(s)-1]
	case strings.HasSuffix(s, "g"), strings.HasSuffix(s, "G"):
		mult, s = 1<<30, s[:len(s)-1]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, unix.EINVAL
	}
	return n * mult, nil
}
