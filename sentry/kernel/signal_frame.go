package kernel

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
)

// amd64 signal frame layout (struct rt_sigframe), as glibc, Go and every
// other runtime expect it.
const (
	saSiginfo   = 0x4
	saOnstack   = 0x08000000
	saRestorer  = 0x04000000
	saNodefer   = 0x40000000
	saResethand = 0x80000000
	// SaRestart is SA_RESTART.
	SaRestart = 0x10000000

	ucFPXState        = 1
	ucSigcontextSS    = 2
	ucStrictRestoreSS = 4

	fpXStateMagic1 = 0x46505853
	fpXStateMagic2 = 0x46505845

	redZone       = 128
	ucontextSize  = 304
	siginfoSize   = 128
	sigframeSize  = 8 + ucontextSize + siginfoSize
	mcontextOff   = 8 + 8 + 8 + 24 // within the frame: pretcode, uc_flags, uc_link, uc_stack
	sigmaskOff    = mcontextOff + 256
	siginfoOff    = 8 + ucontextSize
	fpstatePtrOff = mcontextOff + 184
)

// SignalStack is the alternate signal stack (sigaltstack).
type SignalStack struct {
	SP    uint64
	Flags int32
	Size  uint64
}

// onStack reports whether sp is within the alternate stack.
func (s SignalStack) onStack(sp uint64) bool {
	return s.Size != 0 && sp > s.SP && sp <= s.SP+s.Size
}

// setupSignalFrame builds an rt_sigframe on the application stack and points
// the registers at the handler.
func (t *Task) setupSignalFrame(info SigInfo, act SigAction) error {
	fp, err := t.ctx.FloatingPointState(t.MM.AddressSpace())
	if err != nil {
		return err
	}
	sp := t.Regs.Rsp
	onAlt := t.altStack.onStack(sp)
	if act.Flags&saOnstack != 0 && t.altStack.Size != 0 && t.altStack.Flags&SSDisable == 0 && !onAlt {
		sp = t.altStack.SP + t.altStack.Size
	} else {
		sp -= redZone
	}
	fpSize := uint64(len(fp)) + 4
	fpAddr := (sp - fpSize) &^ 63
	frame := ((fpAddr - sigframeSize) &^ 15) - 8

	// FP state, with the software-reserved bytes describing the XSAVE area.
	fpb := make([]byte, fpSize)
	copy(fpb, fp)
	le := binary.LittleEndian
	if len(fp) >= 512 {
		sw := fpb[464:]
		le.PutUint32(sw[0:], fpXStateMagic1)
		le.PutUint32(sw[4:], uint32(fpSize))
		if len(fp) >= 520 {
			le.PutUint64(sw[8:], le.Uint64(fp[512:])) // xfeatures from XSTATE_BV
		}
		le.PutUint32(sw[16:], uint32(len(fp)))
		le.PutUint32(fpb[len(fp):], fpXStateMagic2)
	}
	if _, err := t.MM.CopyOut(uintptr(fpAddr), fpb); err != nil {
		return err
	}

	b := make([]byte, sigframeSize)
	le.PutUint64(b[0:], act.Restorer)
	le.PutUint64(b[8:], ucFPXState|ucSigcontextSS|ucStrictRestoreSS)
	le.PutUint64(b[24:], t.altStack.SP)
	ssFlags := uint32(0)
	if t.altStack.Size == 0 {
		ssFlags = SSDisable
	} else if onAlt {
		ssFlags = SSOnstack
	}
	le.PutUint32(b[32:], ssFlags)
	le.PutUint64(b[40:], t.altStack.Size)
	r := &t.Regs
	mc := b[mcontextOff:]
	for i, v := range []uint64{r.R8, r.R9, r.R10, r.R11, r.R12, r.R13, r.R14, r.R15, r.Rdi, r.Rsi, r.Rbp, r.Rbx, r.Rdx, r.Rax, r.Rcx, r.Rsp, r.Rip, r.Eflags} {
		le.PutUint64(mc[i*8:], v)
	}
	le.PutUint16(mc[144:], uint16(r.Cs))
	le.PutUint16(mc[146:], uint16(r.Gs))
	le.PutUint16(mc[148:], uint16(r.Fs))
	le.PutUint16(mc[150:], uint16(r.Ss))
	if info.Signo == int(unix.SIGSEGV) || info.Signo == int(unix.SIGBUS) {
		le.PutUint64(mc[152:], 4|boolBit(info.Code == 2)) // err: user-mode fault
		le.PutUint64(mc[160:], 14)                        // trapno: page fault
		le.PutUint64(mc[176:], uint64(info.Addr))         // cr2
	}
	saved := t.sigMask
	if t.savedMask != nil {
		saved = *t.savedMask
		t.savedMask = nil
	}
	le.PutUint64(mc[168:], uint64(saved)) // oldmask
	le.PutUint64(mc[184:], fpAddr)
	le.PutUint64(b[sigmaskOff:], uint64(saved))
	EncodeSiginfo(b[siginfoOff:], info)
	if _, err := t.MM.CopyOut(uintptr(frame), b); err != nil {
		return err
	}

	r.Rsp = frame
	r.Rip = act.Handler
	r.Rdi = uint64(info.Signo)
	r.Rsi = frame + siginfoOff
	r.Rdx = frame + 8
	r.Rax = 0
	r.Eflags &^= 1<<8 | 1<<10 // TF, DF
	newMask := t.sigMask | act.Mask
	if act.Flags&saNodefer == 0 {
		newMask |= 1 << (info.Signo - 1)
	}
	t.SetSigMask(newMask)
	if act.Flags&saResethand != 0 {
		h := t.tg.sighand
		h.mu.Lock()
		h.actions[info.Signo] = SigAction{}
		h.mu.Unlock()
	}
	return nil
}

func boolBit(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// EncodeSiginfo writes info as a 128-byte siginfo_t.
func EncodeSiginfo(b []byte, info SigInfo) {
	le := binary.LittleEndian
	le.PutUint32(b[0:], uint32(info.Signo))
	le.PutUint32(b[4:], uint32(info.Errno))
	le.PutUint32(b[8:], uint32(int32(info.Code)))
	switch {
	case info.Code > 0 && (info.Signo == int(unix.SIGSEGV) || info.Signo == int(unix.SIGBUS) || info.Signo == int(unix.SIGILL) || info.Signo == int(unix.SIGFPE) || info.Signo == int(unix.SIGTRAP)):
		le.PutUint64(b[16:], uint64(info.Addr))
	case info.Signo == int(unix.SIGCHLD) && info.Code > 0:
		le.PutUint32(b[16:], uint32(info.PID))
		le.PutUint32(b[20:], info.UID)
		le.PutUint32(b[24:], uint32(int32(info.Status)))
	default:
		le.PutUint32(b[16:], uint32(info.PID))
		le.PutUint32(b[20:], info.UID)
		le.PutUint64(b[24:], info.Value)
	}
}

// SigReturn implements rt_sigreturn: it restores the registers, mask and FP
// state saved by setupSignalFrame.
func (t *Task) SigReturn() error {
	frame := uintptr(t.Regs.Rsp - 8)
	b := make([]byte, sigframeSize)
	if _, err := t.MM.CopyIn(frame, b); err != nil {
		return err
	}
	le := binary.LittleEndian
	mc := b[mcontextOff:]
	r := &t.Regs
	vals := make([]uint64, 18)
	for i := range vals {
		vals[i] = le.Uint64(mc[i*8:])
	}
	r.R8, r.R9, r.R10, r.R11, r.R12, r.R13, r.R14, r.R15 = vals[0], vals[1], vals[2], vals[3], vals[4], vals[5], vals[6], vals[7]
	r.Rdi, r.Rsi, r.Rbp, r.Rbx, r.Rdx, r.Rax, r.Rcx, r.Rsp, r.Rip = vals[8], vals[9], vals[10], vals[11], vals[12], vals[13], vals[14], vals[15], vals[16]
	// Only the user-changeable flags (CF PF AF ZF SF TF DF OF RF AC ID...).
	const userFlags = 0x0dd5 | 1<<16 | 1<<18 | 1<<21
	r.Eflags = r.Eflags&^userFlags | vals[17]&userFlags
	t.SetSigMask(SignalSet(le.Uint64(b[sigmaskOff:])))
	if fpAddr := le.Uint64(mc[184:]); fpAddr != 0 {
		fp, err := t.ctx.FloatingPointState(t.MM.AddressSpace())
		if err == nil {
			saved := make([]byte, len(fp))
			if _, err := t.MM.CopyIn(uintptr(fpAddr), saved); err == nil {
				// Keep the XSAVE header sane: clear reserved header bytes.
				if len(saved) >= 576 {
					clear(saved[512+16 : 576])
				}
				if err := t.ctx.SetFloatingPointState(t.MM.AddressSpace(), saved); err != nil {
					t.k.Log.Debug("restoring FP state failed", "err", err)
				}
			}
		}
	}
	return nil
}

// sigaltstack flags (unix lacks them).
const (
	// SSOnstack is SS_ONSTACK.
	SSOnstack = 1
	// SSDisable is SS_DISABLE.
	SSDisable = 2
)
