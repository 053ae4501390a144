package specutil

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
