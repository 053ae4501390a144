package main

// The OCI runtime rows: Stockade's runsc against runc as container
// runtimes, measured in the same run, alternating: `runsc run` vs `runc
// run` of a busybox bundle running true, and `docker run --rm IMG true`
// with --runtime=runsc vs --runtime=runc on a dockerd this program starts
// for the purpose (its own state directory, stopped at the end). A row
// whose prerequisite is missing (root, runc, dockerd) says why.

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// ociRow is one row of the OCI table: a median per runtime, or a reason.
type ociRow struct {
	Workload string `json:"workload"`
	Runc     *cell  `json:"runc"`
	Runsc    *cell  `json:"runsc"`
	samples  [2][]float64
	run      [2]func(i int) error
}

// ociBench measures the OCI rows with runsc (Stockade's bin/runsc).
func ociBench(o *options, runsc string, log io.Writer) []*ociRow {
	dir, err := os.MkdirTemp("", "stk-oci-")
	if err != nil {
		return []*ociRow{{Workload: "runsc run (bundle)", Runc: &cell{Status: "error", Error: err.Error()}, Runsc: &cell{Status: "error", Error: err.Error()}}}
	}
	defer os.RemoveAll(dir)
	docker, stop := dockerRow(dir, runsc, log)
	defer stop()
	rows := []*ociRow{bundleRow(dir, runsc), docker}
	for _, r := range rows {
		measure(o, r, log)
	}
	return rows
}

// measure times r's two commands alternately (which goes first rotates).
func measure(o *options, r *ociRow, log io.Writer) {
	cells := [2]*cell{r.Runc, r.Runsc}
	if r.run[0] == nil || r.run[1] == nil {
		return
	}
	for i := 0; i < o.warmup+o.n; i++ {
		for j := 0; j < 2; j++ {
			k := (i + j) % 2
			if cells[k].Status != "ok" {
				continue
			}
			start := time.Now()
			err := r.run[k](i)
			ms := float64(time.Since(start).Microseconds()) / 1000
			if o.verbose {
				fmt.Fprintf(log, "%-34s %-5s run %d: %.1f ms %s\n", r.Workload, []string{"runc", "runsc"}[k], i, ms, errOrEmpty(err))
			}
			if err != nil {
				cells[k].Status, cells[k].Error = "error", err.Error()
				continue
			}
			if i >= o.warmup {
				r.samples[k] = append(r.samples[k], ms)
			}
		}
	}
	for k, c := range cells {
		if c.Status == "ok" {
			m := median(r.samples[k])
			c.Median = &m
		}
	}
}

func newOCIRow(name string) *ociRow {
	return &ociRow{Workload: name, Runc: &cell{Status: "ok"}, Runsc: &cell{Status: "ok"}}
}

func (r *ociRow) unavailable(why string) *ociRow {
	r.Runc.Status, r.Runc.Error = "n/a", why
	r.Runsc.Status, r.Runsc.Error = "n/a", why
	return r
}

// bundleRow is `runsc run` vs `runc run` of a busybox bundle running true.
func bundleRow(dir, runsc string) *ociRow {
	r := newOCIRow("`runsc run` vs `runc run`: busybox bundle, true")
	if os.Geteuid() != 0 {
		return r.unavailable("runc run needs root")
	}
	runc, err := exec.LookPath("runc")
	if err != nil {
		return r.unavailable("runc is not installed")
	}
	bundle := filepath.Join(dir, "bundle")
	if err := makeBundle(bundle, runsc); err != nil {
		return r.unavailable("making the bundle: " + err.Error())
	}
	for k, bin := range []string{runc, runsc} {
		bin, root := bin, filepath.Join(dir, fmt.Sprintf("root%d", k))
		r.run[k] = func(i int) error {
			id := fmt.Sprintf("stk-bench-%d-%d-%d", os.Getpid(), k, i)
			out, err := exec.Command(bin, "--root", root, "run", "--bundle", bundle, id).CombinedOutput()
			if err != nil {
				exec.Command(bin, "--root", root, "delete", "--force", id).Run()
				return fmt.Errorf("%s run: %v: %s", filepath.Base(bin), err, firstLine(out))
			}
			return nil
		}
	}
	return r
}

// makeBundle writes a busybox-static bundle whose process is true.
func makeBundle(bundle, runsc string) error {
	bb, err := os.ReadFile("/bin/busybox")
	if err != nil {
		return fmt.Errorf("a static /bin/busybox is needed (apt-get install busybox-static): %v", err)
	}
	bin := filepath.Join(bundle, "rootfs", "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(bin, "busybox"), bb, 0o755); err != nil {
		return err
	}
	if err := os.Symlink("busybox", filepath.Join(bin, "true")); err != nil {
		return err
	}
	if out, err := exec.Command(runsc, "spec", "--bundle", bundle).CombinedOutput(); err != nil {
		return fmt.Errorf("runsc spec: %v: %s", err, firstLine(out))
	}
	p := filepath.Join(bundle, "config.json")
	b, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	// runsc spec's process is sh with a terminal: run true without one.
	s := string(b)
	s = strings.Replace(s, `"terminal": true`, `"terminal": false`, 1)
	i, j := strings.Index(s, `"args": [`), -1
	if i >= 0 {
		j = strings.Index(s[i:], "]")
	}
	if i < 0 || j < 0 {
		return fmt.Errorf("runsc spec wrote no process args")
	}
	s = s[:i] + `"args": ["true"]` + s[i+j+1:]
	return os.WriteFile(p, []byte(s), 0o644)
}

// benchDockerd is a dockerd started by this program.
type benchDockerd struct {
	dir, client string
	cmd         *exec.Cmd
	done        chan struct{}
}

// dockerRow is `docker run --rm IMG true` with runsc vs runc; stop stops
// the dockerd it started (once the row is measured).
func dockerRow(dir, runsc string, log io.Writer) (r *ociRow, stop func()) {
	r = newOCIRow("`docker run --rm IMG true`: --runtime=runsc vs runc")
	stop = func() {}
	if os.Geteuid() != 0 {
		return r.unavailable("starting a dockerd needs root"), stop
	}
	dockerd, err := exec.LookPath("dockerd")
	if err != nil {
		return r.unavailable("dockerd is not installed (apt-get install docker.io)"), stop
	}
	client := filepath.Join(filepath.Dir(dockerd), "docker")
	if _, err := os.Stat(client); err != nil {
		if client, err = exec.LookPath("docker"); err != nil {
			return r.unavailable("the docker client is not installed"), stop
		}
	}
	d, err := startBenchDockerd(dir, dockerd, client, runsc)
	if err != nil {
		fmt.Fprintf(log, "benchmarks: dockerd: %v\n", err)
		return r.unavailable("dockerd could not start here: " + firstLine([]byte(err.Error()))), stop
	}
	r.run[0] = func(int) error { return d.docker("run", "--rm", "--runtime=runc", "stk-bench:busybox", "true") }
	r.run[1] = func(int) error { return d.docker("run", "--rm", "--runtime=runsc", "stk-bench:busybox", "true") }
	return r, d.stop
}

func (d *benchDockerd) docker(args ...string) error {
	cmd := exec.Command(d.client, args...)
	cmd.Env = append(os.Environ(), "DOCKER_HOST=unix://"+filepath.Join(d.dir, "docker.sock"), "DOCKER_CONFIG="+filepath.Join(d.dir, "client"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("docker %s: %v: %s", strings.Join(args, " "), err, firstLine(out))
	}
	return nil
}

// startBenchDockerd starts dockerd with runsc registered (runsc install)
// in a directory of its own under dir, and imports a busybox image.
func startBenchDockerd(dir, dockerd, client, runsc string) (*benchDockerd, error) {
	d := &benchDockerd{dir: filepath.Join(dir, "docker"), client: client}
	if err := os.MkdirAll(d.dir, 0o755); err != nil {
		return nil, err
	}
	config := filepath.Join(d.dir, "daemon.json")
	if out, err := exec.Command(runsc, "install", "--config", config, "--runtime", "runsc").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("runsc install: %v: %s", err, firstLine(out))
	}
	var errs []string
	for _, driver := range []string{"", "vfs"} {
		if err := d.start(dockerd, config, driver); err != nil {
			errs = append(errs, fmt.Sprintf("storage driver %q: %v", driver, err))
			continue
		}
		if err := d.importBusybox(); err != nil {
			d.stop()
			errs = append(errs, fmt.Sprintf("storage driver %q: importing the image: %v", driver, err))
			continue
		}
		return d, nil
	}
	return nil, fmt.Errorf("%s", strings.Join(errs, "; "))
}

func (d *benchDockerd) start(dockerd, config, driver string) error {
	args := []string{"--iptables=false", "--ip-masq=false", "--bridge=none",
		"--data-root", filepath.Join(d.dir, "data"), "--exec-root", filepath.Join(d.dir, "exec"),
		"--pidfile", filepath.Join(d.dir, "dockerd.pid"), "-H", "unix://" + filepath.Join(d.dir, "docker.sock"),
		"--config-file", config}
	if driver != "" {
		args = append(args, "--storage-driver", driver)
	}
	logF, err := os.Create(filepath.Join(d.dir, "dockerd.log"))
	if err != nil {
		return err
	}
	defer logF.Close()
	cmd := exec.Command(dockerd, args...)
	cmd.Stdout, cmd.Stderr = logF, logF
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	d.cmd, d.done = cmd, make(chan struct{})
	go func() { cmd.Wait(); close(d.done) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-d.done:
			b, _ := os.ReadFile(logF.Name())
			d.cleanup()
			return fmt.Errorf("dockerd exited: %s", lastLine(b))
		case <-time.After(200 * time.Millisecond):
		}
		if d.docker("version") == nil {
			return nil
		}
		if time.Now().After(deadline) {
			d.stop()
			return fmt.Errorf("dockerd did not answer within 60s")
		}
	}
}

func lastLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return s
}

// importBusybox imports an image of a static busybox with true.
func (d *benchDockerd) importBusybox() error {
	bb, err := os.ReadFile("/bin/busybox")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	w := tar.NewWriter(&buf)
	for _, dir := range []string{"bin/", "tmp/", "proc/", "sys/", "dev/", "etc/"} {
		w.WriteHeader(&tar.Header{Name: dir, Typeflag: tar.TypeDir, Mode: 0o755, ModTime: time.Now()})
	}
	w.WriteHeader(&tar.Header{Name: "bin/busybox", Typeflag: tar.TypeReg, Mode: 0o755, Size: int64(len(bb)), ModTime: time.Now()})
	w.Write(bb)
	w.WriteHeader(&tar.Header{Name: "bin/true", Typeflag: tar.TypeSymlink, Linkname: "busybox", Mode: 0o777, ModTime: time.Now()})
	if err := w.Close(); err != nil {
		return err
	}
	cmd := exec.Command(d.client, "import", "-", "stk-bench:busybox")
	cmd.Env = append(os.Environ(), "DOCKER_HOST=unix://"+filepath.Join(d.dir, "docker.sock"), "DOCKER_CONFIG="+filepath.Join(d.dir, "client"))
	cmd.Stdin = &buf
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("docker import: %v: %s", err, firstLine(out))
	}
	return nil
}

// stop stops dockerd (SIGTERM, then SIGKILL of its process group) and
// removes what it left mounted under its directory.
func (d *benchDockerd) stop() {
	if d.cmd != nil {
		d.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-d.done:
		case <-time.After(20 * time.Second):
			syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
			<-d.done
		}
		d.cmd = nil
	}
	d.cleanup()
}

// cleanup unmounts what is left under d.dir (deepest first).
func (d *benchDockerd) cleanup() {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return
	}
	var mnts []string
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) > 4 && strings.HasPrefix(f[4], d.dir+"/") {
			mnts = append(mnts, f[4])
		}
	}
	for i := len(mnts) - 1; i >= 0; i-- {
		syscall.Unmount(mnts[i], syscall.MNT_DETACH)
	}
}

// printOCITable prints the OCI rows as Markdown.
func printOCITable(w io.Writer, rows []*ociRow) {
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| container runtime (ms per run) | runc | runsc | runsc/runc |")
	fmt.Fprintln(w, "|---|---:|---:|---:|")
	var notes []string
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", r.Workload, cellText(r.Runc), cellText(r.Runsc), ratio(r.Runsc, r.Runc))
		for k, c := range []*cell{r.Runc, r.Runsc} {
			if c.Error != "" {
				notes = append(notes, fmt.Sprintf("- %s, %s: %s", r.Workload, []string{"runc", "runsc"}[k], c.Error))
			}
		}
	}
	if len(notes) > 0 {
		fmt.Fprintln(w)
		for _, n := range notes {
			fmt.Fprintln(w, n)
		}
	}
}
