package syscalls

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"stockade.dev/sentry/kernel"
)

func init() {
	register(map[string]impl{
		"prctl": partial(sysPrctl, "no seccomp filters (PR_SET_SECCOMP), PR_SET_MM or speculation control; PR_SET_VMA names are accepted and dropped; other options return EINVAL"),
	})
}

// prctl options (Linux's include/uapi/linux/prctl.h).
const (
	prSetPdeathsig       = 1
	prGetPdeathsig       = 2
	prGetDumpable        = 3
	prSetDumpable        = 4
	prGetKeepcaps        = 7
	prSetKeepcaps        = 8
	prGetTiming          = 13
	prSetTiming          = 14
	prSetName            = 15
	prGetName            = 16
	prGetSeccomp         = 21
	prSetSeccomp         = 22
	prCapbsetRead        = 23
	prCapbsetDrop        = 24
	prGetTSC             = 25
	prSetTSC             = 26
	prGetSecurebits      = 27
	prSetSecurebits      = 28
	prSetTimerslack      = 29
	prGetTimerslack      = 30
	prTaskPerfDisable    = 31
	prTaskPerfEnable     = 32
	prMCEKill            = 33
	prMCEKillGet         = 34
	prSetMM              = 35
	prSetChildSubreaper  = 36
	prGetChildSubreaper  = 37
	prSetNoNewPrivs      = 38
	prGetNoNewPrivs      = 39
	prGetTIDAddress      = 40
	prSetTHPDisable      = 41
	prGetTHPDisable      = 42
	prCapAmbient         = 47
	prSetVMA             = 0x53564d41
	prSetVMAAnonName     = 0
	prTSCEnable          = 1
	prMCEKillDefault     = 2
	prCapAmbientIsSet    = 1
	prCapAmbientRaise    = 2
	prCapAmbientLower    = 3
	prCapAmbientClearAll = 4
	taskCommLen          = 16
	anonVMANameMax       = 80
)

func putInt32(t *kernel.Task, addr uintptr, v int32) error {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(v))
	if _, err := t.CopyOut(addr, b[:]); err != nil {
		return unix.EFAULT
	}
	return nil
}

func sysPrctl(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	option := a.Int(0)
	arg2 := a[1]
	switch option {
	case prSetPdeathsig:
		if arg2 > 64 {
			return 0, unix.EINVAL
		}
		t.SetPdeathSignal(int32(arg2))
		return 0, nil
	case prGetPdeathsig:
		return 0, putInt32(t, arg2, t.PdeathSignal())
	case prGetDumpable:
		return uintptr(t.ThreadGroup().Dumpable()), nil
	case prSetDumpable:
		if arg2 > 1 {
			return 0, unix.EINVAL
		}
		t.ThreadGroup().SetDumpable(arg2 == 1)
		return 0, nil
	case prGetKeepcaps:
		if t.KeepCaps() {
			return 1, nil
		}
		return 0, nil
	case prSetKeepcaps:
		if arg2 > 1 {
			return 0, unix.EINVAL
		}
		return 0, t.SetKeepCaps(arg2 == 1)
	case prGetTiming:
		return 0, nil // PR_TIMING_STATISTICAL
	case prSetTiming:
		if arg2 != 0 {
			return 0, unix.EINVAL
		}
		return 0, nil
	case prSetName:
		b := make([]byte, taskCommLen-1)
		n, err := t.CopyIn(arg2, b)
		if n == 0 && err != nil {
			return 0, unix.EFAULT
		}
		b = b[:n]
		for i, c := range b {
			if c == 0 {
				b = b[:i]
				break
			}
		}
		if len(b) == n && n < taskCommLen-1 && err != nil {
			return 0, unix.EFAULT // the string runs into unmapped memory
		}
		t.SetComm(string(b))
		return 0, nil
	case prGetName:
		b := make([]byte, taskCommLen)
		copy(b, t.CommName())
		b[taskCommLen-1] = 0
		if _, err := t.CopyOut(arg2, b); err != nil {
			return 0, unix.EFAULT
		}
		return 0, nil
	case prGetSeccomp:
		return 0, nil
	case prCapbsetRead:
		if !kernel.ValidCap(uint64(arg2)) {
			return 0, unix.EINVAL
		}
		if t.Creds.Bounding.Has(int(arg2)) {
			return 1, nil
		}
		return 0, nil
	case prCapbsetDrop:
		return 0, t.DropBoundingCap(int(min(arg2, 1<<20)))
	case prGetTSC:
		return 0, putInt32(t, arg2, prTSCEnable)
	case prSetTSC:
		if arg2 != prTSCEnable {
			return 0, unix.EINVAL // PR_TSC_SIGSEGV is not supported
		}
		return 0, nil
	case prGetSecurebits:
		return uintptr(t.Creds.SecureBits), nil
	case prSetSecurebits:
		return 0, t.SetSecureBits(uint64(arg2))
	case prSetTimerslack:
		t.SetTimerSlack(uint64(arg2))
		return 0, nil
	case prGetTimerslack:
		return uintptr(t.TimerSlack()), nil
	case prTaskPerfDisable, prTaskPerfEnable:
		return 0, nil
	case prMCEKill:
		// PR_MCE_KILL_CLEAR / PR_MCE_KILL_SET: accepted, nothing to do.
		if arg2 > 1 {
			return 0, unix.EINVAL
		}
		return 0, nil
	case prMCEKillGet:
		if a[1] != 0 || a[2] != 0 || a[3] != 0 || a[4] != 0 {
			return 0, unix.EINVAL
		}
		return prMCEKillDefault, nil
	case prSetMM:
		if !t.HasCap(unix.CAP_SYS_RESOURCE) {
			return 0, unix.EPERM
		}
		return 0, unix.EINVAL
	case prSetChildSubreaper:
		t.SetSubreaper(arg2 != 0)
		return 0, nil
	case prGetChildSubreaper:
		v := int32(0)
		if t.Subreaper() {
			v = 1
		}
		return 0, putInt32(t, arg2, v)
	case prSetNoNewPrivs:
		if arg2 != 1 || a[2] != 0 || a[3] != 0 || a[4] != 0 {
			return 0, unix.EINVAL
		}
		t.SetNoNewPrivs()
		return 0, nil
	case prGetNoNewPrivs:
		if arg2 != 0 || a[2] != 0 || a[3] != 0 || a[4] != 0 {
			return 0, unix.EINVAL
		}
		if t.NoNewPrivs() {
			return 1, nil
		}
		return 0, nil
	case prGetTIDAddress:
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], uint64(t.ClearChildTIDAddr()))
		if _, err := t.CopyOut(arg2, b[:]); err != nil {
			return 0, unix.EFAULT
		}
		return 0, nil
	case prSetTHPDisable:
		if a[2] != 0 || a[3] != 0 || a[4] != 0 {
			return 0, unix.EINVAL
		}
		t.SetTHPDisabled(arg2 != 0)
		return 0, nil
	case prGetTHPDisable:
		if arg2 != 0 || a[2] != 0 || a[3] != 0 || a[4] != 0 {
			return 0, unix.EINVAL
		}
		if t.THPDisabled() {
			return 1, nil
		}
		return 0, nil
	case prCapAmbient:
		if a[3] != 0 || a[4] != 0 {
			return 0, unix.EINVAL
		}
		return prctlCapAmbient(t, arg2, a[2])
	case prSetVMA:
		return 0, prctlSetVMA(t, a)
	}
	return 0, unix.EINVAL
}

// prctlSetVMA implements PR_SET_VMA(PR_SET_VMA_ANON_NAME): the arguments
// are checked as Linux checks them and the name is dropped.
func prctlSetVMA(t *kernel.Task, a *kernel.SyscallArgs) error {
	if a[1] != prSetVMAAnonName {
		return unix.EINVAL
	}
	addr, size, nameAddr := a[2], a[3], a[4]
	if addr&4095 != 0 || addr+size < addr {
		return unix.EINVAL
	}
	if nameAddr == 0 {
		return nil
	}
	name, err := t.CopyInString(nameAddr, anonVMANameMax)
	if err == unix.ENAMETOOLONG {
		return unix.EINVAL
	}
	if err != nil {
		return unix.EFAULT
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c < ' ' || c > '~' || c == '\\' || c == '`' || c == '$' || c == '[' || c == ']' {
			return unix.EINVAL
		}
	}
	return nil
}

// prctlCapAmbient implements PR_CAP_AMBIENT's operations on capability
// cap.
func prctlCapAmbient(t *kernel.Task, op, cap uintptr) (uintptr, error) {
	if op == prCapAmbientClearAll {
		if cap != 0 {
			return 0, unix.EINVAL
		}
		t.LowerAmbientCaps(kernel.AllCaps)
		return 0, nil
	}
	if !kernel.ValidCap(uint64(cap)) {
		return 0, unix.EINVAL
	}
	switch op {
	case prCapAmbientIsSet:
		if t.Creds.Ambient.Has(int(cap)) {
			return 1, nil
		}
		return 0, nil
	case prCapAmbientRaise:
		return 0, t.RaiseAmbientCap(int(cap))
	case prCapAmbientLower:
		t.LowerAmbientCaps(kernel.CapSetOf(int(cap)))
		return 0, nil
	}
	return 0, unix.EINVAL
}
