// Package seccomp builds and installs the host-side seccomp filters of
// Stockade's own processes (the sentry and the gofer).
//
// A RuleSet says, per host system call number, whether the call is allowed
// (optionally only when its arguments match one of several Rules), or which
// action it gets; everything else gets the default action. Build compiles a
// RuleSet into a classic BPF program:
//
//	ld  arch;  jne AUDIT_ARCH_X86_64 -> bad arch
//	ld  nr;    jge 0x40000000 (x32) -> bad arch
//	binary search over the listed numbers (jge pivots), small leaves
//	compared linearly; a match jumps to the call's argument checks
//	(each 64-bit argument compared as two 32-bit halves) or straight to
//	its action
//	ret default
//
// Install sets no_new_privs and installs the program for every thread of
// the process (SECCOMP_FILTER_FLAG_TSYNC).
package seccomp

import (
	"fmt"
	"sort"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// Action is a seccomp return value (SECCOMP_RET_*, with its data).
type Action uint32

// The actions a filter may return.
const (
	Allow       = Action(unix.SECCOMP_RET_ALLOW)
	KillProcess = Action(unix.SECCOMP_RET_KILL_PROCESS)
	KillThread  = Action(unix.SECCOMP_RET_KILL_THREAD)
	Trap        = Action(unix.SECCOMP_RET_TRAP)
	Log         = Action(unix.SECCOMP_RET_LOG)
	UserNotif   = Action(unix.SECCOMP_RET_USER_NOTIF)
)

// Errno is the action that fails the call with e without running it.
func Errno(e unix.Errno) Action {
	return Action(unix.SECCOMP_RET_ERRNO | (uint32(e) & unix.SECCOMP_RET_DATA))
}

func (a Action) String() string {
	switch a & unix.SECCOMP_RET_ACTION_FULL {
	case Allow:
		return "allow"
	case KillProcess:
		return "kill-process"
	case KillThread:
		return "kill-thread"
	case Trap:
		return "trap"
	case Log:
		return "log"
	case UserNotif:
		return "user-notif"
	case unix.SECCOMP_RET_ERRNO:
		return fmt.Sprintf("errno(%d)", uint32(a)&unix.SECCOMP_RET_DATA)
	}
	return fmt.Sprintf("action(%#x)", uint32(a))
}

// Op is how an argument is compared with a value. Comparisons are of
// unsigned 64-bit values.
type Op uint8

// The argument comparisons.
const (
	Any          Op = iota // no check
	Equal                  // arg == Value
	NotEqual               // arg != Value
	MaskedEqual            // arg & Mask == Value
	Less                   // arg < Value
	LessEqual              // arg <= Value
	Greater                // arg > Value
	GreaterEqual           // arg >= Value
)

// Arg is a check of one system call argument.
type Arg struct {
	Op    Op
	Value uint64
	Mask  uint64 // MaskedEqual only
}

// Helpers to write rules as data.
var AnyArg = Arg{}

// Eq matches arg == v.
func Eq(v uint64) Arg { return Arg{Op: Equal, Value: v} }

// Ne matches arg != v.
func Ne(v uint64) Arg { return Arg{Op: NotEqual, Value: v} }

// Masked matches arg&mask == v.
func Masked(mask, v uint64) Arg { return Arg{Op: MaskedEqual, Mask: mask, Value: v} }

// Lt matches arg < v.
func Lt(v uint64) Arg { return Arg{Op: Less, Value: v} }

// Le matches arg <= v.
func Le(v uint64) Arg { return Arg{Op: LessEqual, Value: v} }

// Gt matches arg > v.
func Gt(v uint64) Arg { return Arg{Op: Greater, Value: v} }

// Ge matches arg >= v.
func Ge(v uint64) Arg { return Arg{Op: GreaterEqual, Value: v} }

// FlagsIn matches an argument that has no bits outside allowed.
func FlagsIn(allowed uint64) Arg { return Masked(^allowed, 0) }

// Rule matches a call whose arguments all pass their checks: Rule[i] checks
// argument i; missing trailing arguments are not checked.
type Rule []Arg

// matches reports whether args pass r (used by tests and the pure-Go
// evaluator).
func (r Rule) matches(args [6]uint64) bool {
	for i, a := range r {
		if !a.matches(args[i]) {
			return false
		}
	}
	return true
}

func (a Arg) matches(v uint64) bool {
	switch a.Op {
	case Any:
		return true
	case Equal:
		return v == a.Value
	case NotEqual:
		return v != a.Value
	case MaskedEqual:
		return v&a.Mask == a.Value
	case Less:
		return v < a.Value
	case LessEqual:
		return v <= a.Value
	case Greater:
		return v > a.Value
	case GreaterEqual:
		return v >= a.Value
	}
	return false
}

// RuleSet is a filter's policy.
type RuleSet struct {
	// Allow lists the allowed system calls. A nil or empty slice allows
	// the call whatever its arguments; otherwise the call is allowed when
	// one of the rules matches, and gets the default action if none does.
	Allow map[uintptr][]Rule
	// Actions gives a system call a fixed action other than Allow (for
	// example ENOSYS for clone3, so that callers fall back to clone).
	Actions map[uintptr]Action
	// Default is the action of every other call.
	Default Action
	// BadArch is the action of calls that are not native x86-64 ones (i386
	// int 0x80, x32); 0 means KillProcess.
	BadArch Action
}

// Merge adds the calls of o to s: where both allow a call, the union of
// their rules is allowed (unconditional wins). o's Actions override s's.
func (s *RuleSet) Merge(o RuleSet) {
	if s.Allow == nil {
		s.Allow = map[uintptr][]Rule{}
	}
	for nr, rs := range o.Allow {
		old, ok := s.Allow[nr]
		switch {
		case !ok:
			s.Allow[nr] = append([]Rule(nil), rs...)
		case len(old) == 0 || len(rs) == 0:
			s.Allow[nr] = nil
		default:
			s.Allow[nr] = append(old, rs...)
		}
	}
	for nr, a := range o.Actions {
		if s.Actions == nil {
			s.Actions = map[uintptr]Action{}
		}
		s.Actions[nr] = a
	}
}

// Evaluate is the policy in plain Go: the action a call gets. Tests check
// the BPF program against it.
func (s *RuleSet) Evaluate(arch uint32, nr int32, args [6]uint64) Action {
	if arch != unix.AUDIT_ARCH_X86_64 || uint32(nr) >= x32Bit {
		return s.badArch()
	}
	if a, ok := s.Actions[uintptr(nr)]; ok {
		return a
	}
	rs, ok := s.Allow[uintptr(nr)]
	if !ok {
		return s.Default
	}
	if len(rs) == 0 {
		return Allow
	}
	for _, r := range rs {
		if r.matches(args) {
			return Allow
		}
	}
	return s.Default
}

func (s *RuleSet) badArch() Action {
	if s.BadArch == 0 {
		return KillProcess
	}
	return s.BadArch
}

// x32Bit marks x32 system call numbers (__X32_SYSCALL_BIT).
const x32Bit = 0x40000000

// Offsets in struct seccomp_data.
const (
	offNr   = 0
	offArch = 4
	offArgs = 16
)

// leafSize is the largest number of calls a search leaf compares linearly.
const leafSize = 4

// Build compiles the rule set into a BPF program.
func Build(s RuleSet) ([]bpf.Instruction, error) {
	for nr := range s.Actions {
		if _, ok := s.Allow[nr]; ok {
			return nil, fmt.Errorf("system call %d is both allowed and given action %v", nr, s.Actions[nr])
		}
	}
	for nr, rs := range s.Allow {
		for _, r := range rs {
			if len(r) > 6 {
				return nil, fmt.Errorf("system call %d: a rule checks %d arguments (at most 6)", nr, len(r))
			}
		}
	}
	var nrs []uintptr
	for nr := range s.Allow {
		nrs = append(nrs, nr)
	}
	for nr := range s.Actions {
		nrs = append(nrs, nr)
	}
	sort.Slice(nrs, func(i, j int) bool { return nrs[i] < nrs[j] })
	for _, nr := range nrs {
		if nr >= x32Bit {
			return nil, fmt.Errorf("system call number %#x is not a native x86-64 one", nr)
		}
	}

	a := &asm{rets: map[Action]int{}}
	// Built backwards: every jump is forward, so its target is placed
	// before the jump is.
	badArch := a.ret(s.badArch())
	def := a.ret(s.Default)
	// Per-call blocks: the argument checks or the call's action.
	blocks := make(map[uintptr]label, len(nrs))
	for i := len(nrs) - 1; i >= 0; i-- {
		nr := nrs[i]
		if act, ok := s.Actions[nr]; ok {
			blocks[nr] = a.ret(act)
			continue
		}
		rs := s.Allow[nr]
		if len(rs) == 0 {
			blocks[nr] = a.ret(Allow)
			continue
		}
		blocks[nr] = a.rules(rs, def)
	}
	// The search tree over the numbers; A holds nr throughout.
	tree := a.search(nrs, blocks, def)
	// Prologue.
	a.jump(bpf.JumpGreaterOrEqual, x32Bit, badArch, tree)
	a.emit(bpf.LoadAbsolute{Off: offNr, Size: 4})
	a.jump(bpf.JumpEqual, unix.AUDIT_ARCH_X86_64, a.here(), badArch)
	a.emit(bpf.LoadAbsolute{Off: offArch, Size: 4})
	prog := a.program()
	if len(prog) > bpfMaxInsns {
		return nil, fmt.Errorf("the filter has %d instructions, more than the kernel's limit of %d", len(prog), bpfMaxInsns)
	}
	return prog, nil
}

// bpfMaxInsns is the kernel's BPF_MAXINSNS.
const bpfMaxInsns = 4096

// Assemble builds the rule set and assembles it into raw instructions.
func Assemble(s RuleSet) ([]bpf.RawInstruction, error) {
	prog, err := Build(s)
	if err != nil {
		return nil, err
	}
	return bpf.Assemble(prog)
}

// label is a place in the program being built backwards: its distance from
// the end of the program (the last instruction is 1).
type label int

// asm assembles a program backwards.
type asm struct {
	rev  []bpf.Instruction // the program, last instruction first
	rets map[Action]int    // nearest "ret action" emitted, by action
}

// here is the label of the instruction emitted last (the current start).
func (a *asm) here() label { return label(len(a.rev)) }

func (a *asm) emit(ins bpf.Instruction) label {
	a.rev = append(a.rev, ins)
	return a.here()
}

// ret returns a label holding "ret act", reusing a near one.
func (a *asm) ret(act Action) label {
	if pos, ok := a.rets[act]; ok && a.skipTo(label(pos)) <= 255 {
		return label(pos)
	}
	l := a.emit(bpf.RetConstant{Val: uint32(act)})
	a.rets[act] = int(l)
	return l
}

// skipTo is the skip of a jump placed next (at here()+1) to reach l.
func (a *asm) skipTo(l label) int { return int(a.here()) - int(l) }

// reach returns a label equivalent to l that a conditional jump placed next
// can reach (a skip of at most 255), emitting a trampoline if needed.
func (a *asm) reach(l label) label {
	if a.skipTo(l) <= 255 {
		return l
	}
	// Far: a copy of the return if l is one, else an unconditional jump.
	if r, ok := a.rev[int(l)-1].(bpf.RetConstant); ok {
		nl := a.emit(r)
		a.rets[Action(r.Val)] = int(nl)
		return nl
	}
	return a.emit(bpf.Jump{Skip: uint32(a.skipTo(l))})
}

// jump emits "if A cond val goto t else goto f". It may emit trampolines
// first (placed after the jump).
func (a *asm) jump(cond bpf.JumpTest, val uint32, t, f label) label {
	t = a.reach(t)
	f = a.reach(f)
	// reach for f may have moved here(): t must still be reachable.
	t = a.reach(t)
	f = a.reach(f)
	return a.emit(bpf.JumpIf{Cond: cond, Val: val, SkipTrue: uint8(a.skipTo(t)), SkipFalse: uint8(a.skipTo(f))})
}

// goTo returns l, or a fresh unconditional jump to it if the fall-through
// path must start here.
func (a *asm) goTo(l label) label {
	if l == a.here() {
		return l
	}
	if r, ok := a.rev[int(l)-1].(bpf.RetConstant); ok {
		return a.emit(r)
	}
	return a.emit(bpf.Jump{Skip: uint32(a.skipTo(l))})
}

// search emits the binary search over the sorted numbers nrs, with nr in
// A, and returns its entry.
func (a *asm) search(nrs []uintptr, blocks map[uintptr]label, def label) label {
	if len(nrs) <= leafSize {
		next := def
		for i := len(nrs) - 1; i >= 0; i-- {
			next = a.jump(bpf.JumpEqual, uint32(nrs[i]), blocks[nrs[i]], next)
		}
		return a.goTo(next)
	}
	mid := len(nrs) / 2
	right := a.search(nrs[mid:], blocks, def)
	left := a.search(nrs[:mid], blocks, def)
	return a.jump(bpf.JumpGreaterOrEqual, uint32(nrs[mid]), right, left)
}

// rules emits the checks of a call's rules: allow when one matches, else
// go to def.
func (a *asm) rules(rs []Rule, def label) label {
	next := def
	for i := len(rs) - 1; i >= 0; i-- {
		allow := a.ret(Allow)
		next = a.rule(rs[i], allow, next)
	}
	return next
}

// rule emits the checks of one rule: go to pass if every argument matches,
// else to fail.
func (a *asm) rule(r Rule, pass, fail label) label {
	next := pass
	for i := len(r) - 1; i >= 0; i-- {
		if r[i].Op == Any {
			continue
		}
		next = a.arg(i, r[i], next, fail)
	}
	return a.goTo(next)
}

// arg emits the check of argument i, as two 32-bit halves.
func (a *asm) arg(i int, c Arg, pass, fail label) label {
	lo := uint32(offArgs + 8*i)
	hi := lo + 4
	vlo, vhi := uint32(c.Value), uint32(c.Value>>32)
	ld := func(off uint32) label { return a.emit(bpf.LoadAbsolute{Off: off, Size: 4}) }
	switch c.Op {
	case Equal:
		a.jump(bpf.JumpEqual, vlo, pass, fail)
		checkLo := ld(lo)
		a.jump(bpf.JumpEqual, vhi, checkLo, fail)
		return ld(hi)
	case NotEqual:
		a.jump(bpf.JumpEqual, vlo, fail, pass)
		checkLo := ld(lo)
		a.jump(bpf.JumpEqual, vhi, checkLo, pass)
		return ld(hi)
	case MaskedEqual:
		mlo, mhi := uint32(c.Mask), uint32(c.Mask>>32)
		a.jump(bpf.JumpEqual, vlo, pass, fail)
		a.emit(bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: mlo})
		checkLo := ld(lo)
		a.jump(bpf.JumpEqual, vhi, checkLo, fail)
		a.emit(bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: mhi})
		return ld(hi)
	case Greater, GreaterEqual:
		// hi > vhi: pass; hi == vhi: compare lo; else fail.
		cond := bpf.JumpGreaterThan
		if c.Op == GreaterEqual {
			cond = bpf.JumpGreaterOrEqual
		}
		a.jump(cond, vlo, pass, fail)
		checkLo := ld(lo)
		eq := a.jump(bpf.JumpEqual, vhi, checkLo, fail)
		a.jump(bpf.JumpGreaterThan, vhi, pass, eq)
		return ld(hi)
	case Less, LessEqual:
		// hi > vhi: fail; hi == vhi: compare lo; else pass.
		cond := bpf.JumpGreaterOrEqual // lo >= vlo fails arg < v
		if c.Op == LessEqual {
			cond = bpf.JumpGreaterThan
		}
		a.jump(cond, vlo, fail, pass)
		checkLo := ld(lo)
		eq := a.jump(bpf.JumpEqual, vhi, checkLo, pass)
		a.jump(bpf.JumpGreaterThan, vhi, fail, eq)
		return ld(hi)
	}
	panic(fmt.Sprintf("seccomp: unknown argument comparison %d", c.Op))
}

// program returns the instructions in execution order.
func (a *asm) program() []bpf.Instruction {
	p := make([]bpf.Instruction, len(a.rev))
	for i, ins := range a.rev {
		p[len(p)-1-i] = ins
	}
	return p
}
