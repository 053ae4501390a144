package cmd

import (
	"log/slog"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"stockade.dev/runsc/specutil"
	"stockade.dev/sentry/control"
	"stockade.dev/sentry/kernel"
)

// capsFromSpec turns the spec's process.capabilities into the control
// API's sets; nil (no capabilities in the spec) stays nil: the process
// keeps the defaults of its uid, as runc leaves the capabilities alone
// then. Unknown names are ignored with a warning, as runc does.
func capsFromSpec(c *specs.LinuxCapabilities) *control.Capabilities {
	if c == nil {
		return nil
	}
	sets, unknown := specutil.CapabilitySets(c)
	if len(unknown) > 0 {
		slog.Warn("ignoring unknown capabilities", "caps", unknown)
	}
	return &control.Capabilities{Effective: sets[0], Permitted: sets[1], Inheritable: sets[2], Bounding: sets[3], Ambient: sets[4]}
}

// processCreds are the credentials a started process (the container's
// init or an exec'd process) has before its program is executed: its ids,
// and its capability sets as runc leaves them (execve then transforms
// them: kernel/credentials_exec.go).
func processCreds(cp *control.Process) *kernel.Credentials {
	c := kernel.NewCredentials(cp.UID, cp.GID, cp.Groups)
	if cp.Caps != nil {
		c.SetCaps(kernel.CapSets{
			Effective: kernel.CapSet(cp.Caps.Effective), Permitted: kernel.CapSet(cp.Caps.Permitted),
			Inheritable: kernel.CapSet(cp.Caps.Inheritable), Bounding: kernel.CapSet(cp.Caps.Bounding),
			Ambient: kernel.CapSet(cp.Caps.Ambient),
		})
	}
	return c
}
