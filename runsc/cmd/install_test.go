package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func readJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v\n%s", path, err, b)
	}
	return m
}

func TestInstallKeepsOtherSettings(t *testing.T) {
	p := filepath.Join(t.TempDir(), "daemon.json")
	orig := `{"debug": true, "storage-driver": "vfs",
	  "runtimes": {"other": {"path": "/usr/bin/other", "runtimeArgs": ["--x"]}}}`
	if err := os.WriteFile(p, []byte(orig), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := InstallRuntime(p, "runsc", "/opt/runsc", []string{"--debug-log=/tmp/x"}); err != nil {
		t.Fatal(err)
	}
	got := readJSON(t, p)
	want := map[string]any{
		"debug": true, "storage-driver": "vfs",
		"runtimes": map[string]any{
			"other": map[string]any{"path": "/usr/bin/other", "runtimeArgs": []any{"--x"}},
			"runsc": map[string]any{"path": "/opt/runsc", "runtimeArgs": []any{"--debug-log=/tmp/x"}},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("after install:\n got %v\nwant %v", got, want)
	}
	if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode not kept: %v %v", fi.Mode(), err)
	}

	// Updating replaces the entry (no stale runtimeArgs).
	if err := InstallRuntime(p, "runsc", "/opt/runsc2", nil); err != nil {
		t.Fatal(err)
	}
	got = readJSON(t, p)
	if r := got["runtimes"].(map[string]any)["runsc"]; !reflect.DeepEqual(r, map[string]any{"path": "/opt/runsc2"}) {
		t.Errorf("after update: runsc entry %v", r)
	}

	if err := UninstallRuntime(p, "runsc"); err != nil {
		t.Fatal(err)
	}
	got = readJSON(t, p)
	want = map[string]any{
		"debug": true, "storage-driver": "vfs",
		"runtimes": map[string]any{
			"other": map[string]any{"path": "/usr/bin/other", "runtimeArgs": []any{"--x"}},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("after uninstall:\n got %v\nwant %v", got, want)
	}
	// Removing the last runtime drops the empty "runtimes" object.
	if err := UninstallRuntime(p, "other"); err != nil {
		t.Fatal(err)
	}
	if got = readJSON(t, p); !reflect.DeepEqual(got, map[string]any{"debug": true, "storage-driver": "vfs"}) {
		t.Errorf("after removing all runtimes: %v", got)
	}
	// Uninstalling what is absent is not an error.
	if err := UninstallRuntime(p, "runsc"); err != nil {
		t.Errorf("uninstall of an absent entry: %v", err)
	}
}

func TestInstallNewFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "docker", "daemon.json")
	if err := UninstallRuntime(p, "runsc"); err != nil {
		t.Errorf("uninstall with no file: %v", err)
	}
	if err := InstallRuntime(p, "mine", "/bin/runsc", nil); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"runtimes": map[string]any{"mine": map[string]any{"path": "/bin/runsc"}}}
	if got := readJSON(t, p); !reflect.DeepEqual(got, want) {
		t.Errorf("got %v want %v", got, want)
	}
	// An empty file is an empty configuration.
	os.WriteFile(p, []byte("\n"), 0o644)
	if err := InstallRuntime(p, "mine", "/bin/runsc", nil); err != nil {
		t.Fatal(err)
	}
	if got := readJSON(t, p); !reflect.DeepEqual(got, want) {
		t.Errorf("from an empty file: got %v want %v", got, want)
	}
}

func TestInstallBadFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "daemon.json")
	for _, bad := range []string{`{"runtimes": [1]}`, `not json`, `[1,2]`} {
		os.WriteFile(p, []byte(bad), 0o644)
		if err := InstallRuntime(p, "runsc", "/bin/runsc", nil); err == nil {
			t.Errorf("install into %q: no error", bad)
		}
		if b, _ := os.ReadFile(p); string(b) != bad {
			t.Errorf("install into %q rewrote the file: %q", bad, b)
		}
	}
}
