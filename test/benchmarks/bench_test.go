package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestShortNative runs the whole harness in -short mode natively only, so
// that it keeps working while the sandboxes are not there yet.
func TestShortNative(t *testing.T) {
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("gcc is absent: the workloads cannot be built")
	}
	var out, log bytes.Buffer
	if err := run([]string{"-short", "-sandboxes=native", "-build=false"}, &out, &log); err != nil {
		t.Fatalf("run: %v\n%s", err, log.String())
	}
	t.Logf("\n%s", out.String())
	table := out.String()
	for _, w := range workloads {
		var line string
		for _, l := range strings.Split(table, "\n") {
			if strings.HasPrefix(l, "| "+w.name+" (") {
				line = l
			}
		}
		if line == "" {
			t.Errorf("no row for workload %q", w.name)
			continue
		}
		cells := strings.Split(line, "|")
		// "", workload, native, stockade, gvisor, ratios..., ""
		if len(cells) != 9 {
			t.Errorf("row %q has %d cells, want 9", line, len(cells))
			continue
		}
		native := strings.TrimSpace(cells[2])
		if native == "error" || native == "-" || native == "n/a" {
			t.Errorf("workload %q: native cell is %q\n%s", w.name, native, table)
		}
		if got := strings.TrimSpace(cells[3]); got != "-" {
			t.Errorf("workload %q: stockade cell is %q, want - (not selected)", w.name, got)
		}
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// TestShortStockade runs the harness in -short mode natively and under
// Stockade: every workload must produce a number in the Stockade column (the
// numbers themselves mean nothing here).
func TestShortStockade(t *testing.T) {
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("gcc is absent: the workloads cannot be built")
	}
	bin := t.TempDir() + "/runsc"
	build := exec.Command("go", "build", "-o", bin, "stockade.dev/runsc")
	build.Env = append(os.Environ(), "CGO_ENABLED=0") // as `make build` (BUILD.md)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building runsc: %v\n%s", err, out)
	}
	var out, log bytes.Buffer
	if err := run([]string{"-short", "-sandboxes=native,stockade", "-build=false", "-stockade", bin + " do"}, &out, &log); err != nil {
		t.Fatalf("run: %v\n%s", err, log.String())
	}
	t.Logf("\n%s", out.String())
	for _, l := range strings.Split(out.String(), "\n") {
		if !strings.HasPrefix(l, "| ") || strings.HasPrefix(l, "| workload") {
			continue
		}
		cells := strings.Split(l, "|")
		if len(cells) != 9 {
			continue
		}
		if got := strings.TrimSpace(cells[3]); got == "error" || got == "-" || got == "n/a" {
			t.Errorf("%s: stockade cell is %q\n%s", strings.TrimSpace(cells[1]), got, log.String())
		}
	}
}
