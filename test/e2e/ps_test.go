package e2e

import (
	"encoding/json"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestOCIPsHostPids: `ps --format json` lists host pids, as runc's does
// (docker top and containerd run the host's ps on them): one of them runs
// the container's program and host ps names it. The table keeps the
// sandbox's own view (runsc: pid 1 is the init).
func TestOCIPsHostPids(t *testing.T) {
	rts := ociRuntimes(t)
	hostPs, err := exec.LookPath("ps")
	if err != nil {
		t.Skip("ps is not installed (apt-get install procps)")
	}
	bundle := ociBundle(t, "sleep", "100")
	for _, r := range rts {
		t.Run(r.name, func(t *testing.T) {
			id := ociID(t, "pshost")
			r.cleanup(t, id)
			if res := r.call(t, "run", "-d", "--bundle", bundle, id); res.code != 0 {
				t.Fatalf("%s run -d: %v", r.name, res)
			}
			r.waitStatus(t, id, "running")
			res := r.call(t, "ps", "--format", "json", id)
			var pids []int
			if res.code != 0 || json.Unmarshal([]byte(res.stdout), &pids) != nil || len(pids) == 0 {
				t.Fatalf("%s ps --format json: %v", r.name, res)
			}
			args := []string{"-o", "comm=", "-p"}
			var ps []string
			for _, p := range pids {
				ps = append(ps, strconv.Itoa(p))
			}
			out, err := exec.Command(hostPs, append(args, strings.Join(ps, ","))...).Output()
			if err != nil || !strings.Contains("\n"+string(out), "\nsleep\n") {
				t.Errorf("%s: host ps of %v: %q (%v); want a process named sleep", r.name, pids, out, err)
			}
			if r.name == "runsc" {
				res := r.call(t, "ps", id)
				lines := strings.Split(strings.TrimSpace(res.stdout), "\n")
				if res.code != 0 || len(lines) != 2 || !strings.HasPrefix(lines[0], "UID") || strings.Fields(lines[1])[1] != "1" || !strings.HasSuffix(lines[1], "sleep 100") {
					t.Errorf("runsc ps (table): %v; want the init as pid 1", res)
				}
			}
		})
	}
}
