package sysno

import (
	"testing"

	"golang.org/x/sys/unix"
)

func TestKnownNumbers(t *testing.T) {
	for _, tc := range []struct {
		nr   uintptr
		name string
	}{
		{0, "read"},
		{1, "write"},
		{59, "execve"},
		{156, "_sysctl"},
		{231, "exit_group"},
		{257, "openat"},
		{262, "newfstatat"},
		{302, "prlimit64"},
		{332, "statx"},
		{435, "clone3"},
		{439, "faccessat2"},
		{462, "mseal"},
		{unix.SYS_RT_SIGACTION, "rt_sigaction"},
		{unix.SYS_PREAD64, "pread64"},
	} {
		if got := Name(tc.nr); got != tc.name {
			t.Errorf("Name(%d) = %q, want %q", tc.nr, got, tc.name)
		}
		if !Valid(tc.nr) {
			t.Errorf("Valid(%d) = false", tc.nr)
		}
		if nr, ok := Number(tc.name); !ok || nr != tc.nr {
			t.Errorf("Number(%q) = %d, %v; want %d, true", tc.name, nr, ok, tc.nr)
		}
	}
}

func TestUnassigned(t *testing.T) {
	for _, nr := range []uintptr{337, 400, 423, Max, Max + 100, ^uintptr(0)} {
		if Valid(nr) {
			t.Errorf("Valid(%d) = true", nr)
		}
	}
	if got := Name(400); got != "syscall_400" {
		t.Errorf("Name(400) = %q", got)
	}
	if _, ok := Number("syscall_400"); ok {
		t.Error(`Number("syscall_400") found`)
	}
	if _, ok := Number("nosuchcall"); ok {
		t.Error(`Number("nosuchcall") found`)
	}
}

func TestUniqueNames(t *testing.T) {
	seen := map[string]uintptr{}
	n := 0
	for nr := uintptr(0); nr < Max; nr++ {
		if !Valid(nr) {
			continue
		}
		n++
		name := Name(nr)
		if prev, dup := seen[name]; dup {
			t.Errorf("name %q used by %d and %d", name, prev, nr)
		}
		seen[name] = nr
		if got, ok := Number(name); !ok || got != nr {
			t.Errorf("Number(Name(%d)) = %d, %v", nr, got, ok)
		}
	}
	if !Valid(Max - 1) {
		t.Errorf("Max-1 = %d is not valid", Max-1)
	}
	if n < 370 {
		t.Errorf("only %d assigned numbers", n)
	}
}
