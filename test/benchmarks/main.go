// Command benchmarks runs the same workloads natively, under Stockade
// (bin/runsc do) and under gVisor (runsc --platform=ptrace do), alternating
// between them, and prints the medians and their ratios as a Markdown table.
//
//	go run ./test/benchmarks            # 5 runs of each workload per sandbox
//	go run ./test/benchmarks -short     # smoke run: 1 run, small sizes
//	go run ./test/benchmarks -sandboxes=native,gvisor -run 'getpid|stat'
//
// Workloads written in C (workloads/*.c, embedded in this program) are built
// with the host's gcc into a temporary directory at start. Each one times its
// own loop and prints a single number, so sandbox start-up does not count;
// the others are timed as a whole from this process. In every column lower is
// better, and a ratio above 1 means the numerator is slower.
//
// A workload that fails under one sandbox shows "error" in that cell (with the
// reason under the table) and does not stop the others. "n/a" marks a sandbox
// that is not available here (gVisor needs /usr/bin/runsc and root).
package main

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

//go:embed workloads/*.c workloads/*.h
var sources embed.FS

// A sandbox is one way of running a command: natively (no prefix) or behind
// a command prefix such as "bin/runsc do".
type sandbox struct {
	name   string
	prefix []string
	// unavailable, if set, says why this sandbox cannot run here; its
	// column then reads "n/a" (not an error: the host lacks it).
	unavailable string
	// broken, if set, says why every run would fail (e.g. the build of
	// bin/runsc failed); its column then reads "error".
	broken string
}

// env is what a workload needs to form its command: the directory of the
// built programs and scratch files, and the run's size.
type env struct {
	dir   string
	short bool
}

// A workload is one row of the table. To add one, add an entry to workloads
// below (and, for a C program, a file in workloads/ named after prog).
type workload struct {
	name string
	unit string
	// prog names the C program workloads/<prog>.c it runs, if any; it is
	// built once at start with cflags.
	prog   string
	cflags []string
	// setup, if set, prepares files in e.dir once before the first run.
	setup func(e *env) error
	// argv is the command to run; sandboxed tells whether it runs under a
	// sandbox, for workloads that use a smaller count there.
	argv func(e *env, sandboxed bool) []string
	// self: the command prints its own measurement (the last line of its
	// stdout, a number in unit). Otherwise the wall time of the whole
	// command, in milliseconds, is the measurement.
	self bool
}

// count picks an iteration count for a self-timed loop.
func count(e *env, sandboxed bool, native, sandbox int) string {
	n := native
	if sandboxed {
		n = sandbox
	}
	if e.short {
		n /= 10
		if n < 1 {
			n = 1
		}
	}
	return strconv.Itoa(n)
}

func (e *env) path(name string) string { return filepath.Join(e.dir, name) }

const seqReadFile = "seqread.data"

func seqReadSize(e *env) int64 {
	if e.short {
		return 16 << 20
	}
	return 256 << 20
}

var workloads = []workload{
	{
		name: "getpid", unit: "ns/call", prog: "getpid", self: true,
		argv: func(e *env, sb bool) []string {
			return []string{e.path("getpid"), count(e, sb, 200000, 20000)}
		},
	},
	{
		name: "start-up /bin/true", unit: "ms",
		argv: func(e *env, sb bool) []string { return []string{"/bin/true"} },
	},
	{
		name: "fork+exec+wait", unit: "µs/iter", prog: "forkexec", self: true,
		argv: func(e *env, sb bool) []string {
			return []string{e.path("forkexec"), count(e, sb, 300, 30), "/bin/true"}
		},
	},
	{
		name: "futex ping-pong", unit: "ns/round trip", prog: "futex", cflags: []string{"-pthread"}, self: true,
		argv: func(e *env, sb bool) []string {
			return []string{e.path("futex"), count(e, sb, 100000, 5000)}
		},
	},
	{
		name: "open+read+close", unit: "ns/iter", prog: "openread", self: true,
		argv: func(e *env, sb bool) []string {
			return []string{e.path("openread"), count(e, sb, 100000, 5000), "/etc/services"}
		},
	},
	{
		name: "stat", unit: "ns/call", prog: "stat", self: true,
		argv: func(e *env, sb bool) []string {
			return []string{e.path("stat"), count(e, sb, 200000, 10000), "/etc/services"}
		},
	},
	{
		name: "sequential read 256 MiB", unit: "ms", prog: "seqread", self: true,
		setup: func(e *env) error { return makeFile(e.path(seqReadFile), seqReadSize(e)) },
		argv: func(e *env, sb bool) []string {
			return []string{e.path("seqread"), "1024", e.path(seqReadFile)}
		},
	},
	{
		name: "gcc build", unit: "ms",
		argv: func(e *env, sb bool) []string {
			return []string{"/usr/bin/gcc", "-O2", "-pthread", "-o", e.path("gcc-out"), e.path("futex.c")}
		},
	},
	{
		name: "python3 -c pass", unit: "ms",
		argv: func(e *env, sb bool) []string { return []string{"/usr/bin/python3", "-c", "pass"} },
	},
	{
		// Walks and reads a large tree of the (overlay) root.
		name: "tar -cf /dev/null python3.11 lib", unit: "ms",
		argv: func(e *env, sb bool) []string {
			return []string{"/bin/tar", "-cf", "/dev/null", "/usr/lib/python3.11"}
		},
	},
}

// makeFile writes size bytes of non-zero data to path (once; page cache warm
// for every sandbox alike since runs alternate).
func makeFile(path string, size int64) error {
	if st, err := os.Stat(path); err == nil && st.Size() == size {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	block := make([]byte, 1<<20)
	for i := range block {
		block[i] = byte(i*7 + 1)
	}
	for left := size; left > 0; left -= int64(len(block)) {
		n := int64(len(block))
		if left < n {
			n = left
		}
		if _, err := f.Write(block[:n]); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}

// cell holds one workload's samples under one sandbox.
type cell struct {
	Samples []float64 `json:"samples,omitempty"`
	Median  *float64  `json:"median,omitempty"`
	Status  string    `json:"status"` // "ok", "error", "n/a", "-" (not selected)
	Error   string    `json:"error,omitempty"`
}

type row struct {
	Workload string           `json:"workload"`
	Unit     string           `json:"unit"`
	Cells    map[string]*cell `json:"results"`
}

type options struct {
	n         int
	warmup    int
	short     bool
	sandboxes map[string]bool
	stockade  string
	gvisor    string
	build     bool
	run       *regexp.Regexp
	timeout   time.Duration
	json      bool
	verbose   bool
}

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "benchmarks:", err)
		os.Exit(1)
	}
}

// run is the whole program; the test calls it with its own arguments.
func run(args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("benchmarks", flag.ContinueOnError)
	fl.SetOutput(stderr)
	n := fl.Int("n", 5, "measured runs of each workload per sandbox")
	warmup := fl.Int("warmup", 1, "unmeasured runs first (0 with -short)")
	short := fl.Bool("short", false, "smoke run: 1 run, no warm-up, small sizes")
	sbs := fl.String("sandboxes", "native,stockade,gvisor", "comma-separated sandboxes to run (env STOCKADE_BENCH_SANDBOXES)")
	stockade := fl.String("stockade", "", "Stockade command prefix (default: <repo>/bin/runsc do)")
	gvisor := fl.String("gvisor", "/usr/bin/runsc --platform=ptrace --network=none do", "gVisor command prefix")
	build := fl.Bool("build", true, "build <repo>/bin/runsc first (go build -o bin/runsc ./runsc)")
	runRE := fl.String("run", "", "only workloads whose name matches this regexp")
	timeout := fl.Duration("timeout", 5*time.Minute, "limit of one run")
	jsonOut := fl.Bool("json", false, "print JSON instead of the Markdown table")
	verbose := fl.Bool("v", false, "log each run on stderr")
	oci := fl.Bool("oci", true, "with the stockade sandbox and the Markdown table: also the container runtime rows, runsc vs runc (oci.go)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if fl.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fl.Args())
	}
	o := options{n: *n, warmup: *warmup, short: *short, stockade: *stockade, gvisor: *gvisor,
		build: *build, timeout: *timeout, json: *jsonOut, verbose: *verbose}
	if o.short {
		o.n, o.warmup = 1, 0
	}
	if o.n < 1 {
		return errors.New("-n must be at least 1")
	}
	sel := *sbs
	if v := os.Getenv("STOCKADE_BENCH_SANDBOXES"); v != "" && !flagSet(fl, "sandboxes") {
		sel = v
	}
	o.sandboxes = map[string]bool{}
	for _, s := range strings.Split(sel, ",") {
		s = strings.TrimSpace(s)
		switch s {
		case "":
		case "native", "stockade", "gvisor":
			o.sandboxes[s] = true
		default:
			return fmt.Errorf("unknown sandbox %q (want native, stockade, gvisor)", s)
		}
	}
	if *runRE != "" {
		re, err := regexp.Compile(*runRE)
		if err != nil {
			return err
		}
		o.run = re
	}

	dir, err := os.MkdirTemp("", "stockade-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	e := &env{dir: dir, short: o.short}

	sandboxes := setupSandboxes(&o, stderr)
	rows := runAll(&o, e, sandboxes, stderr)
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	printTable(stdout, &o, sandboxes, rows)
	if st := sandboxes[1]; *oci && o.sandboxes["stockade"] && st.broken == "" && len(st.prefix) > 0 {
		printOCITable(stdout, ociBench(&o, st.prefix[0], stderr))
	}
	return nil
}

func flagSet(fl *flag.FlagSet, name string) bool {
	set := false
	fl.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}

// setupSandboxes returns the three columns, in table order, each either
// runnable or marked unavailable/broken with the reason.
func setupSandboxes(o *options, log io.Writer) []*sandbox {
	native := &sandbox{name: "native"}

	st := &sandbox{name: "stockade"}
	if o.stockade != "" {
		st.prefix = strings.Fields(o.stockade)
	} else if root, err := repoRoot(); err != nil {
		st.broken = err.Error()
	} else {
		bin := filepath.Join(root, "bin", "runsc")
		st.prefix = []string{bin, "do"}
		if o.build && o.sandboxes["stockade"] {
			cmd := exec.Command(goTool(), "build", "-o", bin, "./runsc")
			cmd.Dir = root
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0") // as `make build` (BUILD.md)
			if out, err := cmd.CombinedOutput(); err != nil {
				st.broken = fmt.Sprintf("go build -o bin/runsc ./runsc: %v: %s", err, firstLine(out))
				fmt.Fprintf(log, "benchmarks: building bin/runsc failed: %v\n%s", err, out)
			}
		}
	}
	if st.broken == "" && len(st.prefix) > 0 {
		if _, err := exec.LookPath(st.prefix[0]); err != nil {
			st.broken = fmt.Sprintf("%s: %v", st.prefix[0], err)
		}
	}

	gv := &sandbox{name: "gvisor", prefix: strings.Fields(o.gvisor)}
	switch {
	case len(gv.prefix) == 0:
		gv.unavailable = "no gVisor command given"
	case os.Geteuid() != 0:
		gv.unavailable = "gVisor's runsc do needs root here"
	default:
		if _, err := exec.LookPath(gv.prefix[0]); err != nil {
			gv.unavailable = fmt.Sprintf("%s is absent", gv.prefix[0])
		}
	}
	return []*sandbox{native, st, gv}
}

func repoRoot() (string, error) {
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

func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return "/usr/local/go/bin/go"
}

func firstLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " …"
	}
	return s
}

// buildPrograms copies the C sources into e.dir and compiles those the
// selected workloads need. It returns, per program, why it could not be built.
func buildPrograms(e *env, ws []workload) map[string]error {
	failed := map[string]error{}
	err := fs.WalkDir(sources, "workloads", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := sources.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(e.path(filepath.Base(p)), data, 0o644)
	})
	gcc, gccErr := exec.LookPath("gcc")
	for _, w := range ws {
		if w.prog == "" {
			continue
		}
		if _, done := failed[w.prog]; done {
			continue
		}
		switch {
		case err != nil:
			failed[w.prog] = err
		case gccErr != nil:
			failed[w.prog] = errors.New("gcc not found")
		default:
			args := append([]string{"-O2", "-Wall", "-o", e.path(w.prog), e.path(w.prog + ".c")}, w.cflags...)
			if out, err := exec.Command(gcc, args...).CombinedOutput(); err != nil {
				failed[w.prog] = fmt.Errorf("gcc %s.c: %v: %s", w.prog, err, firstLine(out))
			}
		}
	}
	return failed
}

func runAll(o *options, e *env, sandboxes []*sandbox, log io.Writer) []*row {
	var ws []workload
	for _, w := range workloads {
		if o.run == nil || o.run.MatchString(w.name) {
			ws = append(ws, w)
		}
	}
	buildErr := buildPrograms(e, ws)

	var rows []*row
	for _, w := range ws {
		r := &row{Workload: w.name, Unit: w.unit, Cells: map[string]*cell{}}
		rows = append(rows, r)
		var active []*sandbox
		for _, sb := range sandboxes {
			c := &cell{Status: "ok"}
			r.Cells[sb.name] = c
			switch {
			case !o.sandboxes[sb.name]:
				c.Status = "-"
			case sb.unavailable != "":
				c.Status, c.Error = "n/a", sb.unavailable
			case sb.broken != "":
				c.Status, c.Error = "error", sb.broken
			case buildErr[w.prog] != nil:
				c.Status, c.Error = "error", buildErr[w.prog].Error()
			default:
				active = append(active, sb)
			}
		}
		if len(active) > 0 && w.setup != nil {
			if err := w.setup(e); err != nil {
				for _, sb := range active {
					r.Cells[sb.name].Status = "error"
					r.Cells[sb.name].Error = "setup: " + err.Error()
				}
				active = nil
			}
		}
		// Alternate between the sandboxes, rotating which goes first so
		// that none always runs right after another's cold start.
		for i := 0; i < o.warmup+o.n; i++ {
			for j := range active {
				sb := active[(i+j)%len(active)]
				c := r.Cells[sb.name]
				if c.Status != "ok" {
					continue
				}
				v, err := runOnce(o, e, w, sb)
				if o.verbose {
					fmt.Fprintf(log, "%-24s %-9s run %d: %v %v\n", w.name, sb.name, i, v, errOrEmpty(err))
				}
				if err != nil {
					c.Status, c.Error = "error", err.Error()
					c.Samples = nil
					continue
				}
				if i >= o.warmup {
					c.Samples = append(c.Samples, v)
				}
			}
		}
		for _, c := range r.Cells {
			if c.Status == "ok" {
				m := median(c.Samples)
				c.Median = &m
			}
		}
	}
	return rows
}

func errOrEmpty(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// runOnce runs workload w once under sb and returns its measurement.
// Output goes to files, never pipes: gVisor leaves a shared pipe
// non-blocking, and a file cannot block Wait on a stray grandchild.
func runOnce(o *options, e *env, w workload, sb *sandbox) (float64, error) {
	argv := append(append([]string{}, sb.prefix...), w.argv(e, sb.name != "native")...)
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	outF, err := os.CreateTemp(e.dir, "stdout-")
	if err != nil {
		return 0, err
	}
	defer os.Remove(outF.Name())
	defer outF.Close()
	errF, err := os.CreateTemp(e.dir, "stderr-")
	if err != nil {
		return 0, err
	}
	defer os.Remove(errF.Name())
	defer errF.Close()

	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = outF, errF
	cmd.Dir = e.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	start := time.Now()
	runErr := cmd.Run()
	wall := time.Since(start)
	if ctx.Err() != nil {
		return 0, fmt.Errorf("timed out after %v", o.timeout)
	}
	if runErr != nil {
		msg, _ := os.ReadFile(errF.Name())
		if s := firstLine(msg); s != "" {
			return 0, fmt.Errorf("%v: %s", runErr, s)
		}
		return 0, runErr
	}
	if !w.self {
		return float64(wall.Nanoseconds()) / 1e6, nil
	}
	out, err := os.ReadFile(outF.Name())
	if err != nil {
		return 0, err
	}
	fields := strings.Fields(string(out))
	if len(fields) == 0 {
		return 0, errors.New("no measurement on stdout")
	}
	v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0, fmt.Errorf("bad measurement %q", fields[len(fields)-1])
	}
	return v, nil
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// formatValue prints a measurement with three significant digits or more.
func formatValue(v float64) string {
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
}

func cellText(c *cell) string {
	if c.Status == "ok" {
		return formatValue(*c.Median)
	}
	return c.Status
}

func ratio(a, b *cell) string {
	if a.Status != "ok" || b.Status != "ok" || *b.Median == 0 {
		return "-"
	}
	return strconv.FormatFloat(*a.Median / *b.Median, 'f', 2, 64) + "×"
}

func printTable(w io.Writer, o *options, sandboxes []*sandbox, rows []*row) {
	size := ""
	if o.short {
		size = " (-short: small sizes)"
	}
	fmt.Fprintf(w, "Medians of %d run(s) each after %d warm-up%s; lower is better; a ratio > 1 means slower.\n\n", o.n, o.warmup, size)
	fmt.Fprintln(w, "| workload | native | stockade | gvisor | stockade/native | gvisor/native | stockade/gvisor |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		na, st, gv := r.Cells["native"], r.Cells["stockade"], r.Cells["gvisor"]
		fmt.Fprintf(w, "| %s (%s) | %s | %s | %s | %s | %s | %s |\n", r.Workload, r.Unit,
			cellText(na), cellText(st), cellText(gv), ratio(st, na), ratio(gv, na), ratio(st, gv))
	}
	// Reasons, one per distinct message, in table order.
	var notes []string
	seen := map[string]bool{}
	for _, r := range rows {
		for _, sb := range sandboxes {
			c := r.Cells[sb.name]
			if c.Error == "" {
				continue
			}
			key := sb.name + ": " + c.Error
			if sb.unavailable != "" || sb.broken != "" {
				if seen[key] {
					continue
				}
				seen[key] = true
				notes = append(notes, fmt.Sprintf("- %s (%s): %s", sb.name, c.Status, c.Error))
				continue
			}
			notes = append(notes, fmt.Sprintf("- %s, %s: %s", r.Workload, sb.name, c.Error))
		}
	}
	if len(notes) > 0 {
		fmt.Fprintln(w)
		for _, n := range notes {
			fmt.Fprintln(w, n)
		}
	}
}
