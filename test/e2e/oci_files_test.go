package e2e

// OCI file tests: the container's root and bind mounts, served by the
// gofer. runc writes through to the host everywhere; runsc does for bind
// mounts (and for the root with --overlay=none), but with
// --overlay=memory (the default) the root's changes stay in the sandbox's
// memory, which is asserted directly.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// editConfig applies fn to the bundle's config.json.
func editConfig(t *testing.T, dir string, fn func(c map[string]any)) {
	t.Helper()
	p := filepath.Join(dir, "config.json")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	fn(c)
	b, _ = json.MarshalIndent(c, "", "\t")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// writableRoot makes the bundle's root writable (root.readonly false).
func writableRoot(t *testing.T, dir string) {
	editConfig(t, dir, func(c map[string]any) {
		c["root"].(map[string]any)["readonly"] = false
	})
}

// addBind adds a bind mount of src on dst with the given options.
func addBind(t *testing.T, dir, src, dst string, opts ...string) {
	editConfig(t, dir, func(c map[string]any) {
		ms, _ := c["mounts"].([]any)
		o := []any{"rbind"}
		for _, s := range opts {
			o = append(o, s)
		}
		c["mounts"] = append(ms, map[string]any{"destination": dst, "type": "bind", "source": src, "options": o})
	})
}

// TestOCIBindMountWrites: a rw bind mount of a directory and of a single
// file are written through to the host, as with runc; a ro bind mount
// refuses writes, as with runc.
func TestOCIBindMountWrites(t *testing.T) {
	rts := ociRuntimes(t)
	for _, r := range rts {
		t.Run(r.name, func(t *testing.T) {
			host := t.TempDir()
			hostDir := filepath.Join(host, "dir")
			roDir := filepath.Join(host, "ro")
			hostFile := filepath.Join(host, "file")
			for _, d := range []string{hostDir, roDir} {
				if err := os.Mkdir(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(filepath.Join(hostDir, "in"), []byte("from the host\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(hostFile, []byte("old\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			bundle := ociBundle(t, "sh", "-c",
				"cat /mnt/dir/in && echo written > /mnt/dir/out && mkdir /mnt/dir/sub && echo deep > /mnt/dir/sub/f && "+
					"cat /etc/bound && echo new > /etc/bound && "+
					"if echo x > /mnt/ro/x; then echo ro-writable; else echo ro-refused; fi")
			addBind(t, bundle, hostDir, "/mnt/dir")
			addBind(t, bundle, hostFile, "/etc/bound", "rw")
			addBind(t, bundle, roDir, "/mnt/ro", "ro")
			res := r.call(t, "run", "--bundle", bundle, ociID(t, "bindw"))
			if res.code != 0 || res.stdout != "from the host\nold\nro-refused\n" {
				t.Errorf("%s run: %v; want exit 0 and the host's contents, ro-refused", r.name, res)
			}
			for p, want := range map[string]string{
				filepath.Join(hostDir, "out"):      "written\n",
				filepath.Join(hostDir, "sub", "f"): "deep\n",
				hostFile:                           "new\n",
			} {
				if b, err := os.ReadFile(p); err != nil || string(b) != want {
					t.Errorf("%s: host file %s is %q (%v); want %q", r.name, p, b, err, want)
				}
			}
			if _, err := os.Stat(filepath.Join(roDir, "x")); err == nil {
				t.Errorf("%s: a write to a ro bind mount reached the host", r.name)
			}
			if dirs, procs := r.leftovers(t); len(dirs) != 0 || procs != 0 {
				t.Errorf("%s run left state %v and %d processes", r.name, dirs, procs)
			}
		})
	}
}

// TestOCIOverlayMemory: with --overlay=memory (runsc's default) a file the
// container writes in its root never reaches the host rootfs, while one
// written through a rw bind mount does. runc has no such layer (it writes
// the rootfs itself): it is run as the oracle of the container's own view
// (both read back what they wrote), and runsc's host side is asserted
// directly.
func TestOCIOverlayMemory(t *testing.T) {
	rts := ociRuntimes(t)
	var outs []string
	for _, r := range rts {
		hostDir := t.TempDir()
		bundle := ociBundle(t, "sh", "-c",
			"echo secret > /root/x && echo changed > /etc/owned && rm /bin/pwd && echo bound > /mnt/out && cat /root/x /etc/owned /mnt/out")
		writableRoot(t, bundle)
		rootfs := filepath.Join(bundle, "rootfs")
		if err := os.WriteFile(filepath.Join(rootfs, "etc", "owned"), []byte("host\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		addBind(t, bundle, hostDir, "/mnt")
		res := r.call(t, "run", "--bundle", bundle, ociID(t, "ovl"))
		outs = append(outs, res.stdout)
		if res.code != 0 || res.stdout != "secret\nchanged\nbound\n" {
			t.Errorf("%s run: %v", r.name, res)
		}
		if b, err := os.ReadFile(filepath.Join(hostDir, "out")); err != nil || string(b) != "bound\n" {
			t.Errorf("%s: the bind mount's file on the host is %q (%v)", r.name, b, err)
		}
		_, errX := os.Stat(filepath.Join(rootfs, "root", "x"))
		owned, _ := os.ReadFile(filepath.Join(rootfs, "etc", "owned"))
		_, errPwd := os.Lstat(filepath.Join(rootfs, "bin", "pwd"))
		if r.name == "runc" {
			// The oracle writes through.
			if errX != nil || string(owned) != "changed\n" || errPwd == nil {
				t.Errorf("runc: expected the rootfs changed (x: %v, owned %q, pwd: %v)", errX, owned, errPwd)
			}
			continue
		}
		if errX == nil {
			t.Errorf("runsc --overlay=memory: /root/x reached the host rootfs")
		}
		if string(owned) != "host\n" {
			t.Errorf("runsc --overlay=memory: /etc/owned on the host is %q, want it unchanged", owned)
		}
		if errPwd != nil {
			t.Errorf("runsc --overlay=memory: removing /bin/pwd reached the host: %v", errPwd)
		}
		if dirs, procs := r.leftovers(t); len(dirs) != 0 || procs != 0 {
			t.Errorf("%s run left state %v and %d processes", r.name, dirs, procs)
		}
	}
	if len(outs) == 2 && outs[0] != outs[1] {
		t.Errorf("runc printed %q, runsc %q", outs[0], outs[1])
	}
}

// TestOCIOverlayNone: with --overlay=none runsc writes the rootfs through
// the gofer, as runc does.
func TestOCIOverlayNone(t *testing.T) {
	rts := ociRuntimes(t)
	rts[1].argv = append(append([]string{}, rts[1].argv...), "--overlay=none")
	var outs []string
	for _, r := range rts {
		bundle := ociBundle(t, "sh", "-c",
			"echo through > /root/x && mkdir -p /var/new && echo changed > /etc/owned && rm /bin/pwd && cat /root/x /etc/owned")
		writableRoot(t, bundle)
		rootfs := filepath.Join(bundle, "rootfs")
		if err := os.WriteFile(filepath.Join(rootfs, "etc", "owned"), []byte("host\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		res := r.call(t, "run", "--bundle", bundle, ociID(t, "ovlnone"))
		outs = append(outs, res.stdout)
		if res.code != 0 || res.stdout != "through\nchanged\n" {
			t.Errorf("%s run: %v", r.name, res)
		}
		if b, err := os.ReadFile(filepath.Join(rootfs, "root", "x")); err != nil || string(b) != "through\n" {
			t.Errorf("%s: /root/x on the host is %q (%v)", r.name, b, err)
		}
		if b, _ := os.ReadFile(filepath.Join(rootfs, "etc", "owned")); string(b) != "changed\n" {
			t.Errorf("%s: /etc/owned on the host is %q", r.name, b)
		}
		if st, err := os.Stat(filepath.Join(rootfs, "var", "new")); err != nil || !st.IsDir() {
			t.Errorf("%s: /var/new on the host: %v", r.name, err)
		}
		if _, err := os.Lstat(filepath.Join(rootfs, "bin", "pwd")); err == nil {
			t.Errorf("%s: /bin/pwd is still on the host", r.name)
		}
		if dirs, procs := r.leftovers(t); len(dirs) != 0 || procs != 0 {
			t.Errorf("%s run left state %v and %d processes", r.name, dirs, procs)
		}
	}
	if outs[0] != outs[1] {
		t.Errorf("runc printed %q, runsc %q", outs[0], outs[1])
	}
}
