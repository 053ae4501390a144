package specutil

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("missing config.json: %v", err)
	}
	os.WriteFile(filepath.Join(dir, ConfigName), []byte("{bad"), 0o644)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "parsing") {
		t.Errorf("malformed config.json: %v", err)
	}
	b, _ := json.Marshal(Default(false))
	os.WriteFile(filepath.Join(dir, ConfigName), b, 0o644)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "invalid rootfs") {
		t.Errorf("missing rootfs: %v", err)
	}
	os.Mkdir(filepath.Join(dir, "rootfs"), 0o755)
	s, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if RootPath(s, dir) != filepath.Join(dir, "rootfs") {
		t.Errorf("root path %s", RootPath(s, dir))
	}
}

func TestMountOptions(t *testing.T) {
	ro, nosuid, nodev, noexec, bind, data := MountFlags([]string{"rbind", "ro", "nosuid", "nodev", "noexec", "mode=755", "size=64k"})
	if !ro || !nosuid || !nodev || !noexec || !bind || data != "mode=755,size=64k" {
		t.Errorf("got %v %v %v %v %v %q", ro, nosuid, nodev, noexec, bind, data)
	}
	if TmpfsMode(data, 0) != 0o755 || TmpfsSize(data) != 64<<10 {
		t.Errorf("mode %o size %d", TmpfsMode(data, 0), TmpfsSize(data))
	}
	if r, err := RlimitResource("RLIMIT_NOFILE"); err != nil || r != 7 {
		t.Errorf("RLIMIT_NOFILE: %d %v", r, err)
	}
}

func TestAddHome(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "etc"), 0o755)
	os.WriteFile(filepath.Join(root, "etc", "passwd"), []byte("# comment\nroot:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\nnohome:x:7:7:::\n"), 0o644)
	for _, c := range []struct {
		uid  uint32
		env  []string
		want string
	}{
		{0, nil, "HOME=/root"},
		{1000, []string{"A=b"}, "HOME=/home/user"},
		{7, nil, "HOME=/"},
		{4242, nil, "HOME=/"},
		{0, []string{"HOME=/given"}, "HOME=/given"},
	} {
		p := &specs.Process{Env: c.env}
		p.User.UID = c.uid
		AddHome(p, root)
		if got := EnvValue(p.Env, "HOME"); "HOME="+got != c.want {
			t.Errorf("uid %d env %v: HOME=%q, want %s", c.uid, c.env, got, c.want)
		}
	}
	// A symbolic link out of the root is resolved inside it.
	evil := t.TempDir()
	os.MkdirAll(filepath.Join(evil, "etc"), 0o755)
	os.Symlink("/etc/passwd", filepath.Join(evil, "etc", "passwd"))
	p := &specs.Process{}
	AddHome(p, evil)
	if got := EnvValue(p.Env, "HOME"); got != "/" {
		t.Errorf("through a symlink to the host's /etc/passwd: HOME=%q, want /", got)
	}
	// No root filesystem at all.
	p = &specs.Process{}
	AddHome(p, filepath.Join(evil, "absent"))
	if got := EnvValue(p.Env, "HOME"); got != "/" {
		t.Errorf("without a rootfs: HOME=%q, want /", got)
	}
}
