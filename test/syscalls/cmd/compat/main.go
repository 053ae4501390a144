// Command compat runs Stockade's Linux compatibility suite (test/syscalls)
// natively, under Stockade and, when installed and root, under gVisor, and
// prints a Markdown table with per-case results, per-area counts and, for
// each sandbox, "N passed, M failed" with the list of failures.
//
//	go run ./test/syscalls/cmd/compat                    # the report (make compat)
//	go run ./test/syscalls/cmd/compat -update-baseline -count 3   # rewrite baseline.txt
//	go run ./test/syscalls/cmd/compat -run 'pipes/' -gvisor=false
//
// It exits 1 if a case fails natively (a broken case) or a case listed in
// baseline.txt fails under Stockade (a regression).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	suite "stockade.dev/test/syscalls"
)

func main() {
	var (
		runsc    = flag.String("runsc", "", "Stockade binary to test (default: build <repo>/bin/runsc from ./runsc)")
		gvisor   = flag.Bool("gvisor", true, "add the gVisor column when "+suite.GVisorPath+" is installed and we are root")
		stockade = flag.Bool("stockade", true, "run the Stockade column")
		workers  = flag.Int("workers", suite.DefaultWorkers, "cases run in parallel")
		timeout  = flag.Duration("timeout", suite.DefaultTimeout, "per-case time limit (a hang is a failure)")
		runRE    = flag.String("run", "", "only cases whose area/name matches this regexp")
		update   = flag.Bool("update-baseline", false, "rewrite baseline.txt with the cases that pass natively and under Stockade")
		count    = flag.Int("count", 1, "run every case this many times; a case passes only if it passes every time")
		quiet    = flag.Bool("q", false, "no progress on stderr")
	)
	flag.Parse()
	if err := run(*runsc, *gvisor, *stockade, *workers, *timeout, *runRE, *update, *quiet, *count); err != nil {
		fmt.Fprintln(os.Stderr, "compat:", err)
		os.Exit(1)
	}
}

func run(runsc string, gvisor, stockade bool, workers int, timeout time.Duration, runRE string, update, quiet bool, count int) error {
	root, err := suite.RepoRoot()
	if err != nil {
		return err
	}
	var filter *regexp.Regexp
	if runRE != "" {
		if filter, err = regexp.Compile(runRE); err != nil {
			return err
		}
		if update {
			return fmt.Errorf("-update-baseline needs the whole suite: drop -run")
		}
	}
	if update && !stockade {
		return fmt.Errorf("-update-baseline needs the Stockade column")
	}
	cases, err := suite.Discover(suite.CasesDir(root), filter)
	if err != nil {
		return err
	}
	if len(cases) == 0 {
		return fmt.Errorf("no cases match %q", runRE)
	}
	ctx := context.Background()
	logf := func(format string, args ...any) {
		if !quiet {
			fmt.Fprintf(os.Stderr, format, args...)
		}
	}
	logf("building %d cases...\n", len(cases))
	if err := suite.Build(ctx, cases, suite.CasesDir(root), suite.CacheDir(), workers); err != nil {
		return err
	}

	sandboxes := []suite.Sandbox{{Name: "native"}}
	if stockade {
		if runsc == "" {
			runsc = filepath.Join(root, "bin", "runsc")
			logf("building %s...\n", runsc)
			if err := suite.BuildStockade(root, runsc); err != nil {
				return err
			}
		}
		sandboxes = append(sandboxes, suite.Sandbox{Name: "stockade", Prefix: []string{runsc, "do"}})
	}
	if gvisor {
		if prefix, why := suite.GVisorPrefix(); why != "" {
			logf("no gVisor column: %s\n", why)
		} else {
			sandboxes = append(sandboxes, suite.Sandbox{Name: "gvisor", Prefix: prefix})
		}
	}

	start := time.Now()
	var runs []suite.Results
	for i := 0; i < max(count, 1); i++ {
		runs = append(runs, suite.RunAll(ctx, cases, sandboxes, workers, timeout, func(done, total int) {
			if done%100 == 0 || done == total {
				logf("run %d: %d/%d\n", i+1, done, total)
			}
		}))
	}
	res := suite.Merge(runs)
	logf("ran in %v\n", time.Since(start).Round(time.Second))
	suite.Report(os.Stdout, cases, sandboxes, res)

	var problems []string
	if _, f := res.Counts(cases, "native"); f > 0 {
		problems = append(problems, fmt.Sprintf("%d cases fail natively (broken cases)", f))
	}
	if stockade {
		path := suite.BaselinePath(root)
		if update {
			n, err := suite.WriteBaseline(path, cases, res, "stockade")
			if err != nil {
				return err
			}
			logf("wrote %s: %d cases\n", path, n)
		} else if base, err := suite.ReadBaseline(path); err == nil {
			var reg, fixed []string
			for _, c := range cases {
				r := res[c.Name]["stockade"]
				switch {
				case base[c.Name] && !r.Pass:
					reg = append(reg, c.Name+": "+r.Detail)
				case !listed(base, c.Name) && r.Pass && res[c.Name]["native"].Pass:
					fixed = append(fixed, c.Name)
				}
			}
			if len(fixed) > 0 {
				fmt.Printf("\nNewly passing under Stockade (not in baseline.txt; run `go run ./test/syscalls/cmd/compat -update-baseline -count 3`):\n- %s\n", strings.Join(fixed, "\n- "))
			}
			if len(reg) > 0 {
				fmt.Printf("\nRegressions (in baseline.txt, now failing under Stockade):\n- %s\n", strings.Join(reg, "\n- "))
				problems = append(problems, fmt.Sprintf("%d baseline cases regressed under Stockade", len(reg)))
			}
		} else if !os.IsNotExist(err) {
			return err
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

// listed reports whether the baseline names the case, as required or flaky.
func listed(base map[string]bool, name string) bool {
	_, ok := base[name]
	return ok
}
