package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Differential tests of the sandbox's own filesystems (issue 6): tmpfs on
// /tmp and the overlay root (a memory layer over the host's root). Writes
// on the overlay root must never reach the host.

// TestMain puts the tests' temporary files outside /tmp: in the sandbox
// /tmp is a fresh tmpfs, so programs built under the host's /tmp would be
// invisible to it. Every test of the package builds its programs with
// t.TempDir, hence TMPDIR.
func TestMain(m *testing.M) {
	base := "/var/tmp"
	if fi, err := os.Stat(base); err != nil || !fi.IsDir() {
		if root, err := repoRoot(); err == nil {
			base = filepath.Join(root, "bin")
			os.MkdirAll(base, 0o755)
		}
	}
	dir, err := os.MkdirTemp(base, "stockade-e2e-")
	if err == nil {
		os.Chmod(dir, 0o755)
		os.Setenv("TMPDIR", dir)
	}
	code := m.Run()
	if err == nil {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

// buildFSOps compiles testdata/fsops.c.
func buildFSOps(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile("testdata/fsops.c")
	if err != nil {
		t.Fatal(err)
	}
	return buildProcessProg(t, "fsops", string(src))
}

// hostTree lists a host directory (names, types, modes, contents) to check
// that the sandbox left it alone.
func hostTree(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fmt.Fprintf(&b, "%s %v %d", rel, fi.Mode(), fi.Size())
		if fi.Mode().IsRegular() {
			data, _ := os.ReadFile(p)
			fmt.Fprintf(&b, " %q", data)
		}
		b.WriteByte('\n')
		return nil
	})
	return b.String()
}

// TestFSOps runs the same file system operations natively and sandboxed,
// on /tmp (tmpfs in the sandbox) and on a host directory of the overlay
// root (/var/tmp/...), and requires identical output.
func TestFSOps(t *testing.T) {
	bin := buildFSOps(t)
	t.Run("tmpfs", func(t *testing.T) {
		d := fmt.Sprintf("/tmp/stockade-fsops-%d", os.Getpid())
		script := "mkdir " + d + " && " + bin + " " + d + "; s=$?; rmdir " + d + "; exit $s"
		differential(t, "/", 0, "/bin/sh", "-c", script)
	})
	t.Run("overlay", func(t *testing.T) {
		native, sandboxDir := t.TempDir(), t.TempDir()
		sandbox(t)
		nr, err := run(t, "/", bin, native)
		if err != nil || nr.status != 0 {
			t.Fatalf("native run: %v %v", nr, err)
		}
		before := hostTree(t, sandboxDir)
		sr := runSandboxed(t, "/", bin, sandboxDir)
		compare(t, nr, sr)
		if after := hostTree(t, sandboxDir); after != before {
			t.Errorf("the sandbox changed the host directory:\nbefore:\n%s\nafter:\n%s", before, after)
		}
	})
}

// TestFSOverlayCopyUp changes files that exist on the host (copy-up,
// whiteouts, renames, links, chmod, xattrs, readdir merging) and compares
// with the same changes made natively on a copy; the host's files must
// stay as they were.
func TestFSOverlayCopyUp(t *testing.T) {
	requireBusybox(t)
	sandbox(t)
	mk := func() string {
		d := t.TempDir()
		os.MkdirAll(filepath.Join(d, "sub/deep"), 0o755)
		os.MkdirAll(filepath.Join(d, "gone/inner"), 0o755)
		os.WriteFile(filepath.Join(d, "a"), []byte("lower a\n"), 0o644)
		os.WriteFile(filepath.Join(d, "b"), []byte("lower b\n"), 0o640)
		os.WriteFile(filepath.Join(d, "c"), []byte("lower c\n"), 0o755)
		os.WriteFile(filepath.Join(d, "sub/deep/f"), []byte("deep\n"), 0o600)
		os.WriteFile(filepath.Join(d, "gone/inner/x"), []byte("x\n"), 0o644)
		os.Symlink("a", filepath.Join(d, "link"))
		return d
	}
	script := `cd "$1" || exit 1
echo appended >> a
mv b b2
rm c
ln a a-hard
ln -s b2 s2
chmod 600 a
echo new > sub/deep/new
mv sub/deep/f sub/f
rm -r gone
mkdir gone
echo fresh > gone/file
echo replaced > link
/bin/busybox stat -c '%n %F %a %s %h' a a-hard b2 s2 sub/f sub/deep/new gone/file link
/bin/busybox stat -c '%n %F %a' sub gone
cat a b2 s2 sub/f link gone/file
ls -a . sub sub/deep gone | sort
find . | sort
rm -r ./*
ls -a
`
	native, sandboxed := mk(), mk()
	before := hostTree(t, sandboxed)
	nr, err := run(t, "/", "/bin/busybox", "sh", "-c", script, "sh", native)
	if err != nil || nr.status != 0 {
		t.Fatalf("native run: %v %v", nr, err)
	}
	sr := runSandboxed(t, "/", "/bin/busybox", "sh", "-c", script, "sh", sandboxed)
	compare(t, nr, sr)
	if after := hostTree(t, sandboxed); after != before {
		t.Errorf("the sandbox changed the host directory:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// TestFSEtcWrite is issue 6's acceptance case: writing /etc works in the
// sandbox and the host's /etc is untouched.
func TestFSEtcWrite(t *testing.T) {
	sandbox(t)
	name := fmt.Sprintf("/etc/stockade-test-%d", os.Getpid())
	if _, err := os.Lstat(name); err == nil {
		t.Fatalf("%s exists on the host before the test", name)
	}
	r := runSandboxed(t, "/", "/bin/sh", "-c", "echo hi > "+name+" && cat "+name+" && echo hi > /etc/x && cat /etc/x")
	if string(r.stdout) != "hi\nhi\n" || r.status != 0 {
		t.Fatalf("sandbox: %v, stdout %q", r, r.stdout)
	}
	if _, err := os.Lstat(name); err == nil {
		os.Remove(name)
		t.Fatalf("%s reached the host", name)
	}
}

// TestFSReaddirAndStat compares directory listings (order-independent) and
// the stable stat fields of host files seen through the overlay.
func TestFSReaddirAndStat(t *testing.T) {
	requireBusybox(t)
	cases := map[string]string{
		"ls_usr_bin":   "ls -a /usr/bin | sort",
		"ls_etc":       "ls -a /etc | sort",
		"find_usr_lib": "find /usr/lib -maxdepth 2 | sort | md5sum",
		"stat_fields":  "/bin/busybox stat -c '%n %F %a %s %h %u %g' /etc/passwd /usr/bin /bin/busybox /usr /etc/os-release /var/tmp",
	}
	for name, script := range cases {
		t.Run(name, func(t *testing.T) {
			differential(t, "/", 0, "/bin/sh", "-c", script)
		})
	}
}

// TestFSTarExtract extracts a gzipped tar (made natively) into /tmp in the
// sandbox and compares it with a native extraction with diff -r, modes
// and types included.
func TestFSTarExtract(t *testing.T) {
	if _, err := exec.LookPath("tar"); err != nil {
		t.Skip("tar is absent")
	}
	sandbox(t)
	src := t.TempDir()
	tree := filepath.Join(src, "tree")
	os.MkdirAll(filepath.Join(tree, "a/b/c"), 0o755)
	os.MkdirAll(filepath.Join(tree, "private"), 0o700)
	for i := 0; i < 40; i++ {
		data := bytes.Repeat([]byte(fmt.Sprintf("line %d\n", i)), i*300)
		os.WriteFile(filepath.Join(tree, fmt.Sprintf("a/b/file%d", i)), data, 0o644)
	}
	os.WriteFile(filepath.Join(tree, "a/b/c/script.sh"), []byte("#!/bin/sh\necho hi\n"), 0o755)
	os.WriteFile(filepath.Join(tree, "private/secret"), []byte("s"), 0o600)
	os.Symlink("../a/b/file1", filepath.Join(tree, "private/link"))
	os.Link(filepath.Join(tree, "a/b/file2"), filepath.Join(tree, "a/hardlink"))
	archive := filepath.Join(src, "tree.tar.gz")
	if out, err := exec.Command("tar", "-czf", archive, "-C", src, "tree").CombinedOutput(); err != nil {
		t.Fatalf("tar -c: %v\n%s", err, out)
	}
	nativeOut := filepath.Join(src, "native")
	os.Mkdir(nativeOut, 0o755)
	if out, err := exec.Command("tar", "-xzf", archive, "-C", nativeOut).CombinedOutput(); err != nil {
		t.Fatalf("native tar -x: %v\n%s", err, out)
	}
	// Directory sizes are the filesystem's own: compare the rest.
	list := "cd %s && (find . ! -type d -printf '%%p %%y %%m %%s %%n\\n'; find . -type d -printf '%%p %%y %%m %%n\\n') | sort"
	want, err := exec.Command("/bin/sh", "-c", fmt.Sprintf(list, nativeOut)).Output()
	if err != nil {
		t.Fatal(err)
	}
	script := "mkdir /tmp/x && tar -xzf " + archive + " -C /tmp/x && diff -r /tmp/x " + nativeOut + " && echo same && " + fmt.Sprintf(list, "/tmp/x")
	r := runSandboxed(t, "/", "/bin/sh", "-c", script)
	if r.status != 0 || !bytes.Equal(r.stdout, append([]byte("same\n"), want...)) {
		t.Fatalf("sandbox: %v\nstdout:\n%s\nwant:\nsame\n%s", r, r.stdout, want)
	}
}

// TestFSGit makes a repository and a commit in /tmp.
func TestFSGit(t *testing.T) {
	if _, err := os.Stat("/usr/bin/git"); err != nil {
		t.Skip("git is absent")
	}
	script := `set -e
d=/tmp/stockade-git-$$
mkdir $d && cd $d
git init -q
echo one > a; mkdir sub; echo two > sub/b
git add .
git -c user.email=t@example.com -c user.name=t commit -q -m first
echo three >> a
git -c user.email=t@example.com -c user.name=t commit -q -am second
git log --format=%s
git ls-files
git status --porcelain
git cat-file -p HEAD:a
cd / && rm -rf $d`
	differential(t, "/", 0, "/bin/sh", "-c", script)
}

// TestFSSqlite creates a WAL-mode database in /tmp, fills it from two
// concurrent sqlite3 processes (which take turns through fcntl record
// locks and the shared-memory index) and queries it.
func TestFSSqlite(t *testing.T) {
	if _, err := os.Stat("/usr/bin/sqlite3"); err != nil {
		t.Skip("sqlite3 is absent")
	}
	sandbox(t)
	script := `set -e
d=$(mktemp -d /tmp/stockade-sqlite-XXXXXX)
cd $d
sqlite3 db "pragma journal_mode=wal; create table t(x INTEGER);"
ins() { for i in $(seq $1 $2); do echo "insert into t values($i);"; done | sqlite3 -cmd ".timeout 30000" db; }
ins 1 150 &
ins 151 300 &
wait
sqlite3 db "select count(*), sum(x) from t; pragma journal_mode; pragma integrity_check;"
sqlite3 db "select count(*) from t;"
ls | sort
cd /
rm -rf $d`
	r := runSandboxed(t, "/", "/bin/sh", "-c", script)
	native, err := run(t, "/", "/bin/sh", "-c", script)
	if err != nil {
		t.Fatal(err)
	}
	compare(t, native, r)
}

// TestFSGccHello compiles and runs a C program entirely inside the sandbox
// (gcc's temporary files go to the sandbox's /tmp).
func TestFSGccHello(t *testing.T) {
	if _, err := os.Stat("/usr/bin/gcc"); err != nil {
		t.Skip("gcc is absent")
	}
	script := `printf '#include <stdio.h>\nint main(void) { printf("hello\\n"); return 0; }\n' > /tmp/hello.c && gcc -O2 /tmp/hello.c -o /tmp/hello && /tmp/hello`
	sandbox(t)
	r := runSandboxed(t, "/", "/bin/sh", "-c", script)
	if r.status != 0 || string(r.stdout) != "hello\n" {
		t.Fatalf("sandbox: %v, stdout %q", r, r.stdout)
	}
}
