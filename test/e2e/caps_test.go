package e2e

// Capabilities from the OCI spec (process.capabilities, noNewPrivileges,
// `exec --cap`): runc is the oracle. The container prints its Cap* lines
// of /proc/self/status and tries a privileged operation; runsc must print
// the same.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// dockerDefaultCaps is the capability set docker gives a container.
var dockerDefaultCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
	"CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
	"CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

// capsScript prints the capability lines and whether mounting a tmpfs
// (CAP_SYS_ADMIN) and chown to another user (CAP_CHOWN) work.
const capsScript = `grep -E '^(Cap|NoNewPrivs)' /proc/self/status
mount -t tmpfs none /tmp 2>/dev/null; echo mount=$?
touch /tmp/f && chown 1234 /tmp/f 2>/dev/null; echo chown=$?`

// setCaps sets the bundle's process user and capability sets (nil: no
// capabilities field at all).
func setCaps(t *testing.T, bundle string, uid int, nnp bool, caps map[string][]string) {
	t.Helper()
	setConfig(t, bundle, func(c map[string]any) {
		p := c["process"].(map[string]any)
		p["user"] = map[string]any{"uid": uid, "gid": uid}
		p["noNewPrivileges"] = nnp
		if caps == nil {
			delete(p, "capabilities")
			return
		}
		m := map[string]any{}
		for k, v := range caps {
			m[k] = v
		}
		p["capabilities"] = m
		// /tmp writable by every uid.
		c["mounts"] = append(c["mounts"].([]any), map[string]any{
			"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": []string{"mode=1777"}})
	})
}

func TestOCICapabilities(t *testing.T) {
	rts := ociRuntimes(t)
	plus := func(extra ...string) []string { return append(append([]string{}, dockerDefaultCaps...), extra...) }
	all := map[string][]string{"bounding": dockerDefaultCaps, "effective": dockerDefaultCaps, "permitted": dockerDefaultCaps}
	for _, tc := range []struct {
		name string
		uid  int
		nnp  bool
		caps map[string][]string
		// want are lines the output must hold (beyond matching runc).
		want []string
	}{
		{"docker-default", 0, false, all, []string{"mount=", "chown=0", "CapEff:\t00000000a80425fb"}},
		{"docker-default-nnp", 0, true, all, []string{"NoNewPrivs:\t1"}},
		{"sys-admin", 0, false, map[string][]string{"bounding": plus("CAP_SYS_ADMIN"), "effective": plus("CAP_SYS_ADMIN"), "permitted": plus("CAP_SYS_ADMIN")}, []string{"mount=0"}},
		{"none", 0, false, map[string][]string{}, []string{"CapBnd:\t0000000000000000", "CapEff:\t0000000000000000"}},
		{"user", 1000, false, all, []string{"CapEff:\t0000000000000000", "CapPrm:\t0000000000000000"}},
		{"user-ambient", 1000, false, map[string][]string{
			"bounding": dockerDefaultCaps, "effective": {"CAP_NET_BIND_SERVICE"}, "permitted": {"CAP_NET_BIND_SERVICE"},
			"inheritable": {"CAP_NET_BIND_SERVICE"}, "ambient": {"CAP_NET_BIND_SERVICE"}}, []string{"CapAmb:\t0000000000000400", "CapEff:\t0000000000000400"}},
		// Effective beyond what execve gives root: runc sets it, the
		// execve recomputes it from the bounding set.
		{"root-effective-empty", 0, false, map[string][]string{"bounding": dockerDefaultCaps, "permitted": dockerDefaultCaps}, []string{"CapEff:\t00000000a80425fb"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bundle := ociBundle(t, "sh", "-c", capsScript)
			os.Symlink("busybox", filepath.Join(bundle, "rootfs", "bin", "mount"))
			os.Symlink("busybox", filepath.Join(bundle, "rootfs", "bin", "grep"))
			os.Symlink("busybox", filepath.Join(bundle, "rootfs", "bin", "touch"))
			os.Symlink("busybox", filepath.Join(bundle, "rootfs", "bin", "chown"))
			setCaps(t, bundle, tc.uid, tc.nnp, tc.caps)
			var out []ociResult
			for _, r := range rts {
				id := ociID(t, "caps-"+tc.name)
				r.cleanup(t, id)
				out = append(out, r.call(t, "run", "--bundle", bundle, id))
			}
			t.Logf("runsc: %s", out[1].stdout)
			if out[0].stdout != out[1].stdout || out[0].code != out[1].code {
				t.Fatalf("runc: %v\nrunsc: %v", out[0], out[1])
			}
			for _, w := range tc.want {
				if !strings.Contains(out[1].stdout, w) {
					t.Errorf("output %q lacks %q", out[1].stdout, w)
				}
			}
			if tc.name == "docker-default" && strings.Contains(out[1].stdout, "mount=0") {
				t.Errorf("mount worked without CAP_SYS_ADMIN: %q", out[1].stdout)
			}
		})
	}
}

// TestOCIExecCaps: `exec` gives the process the spec's capabilities, and
// `exec --cap` adds one, as runc does.
func TestOCIExecCaps(t *testing.T) {
	rts := ociRuntimes(t)
	bundle := ociBundle(t, "sleep", "30")
	os.Symlink("busybox", filepath.Join(bundle, "rootfs", "bin", "grep"))
	all := map[string][]string{"bounding": dockerDefaultCaps, "effective": dockerDefaultCaps, "permitted": dockerDefaultCaps}
	setCaps(t, bundle, 0, false, all)
	var outs [][]ociResult
	for _, r := range rts {
		id := ociID(t, "execcaps")
		r.cleanup(t, id)
		if res := r.call(t, "run", "-d", "--bundle", bundle, id); res.code != 0 {
			t.Fatalf("%s run -d: %v", r.name, res)
		}
		r.waitStatus(t, id, "running")
		outs = append(outs, []ociResult{
			r.call(t, "exec", id, "grep", "Cap", "/proc/self/status"),
			r.call(t, "exec", "--cap", "CAP_SYS_ADMIN", id, "grep", "Cap", "/proc/self/status"),
			r.call(t, "exec", "--user", "1000", id, "grep", "Cap", "/proc/self/status"),
		})
	}
	for i := range outs[0] {
		if outs[0][i].stdout != outs[1][i].stdout || outs[0][i].code != outs[1][i].code {
			t.Errorf("exec %d: runc: %v\nrunsc: %v", i, outs[0][i], outs[1][i])
		}
	}
	if !strings.Contains(outs[1][1].stdout, "CapEff:\t00000000a82425fb") {
		t.Errorf("exec --cap CAP_SYS_ADMIN: %v", outs[1][1])
	}
}
