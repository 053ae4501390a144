package syscalls_test

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	suite "stockade.dev/test/syscalls"
)

var (
	gvisorFlag = flag.Bool("gvisor", false, "also run the informational gVisor column (env STOCKADE_COMPAT_GVISOR=1)")
	runFlag    = flag.String("cases", "", "only cases whose area/name matches this regexp (the baseline check then covers only those)")
)

// TestCompat builds every case, runs it natively and under Stockade, and
// fails if a case fails natively (the case is broken) or a case listed in
// baseline.txt fails under Stockade (a regression). Cases newly passing under
// Stockade are only logged. The gVisor column, when asked for, is
// informational and never fails the test.
func TestCompat(t *testing.T) {
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("gcc is absent: cannot build the cases")
	}
	root, err := suite.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	cases, err := suite.Discover(suite.CasesDir(root), nil)
	if err != nil {
		t.Fatal(err)
	}
	if *runFlag != "" {
		re, err := regexp.Compile(*runFlag)
		if err != nil {
			t.Fatal(err)
		}
		var keep []suite.Case
		for _, c := range cases {
			if re.MatchString(c.Name) {
				keep = append(keep, c)
			}
		}
		cases = keep
	}
	if len(cases) == 0 {
		t.Fatal("no cases found")
	}
	base, err := suite.ReadBaseline(suite.BaselinePath(root))
	if err != nil {
		t.Fatalf("reading the baseline: %v", err)
	}
	known := map[string]bool{}
	for _, c := range cases {
		known[c.Name] = true
	}
	if *runFlag == "" {
		for name := range base {
			if !known[name] {
				t.Errorf("baseline.txt lists %q, which is not a case (removed or renamed? update the baseline)", name)
			}
		}
	}

	ctx := context.Background()
	if err := suite.Build(ctx, cases, suite.CasesDir(root), suite.CacheDir(), suite.DefaultWorkers); err != nil {
		t.Fatal(err)
	}
	// A private copy of runsc: test/e2e builds <repo>/bin/runsc concurrently
	// under `go test ./...`, and replacing a binary while it runs is racy.
	runsc := filepath.Join(t.TempDir(), "runsc")
	if err := suite.BuildStockade(root, runsc); err != nil {
		t.Fatal(err)
	}
	sandboxes := []suite.Sandbox{{Name: "native"}, {Name: "stockade", Prefix: []string{runsc, "do"}}}
	if *gvisorFlag || os.Getenv("STOCKADE_COMPAT_GVISOR") == "1" {
		if prefix, why := suite.GVisorPrefix(); why != "" {
			t.Logf("no gVisor column: %s", why)
		} else {
			sandboxes = append(sandboxes, suite.Sandbox{Name: "gvisor", Prefix: prefix})
		}
	}

	res := suite.RunAll(ctx, cases, sandboxes, suite.DefaultWorkers, suite.DefaultTimeout, nil)

	var newly []string
	for _, c := range cases {
		native, stockade := res[c.Name]["native"], res[c.Name]["stockade"]
		t.Run(c.Name, func(t *testing.T) {
			if !native.Pass {
				t.Errorf("broken case: fails natively: %s", native.Detail)
				return
			}
			if base[c.Name] && !stockade.Pass {
				t.Errorf("regression: listed in baseline.txt but fails under Stockade: %s", stockade.Detail)
			}
			if g, ok := res[c.Name]["gvisor"]; ok && !g.Pass {
				t.Logf("gVisor (informational): %s", g.Detail)
			}
		})
		if _, listed := base[c.Name]; native.Pass && stockade.Pass && !listed {
			newly = append(newly, c.Name)
		}
	}
	sort.Strings(newly)
	if len(newly) > 0 {
		t.Logf("%d cases newly pass under Stockade; add them to the baseline with\n\tgo run ./test/syscalls/cmd/compat -update-baseline -count 3\n%s",
			len(newly), strings.Join(newly, "\n"))
	}
	var sb strings.Builder
	suite.Report(&sb, cases, sandboxes, res)
	t.Log("\n" + sb.String())
	for _, s := range sandboxes {
		p, f := res.Counts(cases, s.Name)
		t.Logf("%s: %d passed, %d failed", s.Name, p, f)
	}
}
