package e2e

import (
	"strings"
	"testing"
)

// TestDockerCapabilities: docker's capability flags (its default set,
// --cap-drop, --cap-add) give a runsc container the capabilities they give
// a runc one, seen in /proc/self/status and in what root may do.
func TestDockerCapabilities(t *testing.T) {
	d := startDocker(t)
	img := dockerImage
	script := "busybox grep -E '^(Cap|NoNewPrivs)' /proc/self/status; busybox mount -t tmpfs none /tmp 2>/dev/null; echo mount=$?"
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"default", nil, "CapEff:\t00000000a80425fb"},
		{"cap-drop-all", []string{"--cap-drop", "ALL"}, "CapBnd:\t0000000000000000"},
		{"cap-add-sys-admin", []string{"--cap-add", "SYS_ADMIN"}, "mount=0"},
		{"cap-drop-chown-user", []string{"--cap-drop", "CHOWN", "-u", "1000"}, "CapPrm:\t0000000000000000"},
		{"no-new-privileges", []string{"--security-opt", "no-new-privileges"}, "NoNewPrivs:\t1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var res []dockerResult
			for _, rt := range dockerRuntimes {
				args := append(append([]string{"--rm"}, c.args...), img, "sh", "-c", script)
				res = append(res, d.run(t, rt, args...))
			}
			sameResult(t, d, "docker run "+strings.Join(c.args, " "), res[0], res[1])
			if !strings.Contains(res[1].stdout, c.want) {
				t.Errorf("runsc output %q lacks %q", res[1].stdout, c.want)
			}
		})
	}
}
