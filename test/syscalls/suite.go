// Package syscalls is Stockade's own Linux compatibility suite.
//
// Each case is a small C program under cases/<area>/<name>.c that exercises
// one behaviour and checks the result itself: it exits 0 and prints nothing
// on success, or prints one "FAIL: <what>: got X want Y" line to stderr and
// exits 1. This package builds the cases with the host gcc (cached by content
// hash), runs each natively, under Stockade (`bin/runsc do`) and, when
// Debian's gVisor is installed and we are root, under gVisor, and reports per
// case pass/fail and the first difference.
//
// Two front ends use it: compat_test.go (the CI regression guard, checked
// against baseline.txt) and cmd/compat (the report behind `make compat`).
package syscalls

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Defaults of the runner.
const (
	DefaultWorkers = 2
	DefaultTimeout = 10 * time.Second
	// GVisorPath is where Debian's runsc package installs gVisor.
	GVisorPath = "/usr/bin/runsc"
)

// cflags are the gcc flags of every case; they are part of the cache key.
var cflags = []string{"-O2", "-Wall", "-pthread"}

// Env is the fixed environment of every run, so that locale, time zone and
// PATH cannot differ between the native and the sandboxed runs. TEST_TMPDIR
// and STOCKADE_CONFINE are passed through when set.
func Env() []string {
	env := []string{
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"HOME=/root",
		"LC_ALL=C",
		"LANG=C",
		"TZ=UTC",
	}
	if d := os.Getenv("TEST_TMPDIR"); d != "" {
		env = append(env, "TEST_TMPDIR="+d)
	}
	// STOCKADE_CONFINE=1 runs the suite with the sentry confined
	// (runsc/sandbox/confine_do.go).
	if c := os.Getenv("STOCKADE_CONFINE"); c != "" {
		env = append(env, "STOCKADE_CONFINE="+c)
	}
	return env
}

// Case is one test program.
type Case struct {
	Name     string // "<area>/<name>", e.g. "fileio/pread_pwrite"
	Src      string // absolute path of the .c file
	Bin      string // built binary; empty until Build
	BuildErr string // non-empty when gcc failed: the case is broken
}

// Area is the directory part of the case name.
func (c Case) Area() string { return strings.SplitN(c.Name, "/", 2)[0] }

// RepoRoot finds the directory holding the go.mod of module stockade.dev,
// walking up from the working directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.Contains(data, []byte("module stockade.dev")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod of module stockade.dev above the working directory")
		}
		dir = parent
	}
}

// CasesDir is where the C cases live inside the repository.
func CasesDir(root string) string { return filepath.Join(root, "test", "syscalls", "cases") }

// BaselinePath is the checked-in list of cases that pass under Stockade.
func BaselinePath(root string) string { return filepath.Join(root, "test", "syscalls", "baseline.txt") }

// Discover lists cases/<area>/<name>.c, sorted by name. A non-nil filter
// keeps only the names it matches.
func Discover(dir string, filter *regexp.Regexp) ([]Case, error) {
	var cases []Case
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".c") {
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		name := strings.TrimSuffix(filepath.ToSlash(rel), ".c")
		if strings.Count(name, "/") != 1 {
			return fmt.Errorf("%s: cases must be cases/<area>/<name>.c", path)
		}
		if filter == nil || filter.MatchString(name) {
			cases = append(cases, Case{Name: name, Src: path})
		}
		return nil
	})
	sort.Slice(cases, func(i, j int) bool { return cases[i].Name < cases[j].Name })
	return cases, err
}

// CacheDir is where built cases are kept between runs.
func CacheDir() string {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, "stockade-compat")
}

// Build compiles every case (in parallel) into cacheDir, reusing binaries
// whose source, shared header, flags and compiler are unchanged. It returns an
// error only when the compiler itself is unusable; a case that does not
// compile gets BuildErr and counts as failing natively.
func Build(ctx context.Context, cases []Case, casesDir, cacheDir string, workers int) error {
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		return fmt.Errorf("gcc is needed to build the cases: %w", err)
	}
	ver, err := exec.Command(gcc, "--version").Output()
	if err != nil {
		return fmt.Errorf("gcc --version: %w", err)
	}
	header, err := os.ReadFile(filepath.Join(casesDir, "check.h"))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return err
	}
	forEach(len(cases), workers, func(i int) {
		c := &cases[i]
		src, err := os.ReadFile(c.Src)
		if err != nil {
			c.BuildErr = err.Error()
			return
		}
		h := sha256.New()
		for _, part := range [][]byte{ver, []byte(strings.Join(cflags, " ")), header, src} {
			fmt.Fprintf(h, "%d:", len(part))
			h.Write(part)
		}
		sum := hex.EncodeToString(h.Sum(nil))[:20]
		bin := filepath.Join(cacheDir, strings.ReplaceAll(c.Name, "/", "__")+"-"+sum)
		if _, err := os.Stat(bin); err == nil {
			c.Bin = bin
			return
		}
		tmp := fmt.Sprintf("%s.tmp%d", bin, os.Getpid())
		args := append(append([]string{}, cflags...), "-I", casesDir, "-o", tmp, c.Src)
		cmd := exec.CommandContext(ctx, gcc, args...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			os.Remove(tmp)
			c.BuildErr = "build failed: " + firstLine(out, err.Error())
			return
		}
		if err := os.Rename(tmp, bin); err != nil {
			c.BuildErr = err.Error()
			return
		}
		c.Bin = bin
	})
	return ctx.Err()
}

// BuildStockade builds the sandbox under test from <root>/runsc into out.
// go build is incremental, so this is cheap when nothing changed.
func BuildStockade(root, out string) error {
	gotool, err := exec.LookPath("go")
	if err != nil {
		gotool = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	cmd := exec.Command(gotool, "build", "-o", out, "./runsc")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0") // as `make build` (BUILD.md)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build -o %s ./runsc: %v\n%s", out, err, b)
	}
	return nil
}

// GVisorPrefix returns the gVisor command prefix, or why it cannot be used.
func GVisorPrefix() ([]string, string) {
	if _, err := os.Stat(GVisorPath); err != nil {
		return nil, GVisorPath + " is not installed (apt-get install runsc)"
	}
	if os.Geteuid() != 0 {
		return nil, "gVisor's runsc do needs root"
	}
	return []string{GVisorPath, "--platform=ptrace", "--network=none", "do"}, ""
}

// Sandbox is one column of the report: a command prefix the case binary is
// appended to. An empty prefix runs the binary natively.
type Sandbox struct {
	Name   string // "native", "stockade", "gvisor"
	Prefix []string
}

// Result is the outcome of one case in one sandbox.
type Result struct {
	Pass   bool
	Detail string // why it failed: "exit 1: FAIL: ...", "killed by SIGSEGV", "timeout after 10s"
	Took   time.Duration
}

// Run runs bin under sb with the fixed environment, stdin from /dev/null and
// stdout/stderr into files (not pipes: gVisor leaves a shared pipe
// non-blocking, and a file cannot keep Wait hanging on a stray grandchild).
// The whole process group is killed at the timeout.
func Run(ctx context.Context, sb Sandbox, bin string, timeout time.Duration) Result {
	start := time.Now()
	dir, err := os.MkdirTemp("", "stockade-compat-run-")
	if err != nil {
		return Result{Detail: "runner: " + err.Error()}
	}
	defer os.RemoveAll(dir)
	outF, err := os.Create(filepath.Join(dir, "stdout"))
	if err != nil {
		return Result{Detail: "runner: " + err.Error()}
	}
	defer outF.Close()
	errF, err := os.Create(filepath.Join(dir, "stderr"))
	if err != nil {
		return Result{Detail: "runner: " + err.Error()}
	}
	defer errF.Close()

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	argv := append(append([]string{}, sb.Prefix...), bin)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = Env()
	cmd.Dir = "/"
	cmd.Stdout = outF
	cmd.Stderr = errF
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	runErr := cmd.Run()
	if cmd.Process != nil {
		// Leftovers (a forked child that outlived the case) must not linger.
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	r := Result{Took: time.Since(start)}
	stdout, _ := os.ReadFile(outF.Name())
	stderr, _ := os.ReadFile(errF.Name())
	if ctx.Err() == context.DeadlineExceeded {
		r.Detail = fmt.Sprintf("timeout after %v", timeout)
		if l := firstLine(stderr, ""); l != "" {
			r.Detail += ": " + l
		}
		return r
	}
	if cmd.ProcessState == nil {
		r.Detail = "could not run: " + fmt.Sprint(runErr)
		return r
	}
	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
	out := firstLine(stderr, firstLine(stdout, ""))
	switch {
	case ws.Signaled():
		r.Detail = "killed by " + sigName(ws.Signal())
		if out != "" {
			r.Detail += ": " + out
		}
	case ws.ExitStatus() != 0:
		r.Detail = fmt.Sprintf("exit %d", ws.ExitStatus())
		if s := ws.ExitStatus(); s > 128 && s < 128+65 {
			r.Detail += " (128+" + sigName(syscall.Signal(s-128)) + ")"
		}
		if out != "" {
			r.Detail += ": " + out
		}
	case len(stdout) > 0:
		r.Detail = "exit 0 but printed on stdout: " + firstLine(stdout, "")
	case len(stderr) > 0:
		r.Detail = "exit 0 but printed on stderr: " + firstLine(stderr, "")
	default:
		r.Pass = true
	}
	return r
}

// Results maps case name to sandbox name to result.
type Results map[string]map[string]Result

// RunAll runs every case in every sandbox with a pool of workers. Cases that
// did not build fail in every sandbox with their build error.
func RunAll(ctx context.Context, cases []Case, sandboxes []Sandbox, workers int, timeout time.Duration, progress func(done, total int)) Results {
	type job struct{ c, s int }
	var jobs []job
	for i := range cases {
		for j := range sandboxes {
			jobs = append(jobs, job{i, j})
		}
	}
	res := make(Results)
	for _, c := range cases {
		res[c.Name] = make(map[string]Result)
	}
	var mu sync.Mutex
	done := 0
	forEach(len(jobs), workers, func(k int) {
		c, sb := cases[jobs[k].c], sandboxes[jobs[k].s]
		var r Result
		if c.BuildErr != "" {
			r = Result{Detail: c.BuildErr}
		} else {
			r = Run(ctx, sb, c.Bin, timeout)
		}
		mu.Lock()
		res[c.Name][sb.Name] = r
		done++
		if progress != nil {
			progress(done, len(jobs))
		}
		mu.Unlock()
	})
	return res
}

// Merge combines repeated runs: a case passes only if it passed in every
// run; one that passed in some runs and failed in others is marked flaky.
func Merge(runs []Results) Results {
	if len(runs) == 1 {
		return runs[0]
	}
	out := make(Results)
	for name, bySandbox := range runs[0] {
		out[name] = make(map[string]Result)
		for sb := range bySandbox {
			var fails []Result
			var took time.Duration
			for _, run := range runs {
				r := run[name][sb]
				took += r.Took
				if !r.Pass {
					fails = append(fails, r)
				}
			}
			m := Result{Pass: len(fails) == 0, Took: took / time.Duration(len(runs))}
			switch {
			case len(fails) == len(runs):
				m.Detail = fails[0].Detail
			case len(fails) > 0:
				m.Detail = fmt.Sprintf("flaky: failed %d of %d runs: %s", len(fails), len(runs), fails[0].Detail)
			}
			out[name][sb] = m
		}
	}
	return out
}

// Counts returns how many cases passed and failed in sandbox sb.
func (res Results) Counts(cases []Case, sb string) (passed, failed int) {
	for _, c := range cases {
		if r, ok := res[c.Name][sb]; ok {
			if r.Pass {
				passed++
			} else {
				failed++
			}
		}
	}
	return
}

// Report writes the Markdown report: the per-case table, per-area counts and,
// for each sandbox, "N passed, M failed" and the list of failures.
func Report(w io.Writer, cases []Case, sandboxes []Sandbox, res Results) {
	fmt.Fprintf(w, "| case |")
	for _, sb := range sandboxes {
		fmt.Fprintf(w, " %s |", sb.Name)
	}
	fmt.Fprintf(w, " first difference |\n|---|")
	for range sandboxes {
		fmt.Fprintf(w, "---|")
	}
	fmt.Fprintf(w, "---|\n")
	for _, c := range cases {
		fmt.Fprintf(w, "| %s |", c.Name)
		var diffs []string
		for _, sb := range sandboxes {
			r := res[c.Name][sb.Name]
			if r.Pass {
				fmt.Fprintf(w, " pass |")
				continue
			}
			fmt.Fprintf(w, " **FAIL** |")
			d := r.Detail
			if len(sandboxes) > 1 {
				d = sb.Name + ": " + d
			}
			diffs = append(diffs, d)
		}
		fmt.Fprintf(w, " %s |\n", mdEscape(strings.Join(diffs, "; ")))
	}

	fmt.Fprintf(w, "\n| area | cases |")
	for _, sb := range sandboxes {
		fmt.Fprintf(w, " %s |", sb.Name)
	}
	fmt.Fprintf(w, "\n|---|---|")
	for range sandboxes {
		fmt.Fprintf(w, "---|")
	}
	fmt.Fprintln(w)
	var areas []string
	byArea := map[string][]Case{}
	for _, c := range cases {
		if _, ok := byArea[c.Area()]; !ok {
			areas = append(areas, c.Area())
		}
		byArea[c.Area()] = append(byArea[c.Area()], c)
	}
	for _, a := range append(areas, "**total**") {
		cs := byArea[a]
		if a == "**total**" {
			cs = cases
		}
		fmt.Fprintf(w, "| %s | %d |", a, len(cs))
		for _, sb := range sandboxes {
			p, _ := res.Counts(cs, sb.Name)
			fmt.Fprintf(w, " %d |", p)
		}
		fmt.Fprintln(w)
	}

	for _, sb := range sandboxes {
		p, f := res.Counts(cases, sb.Name)
		fmt.Fprintf(w, "\n## %s: %s\n\n%d passed, %d failed\n", sb.Name, strings.Join(sb.Prefix, " "), p, f)
		if f > 0 {
			fmt.Fprintf(w, "\nFailures:\n")
			for _, c := range cases {
				if r := res[c.Name][sb.Name]; !r.Pass {
					fmt.Fprintf(w, "- %s: %s\n", c.Name, r.Detail)
				}
			}
		}
	}
}

// ReadBaseline reads baseline.txt: one case name a line (mapped to true);
// blank lines and lines starting with '#' are ignored, except that
// "# flaky: <case>" maps the case to false (known, but not required to pass).
func ReadBaseline(path string) (map[string]bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	names := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "# flaky: "); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				names[f[0]] = false
			}
			continue
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		names[line] = true
	}
	return names, sc.Err()
}

// WriteBaseline writes the names of the cases that pass both natively and
// under sandbox sb. Lines "# flaky: <case> ..." of the existing file are kept
// and those cases left out: known-flaky cases must not gate CI.
func WriteBaseline(path string, cases []Case, res Results, sb string) (int, error) {
	flaky := map[string]bool{}
	var flakyLines []string
	if old, err := os.ReadFile(path); err == nil {
		for _, line := range strings.Split(string(old), "\n") {
			if rest, ok := strings.CutPrefix(line, "# flaky: "); ok {
				if f := strings.Fields(rest); len(f) > 0 {
					flaky[f[0]] = true
					flakyLines = append(flakyLines, line)
				}
			}
		}
	}
	var b strings.Builder
	b.WriteString("# Cases of test/syscalls that pass under Stockade (bin/runsc do).\n")
	b.WriteString("# compat_test.go fails if one of them stops passing. Regenerate with:\n")
	b.WriteString("#   go run ./test/syscalls/cmd/compat -update-baseline -count 3\n")
	b.WriteString("# Lines \"# flaky: <case> <why>\" are kept and keep that case out.\n")
	for _, l := range flakyLines {
		b.WriteString(l + "\n")
	}
	n := 0
	for _, c := range cases {
		if res[c.Name]["native"].Pass && res[c.Name][sb].Pass && !flaky[c.Name] {
			b.WriteString(c.Name + "\n")
			n++
		}
	}
	return n, os.WriteFile(path, []byte(b.String()), 0o644)
}

// forEach calls fn(0..n-1) on a pool of workers.
func forEach(n, workers int, fn func(i int)) {
	if workers < 1 {
		workers = 1
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

// firstLine returns the first non-empty line of b, clipped, or def.
func firstLine(b []byte, def string) string {
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			if len(l) > 200 {
				l = l[:200] + "…"
			}
			return l
		}
	}
	return def
}

func sigName(s syscall.Signal) string {
	names := map[syscall.Signal]string{
		syscall.SIGABRT: "SIGABRT", syscall.SIGALRM: "SIGALRM", syscall.SIGBUS: "SIGBUS",
		syscall.SIGFPE: "SIGFPE", syscall.SIGHUP: "SIGHUP", syscall.SIGILL: "SIGILL",
		syscall.SIGINT: "SIGINT", syscall.SIGKILL: "SIGKILL", syscall.SIGPIPE: "SIGPIPE",
		syscall.SIGPROF: "SIGPROF", syscall.SIGQUIT: "SIGQUIT", syscall.SIGSEGV: "SIGSEGV",
		syscall.SIGSYS: "SIGSYS", syscall.SIGTERM: "SIGTERM", syscall.SIGTRAP: "SIGTRAP",
		syscall.SIGUSR1: "SIGUSR1", syscall.SIGUSR2: "SIGUSR2", syscall.SIGXCPU: "SIGXCPU",
		syscall.SIGXFSZ: "SIGXFSZ", syscall.SIGVTALRM: "SIGVTALRM",
	}
	if n, ok := names[s]; ok {
		return n
	}
	return fmt.Sprintf("signal %d", int(s))
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
