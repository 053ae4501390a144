package syscalls

import (
	"os"
	"testing"

	"stockade.dev/sentry/kernel"
	"stockade.dev/syscalls/sysno"
)

// TestEveryNumberHasOneStatus checks that the table covers every amd64
// system call number with exactly one support status, and that
// implemented entries have handlers and unimplemented ones an errno.
func TestEveryNumberHasOneStatus(t *testing.T) {
	tab := Table()
	if len(tab.Entries) != int(sysno.Max) {
		t.Fatalf("table has %d entries, want %d", len(tab.Entries), sysno.Max)
	}
	for nr, e := range tab.Entries {
		if !sysno.Valid(uintptr(nr)) {
			continue
		}
		if e.Name != sysno.Name(uintptr(nr)) {
			t.Errorf("%d: name %q, want %q", nr, e.Name, sysno.Name(uintptr(nr)))
		}
		switch e.Support {
		case kernel.Full, kernel.Partial:
			if e.Fn == nil {
				t.Errorf("%s: %v without a handler", e.Name, e.Support)
			}
			if e.Support == kernel.Partial && e.Note == "" {
				t.Errorf("%s: partial without a note saying what is missing", e.Name)
			}
		case kernel.Unimplemented:
			if e.Fn != nil || e.Errno == 0 {
				t.Errorf("%s: unimplemented but has a handler or no errno", e.Name)
			}
		default:
			t.Errorf("%s: unknown status %v", e.Name, e.Support)
		}
	}
	for name := range implemented {
		if _, ok := sysno.Number(name); !ok {
			t.Errorf("handler registered for unknown syscall %q", name)
		}
	}
}

// TestCompatibilityDocIsCurrent checks docs/compatibility.md matches the
// table (regenerate with `make compat-doc`).
func TestCompatibilityDocIsCurrent(t *testing.T) {
	want := CompatibilityMarkdown()
	got, err := os.ReadFile("../docs/compatibility.md")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatal("docs/compatibility.md is stale: run `make compat-doc`")
	}
}
