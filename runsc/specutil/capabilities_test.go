package specutil

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func TestCapabilityNames(t *testing.T) {
	if len(capabilityNumbers) != unix.CAP_LAST_CAP+1 {
		t.Errorf("%d capability names, want %d", len(capabilityNumbers), unix.CAP_LAST_CAP+1)
	}
	for _, name := range []string{"CAP_SYS_ADMIN", "cap_sys_admin", "SYS_ADMIN"} {
		if c, ok := Capability(name); !ok || c != unix.CAP_SYS_ADMIN {
			t.Errorf("Capability(%q) = %d, %v", name, c, ok)
		}
	}
	sets, unknown := CapabilitySets(&specs.LinuxCapabilities{
		Effective: []string{"CAP_KILL"}, Bounding: []string{"CAP_KILL", "CAP_CHOWN", "CAP_NOT_YET"},
	})
	if sets[0] != 1<<unix.CAP_KILL || sets[3] != 1<<unix.CAP_KILL|1<<unix.CAP_CHOWN || sets[1] != 0 {
		t.Errorf("sets %x", sets)
	}
	if len(unknown) != 1 || unknown[0] != "CAP_NOT_YET" {
		t.Errorf("unknown %v", unknown)
	}
}
