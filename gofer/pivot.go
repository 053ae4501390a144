package gofer

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// PivotInto makes root the root of the calling process's mount namespace
// and detaches everything else, so that the gofer can name no host file
// outside root (fds it opened before stay usable). The process must
// already be alone in a new mount namespace (started with CLONE_NEWNS:
// unshare(2) of a mount namespace only moves the calling thread, not a
// whole Go process) and have CAP_SYS_ADMIN in it.
//
// Mounts below root stay (the bind of root is recursive); bind mount
// sources outside root must be opened before (NewServer) and are then
// served through their fds, without their own submounts.
func PivotInto(root string) error {
	// Nothing done here may propagate to the host's namespace.
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("making mounts private: %w", err)
	}
	if err := unix.Mount(root, root, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("binding %s: %w", root, err)
	}
	if err := unix.Chdir(root); err != nil {
		return err
	}
	// pivot_root(".", "."): the old root ends up stacked on the new one,
	// and is detached next.
	if err := unix.PivotRoot(".", "."); err != nil {
		return fmt.Errorf("pivot_root: %w", err)
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return fmt.Errorf("detaching the old root: %w", err)
	}
	return unix.Chdir("/")
}
