package e2e

// Bad input to the OCI CLI (issue 7): each case runs with runc (the oracle)
// and with runsc; the exit code and the class of the one-line error must be
// runc's, and nothing may be left behind: processes, mounts, cgroup
// directories, state directories under --root.

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// errorClass sorts an error line into the kind of cause it names, so that
// runc's and runsc's messages compare without being byte-equal.
func errorClass(stderr string) string {
	s := strings.ToLower(stderr)
	for _, c := range []struct{ class, words string }{
		{"exists", "already exists"},
		{"state", "already running|not stopped|not running|stopped container|cannot start|not paused"},
		{"invalid", "invalid|parsing|unknown signal|looking for beginning"},
		{"missing", "not found|no such file|does not exist|not exist"},
	} {
		for _, w := range strings.Split(c.words, "|") {
			if strings.Contains(s, w) {
				return c.class
			}
		}
	}
	if strings.TrimSpace(s) == "" {
		return ""
	}
	return "other"
}

// hostLeftovers is what a runtime can leave on the host.
type hostLeftovers struct {
	stateDirs []string
	procs     int
	mounts    []string // mountinfo lines naming the test's directories
	cgroups   []string // cgroup directories named after the test's ids
}

// leaks counts r's leftovers that concern the test: its --root, the
// bundles under base and the container ids with prefix idPrefix.
func (r ociRuntime) leaks(t *testing.T, base, idPrefix string) hostLeftovers {
	var l hostLeftovers
	l.stateDirs, l.procs = r.leftovers(t)
	if b, err := os.ReadFile("/proc/self/mountinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, base) || strings.Contains(line, r.root) || strings.Contains(line, idPrefix) {
				l.mounts = append(l.mounts, line)
			}
		}
	}
	filepath.WalkDir("/sys/fs/cgroup", func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if strings.HasPrefix(d.Name(), idPrefix) {
			l.cgroups = append(l.cgroups, p)
			return filepath.SkipDir
		}
		return nil
	})
	return l
}

// TestOCIBadInput checks the error cases: the same exit code and error
// class as runc, one line on stderr, nothing left behind.
func TestOCIBadInput(t *testing.T) {
	rts := ociRuntimes(t)
	base := t.TempDir()
	bundle := ociBundle(t, "sleep", "30")
	stopped := ociBundle(t, "true")
	cfg, _ := os.ReadFile(filepath.Join(bundle, "config.json"))
	mk := func(name string, config []byte) string {
		d := filepath.Join(base, name)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if config != nil {
			os.WriteFile(filepath.Join(d, "config.json"), config, 0o644)
		}
		return d
	}
	noConfig := mk("no-config", nil)
	malformed := mk("malformed", []byte("{bad"))
	noRootfs := mk("no-rootfs", cfg)
	// The others use the good bundle's rootfs by its absolute path.
	variant := func(name string, fn func(c map[string]any)) string {
		d := mk(name, cfg)
		setConfig(t, d, func(c map[string]any) {
			c["root"].(map[string]any)["path"] = filepath.Join(bundle, "rootfs")
			fn(c)
		})
		return d
	}
	badNetns := variant("bad-netns", func(c map[string]any) {
		l := c["linux"].(map[string]any)
		var ns []any
		for _, n := range l["namespaces"].([]any) {
			if n.(map[string]any)["type"] != "network" {
				ns = append(ns, n)
			}
		}
		l["namespaces"] = append(ns, map[string]any{"type": "network", "path": "/proc/999999999/ns/net"})
	})
	badResources := variant("bad-resources", func(c map[string]any) {
		// memory+swap below memory: the kernel refuses it (EINVAL), after
		// the cgroup was made.
		c["linux"].(map[string]any)["resources"] = map[string]any{"memory": map[string]any{"limit": 64 << 20, "swap": 16 << 20}}
	})
	noProgram := variant("no-program", func(c map[string]any) {
		c["process"].(map[string]any)["args"] = []string{"/no/such/program"}
	})

	type step struct {
		name string
		args []string
	}
	type outcome struct {
		code  int
		class string
	}
	results := map[string][]outcome{}
	var order []string
	idPrefix := fmt.Sprintf("stockade-bad%d-", os.Getpid())
	for _, r := range rts {
		id := idPrefix + "a-" + r.name
		sid := idPrefix + "s-" + r.name
		r.cleanup(t, id)
		r.cleanup(t, sid)
		before := r.leaks(t, base, idPrefix)
		check := func(s step) {
			t.Helper()
			res := r.call(t, s.args...)
			if _, seen := results[s.name]; !seen {
				order = append(order, s.name)
			}
			results[s.name] = append(results[s.name], outcome{res.code, errorClass(res.stderr)})
			lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
			if res.code != 0 && (len(lines) != 1 || lines[0] == "") {
				t.Errorf("%s %s: stderr is not one line: %q", r.name, s.name, res.stderr)
			}
			t.Logf("%s %s: exit %d: %s", r.name, s.name, res.code, strings.TrimSpace(res.stderr))
		}
		check(step{"missing config.json", []string{"run", "--bundle", noConfig, id}})
		check(step{"malformed config.json", []string{"run", "--bundle", malformed, id}})
		check(step{"nonexistent rootfs", []string{"run", "--bundle", noRootfs, id}})
		check(step{"unknown network namespace path", []string{"run", "--bundle", badNetns, id}})
		check(step{"resources the kernel refuses", []string{"run", "--bundle", badResources, id}})
		check(step{"missing program", []string{"create", "--bundle", noProgram, id}})
		check(step{"start of a missing container", []string{"start", id}})
		check(step{"kill of a missing container", []string{"kill", id, "KILL"}})
		if res := r.call(t, "create", "--bundle", bundle, id); res.code != 0 {
			t.Fatalf("%s create: %v", r.name, res)
		}
		check(step{"id already taken", []string{"create", "--bundle", bundle, id}})
		check(step{"start", []string{"start", id}})
		r.waitStatus(t, id, "running")
		check(step{"start of a running container", []string{"start", id}})
		check(step{"delete of a running container", []string{"delete", id}})
		check(step{"unknown signal", []string{"kill", id, "NOSUCHSIG"}})
		check(step{"delete --force", []string{"delete", "--force", id}})

		if res := r.call(t, "create", "--bundle", stopped, sid); res.code != 0 {
			t.Fatalf("%s create: %v", r.name, res)
		}
		check(step{"start of a short-lived container", []string{"start", sid}})
		r.waitStatus(t, sid, "stopped")
		check(step{"exec into a stopped container", []string{"exec", sid, "true"}})
		check(step{"kill of a stopped container", []string{"kill", sid, "KILL"}})
		check(step{"start of a stopped container", []string{"start", sid}})
		check(step{"delete of a stopped container", []string{"delete", sid}})
		check(step{"exec into a missing container", []string{"exec", sid, "true"}})
		check(step{"delete of a missing container", []string{"delete", sid}})

		after := r.leaks(t, base, idPrefix)
		if !reflect.DeepEqual(before, after) {
			t.Errorf("%s left things behind:\nbefore: %+v\nafter:  %+v", r.name, before, after)
		}
	}
	for _, name := range order {
		o := results[name]
		if len(o) == 2 && o[0] != o[1] {
			t.Errorf("%s: runc exit %d (%s error), runsc exit %d (%s error)", name, o[0].code, o[0].class, o[1].code, o[1].class)
		}
	}
}
