package seccomp

import (
	"encoding/binary"
	"math/rand"
	"testing"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// data builds a struct seccomp_data for x/net/bpf's VM, which loads 32-bit
// words big-endian: each word is stored big-endian at its kernel offset,
// so the program sees the values the kernel would give it.
func data(arch uint32, nr int32, args [6]uint64) []byte {
	b := make([]byte, 64)
	be := binary.BigEndian
	be.PutUint32(b[offNr:], uint32(nr))
	be.PutUint32(b[offArch:], arch)
	be.PutUint64(b[8:], 0x401000) // instruction pointer
	for i, a := range args {
		be.PutUint32(b[offArgs+8*i:], uint32(a))
		be.PutUint32(b[offArgs+8*i+4:], uint32(a>>32))
	}
	return b
}

// vmFor assembles s, disassembles the raw program (so what runs is what the
// kernel would get) and returns a VM.
func vmFor(t *testing.T, s RuleSet) (*bpf.VM, int) {
	t.Helper()
	raw, err := Assemble(s)
	if err != nil {
		t.Fatalf("Assemble: %v", err)
	}
	prog, ok := bpf.Disassemble(raw)
	if !ok {
		t.Fatalf("Disassemble: not every instruction decoded")
	}
	vm, err := bpf.NewVM(prog)
	if err != nil {
		t.Fatalf("NewVM: %v", err)
	}
	return vm, len(raw)
}

func run(t *testing.T, vm *bpf.VM, arch uint32, nr int32, args [6]uint64) Action {
	t.Helper()
	r, err := vm.Run(data(arch, nr, args))
	if err != nil {
		t.Fatalf("VM: %v", err)
	}
	return Action(uint32(r))
}

func TestAllowDenyAndArch(t *testing.T) {
	s := RuleSet{
		Allow: map[uintptr][]Rule{
			unix.SYS_READ:  nil,
			unix.SYS_WRITE: nil,
			unix.SYS_IOCTL: {{AnyArg, Eq(unix.TCGETS)}, {AnyArg, Eq(unix.TIOCGWINSZ)}},
		},
		Actions: map[uintptr]Action{unix.SYS_CLONE3: Errno(unix.ENOSYS)},
		Default: KillProcess,
		BadArch: Trap,
	}
	vm, _ := vmFor(t, s)
	x86 := uint32(unix.AUDIT_ARCH_X86_64)
	cases := []struct {
		name string
		arch uint32
		nr   int32
		args [6]uint64
		want Action
	}{
		{"read", x86, unix.SYS_READ, [6]uint64{}, Allow},
		{"write", x86, unix.SYS_WRITE, [6]uint64{1, 2, 3}, Allow},
		{"openat denied", x86, unix.SYS_OPENAT, [6]uint64{}, KillProcess},
		{"ioctl TCGETS", x86, unix.SYS_IOCTL, [6]uint64{0, unix.TCGETS}, Allow},
		{"ioctl TIOCGWINSZ", x86, unix.SYS_IOCTL, [6]uint64{7, unix.TIOCGWINSZ}, Allow},
		{"ioctl TIOCSTI", x86, unix.SYS_IOCTL, [6]uint64{0, unix.TIOCSTI}, KillProcess},
		{"ioctl TCGETS high bits", x86, unix.SYS_IOCTL, [6]uint64{0, 1<<32 | unix.TCGETS}, KillProcess},
		{"clone3", x86, unix.SYS_CLONE3, [6]uint64{}, Errno(unix.ENOSYS)},
		{"i386", unix.AUDIT_ARCH_I386, unix.SYS_READ, [6]uint64{}, Trap},
		{"x32", x86, 0x40000000 | unix.SYS_READ, [6]uint64{}, Trap},
		{"huge nr", x86, -1, [6]uint64{}, Trap},
	}
	for _, c := range cases {
		if got := run(t, vm, c.arch, c.nr, c.args); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
		if got := s.Evaluate(c.arch, c.nr, c.args); got != c.want {
			t.Errorf("%s: Evaluate says %v, want %v", c.name, got, c.want)
		}
	}
}

func TestArgumentComparisons(t *testing.T) {
	const v = 0x0000000500000010 // high half 5, low half 16
	values := []uint64{0, 1, 0xf, 0x10, 0x11, 0xffffffff, 1 << 32, 4<<32 | 0xffffffff,
		5 << 32, 5<<32 | 0xf, v, v + 1, 5<<32 | 0xffffffff, 6 << 32, 6<<32 | 0x10, ^uint64(0), 0x8000000000000000}
	for _, c := range []Arg{Eq(v), Ne(v), Lt(v), Le(v), Gt(v), Ge(v), Masked(0xff000000ff, 0x0500000010), FlagsIn(0x0500000fff)} {
		for _, argIdx := range []int{0, 3, 5} {
			r := make(Rule, argIdx+1)
			r[argIdx] = c
			s := RuleSet{Allow: map[uintptr][]Rule{unix.SYS_MMAP: {r}}, Default: Errno(unix.EPERM)}
			vm, _ := vmFor(t, s)
			for _, x := range values {
				var args [6]uint64
				args[argIdx] = x
				want := Errno(unix.EPERM)
				if c.matches(x) {
					want = Allow
				}
				if got := run(t, vm, unix.AUDIT_ARCH_X86_64, unix.SYS_MMAP, args); got != want {
					t.Errorf("op %d value %#x on arg %d with arg=%#x: got %v, want %v", c.Op, c.Value, argIdx, x, got, want)
				}
			}
		}
	}
}

// TestRandomRuleSets compares the BPF program with the Go evaluation of
// random policies, large enough to need the search tree and far jumps.
func TestRandomRuleSets(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	ops := []Op{Any, Equal, NotEqual, MaskedEqual, Less, LessEqual, Greater, GreaterEqual}
	interesting := []uint64{0, 1, 2, 3, 0xff, 1 << 31, 1<<32 - 1, 1 << 32, 1<<32 + 1, 7 << 40, ^uint64(0)}
	pick := func() uint64 {
		if rng.Intn(3) == 0 {
			return rng.Uint64() >> uint(rng.Intn(64))
		}
		return interesting[rng.Intn(len(interesting))]
	}
	for iter := 0; iter < 40; iter++ {
		s := RuleSet{Allow: map[uintptr][]Rule{}, Actions: map[uintptr]Action{}, Default: Trap}
		n := 1 + rng.Intn(250)
		for i := 0; i < n; i++ {
			nr := uintptr(rng.Intn(460))
			if rng.Intn(15) == 0 {
				if _, ok := s.Allow[nr]; !ok {
					s.Actions[nr] = Errno(unix.Errno(1 + rng.Intn(100)))
				}
				continue
			}
			if _, ok := s.Actions[nr]; ok {
				continue
			}
			var rules []Rule
			for j := rng.Intn(4); j > 0; j-- {
				r := make(Rule, 1+rng.Intn(6))
				for k := range r {
					if rng.Intn(2) == 0 {
						continue // AnyArg
					}
					r[k] = Arg{Op: ops[rng.Intn(len(ops))], Value: pick(), Mask: pick()}
					if r[k].Op == MaskedEqual {
						r[k].Value &= r[k].Mask
					}
				}
				rules = append(rules, r)
			}
			s.Allow[nr] = rules
		}
		vm, size := vmFor(t, s)
		if iter == 0 {
			t.Logf("first policy: %d calls, %d instructions", len(s.Allow)+len(s.Actions), size)
		}
		for q := 0; q < 3000; q++ {
			nr := int32(rng.Intn(470))
			var args [6]uint64
			// Often aim at a rule's own values so matches happen.
			if rs := s.Allow[uintptr(nr)]; len(rs) > 0 && rng.Intn(2) == 0 {
				r := rs[rng.Intn(len(rs))]
				for k := range args {
					args[k] = pick()
					if k < len(r) && rng.Intn(3) > 0 {
						args[k] = r[k].Value + uint64(rng.Intn(3)) - 1
					}
				}
			} else {
				for k := range args {
					args[k] = pick()
				}
			}
			want := s.Evaluate(unix.AUDIT_ARCH_X86_64, nr, args)
			if got := run(t, vm, unix.AUDIT_ARCH_X86_64, nr, args); got != want {
				t.Fatalf("policy %d: nr %d args %#x: BPF %v, Go %v", iter, nr, args, got, want)
			}
		}
	}
}

func TestBuildErrors(t *testing.T) {
	if _, err := Build(RuleSet{Allow: map[uintptr][]Rule{1: nil}, Actions: map[uintptr]Action{1: Trap}}); err == nil {
		t.Error("a call both allowed and given an action was accepted")
	}
	if _, err := Build(RuleSet{Allow: map[uintptr][]Rule{x32Bit + 1: nil}}); err == nil {
		t.Error("an x32 number was accepted")
	}
	if _, err := Build(RuleSet{Allow: map[uintptr][]Rule{1: {make(Rule, 7)}}}); err == nil {
		t.Error("a rule on 7 arguments was accepted")
	}
	// An empty policy is valid: everything gets the default.
	vm, _ := vmFor(t, RuleSet{Default: Errno(unix.EPERM)})
	if got := run(t, vm, unix.AUDIT_ARCH_X86_64, 0, [6]uint64{}); got != Errno(unix.EPERM) {
		t.Errorf("empty policy: %v", got)
	}
}

func TestMerge(t *testing.T) {
	s := RuleSet{Allow: map[uintptr][]Rule{1: {{Eq(1)}}, 2: nil, 3: {{Eq(3)}}}}
	s.Merge(RuleSet{Allow: map[uintptr][]Rule{1: {{Eq(2)}}, 2: {{Eq(5)}}, 4: nil}, Actions: map[uintptr]Action{9: Trap}})
	if len(s.Allow[1]) != 2 || s.Allow[2] != nil || len(s.Allow[3]) != 1 || s.Allow[4] != nil || s.Actions[9] != Trap {
		t.Errorf("merged: %+v", s)
	}
	if _, ok := s.Allow[4]; !ok {
		t.Error("merge dropped call 4")
	}
}
