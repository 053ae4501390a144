package kernel

import (
	"golang.org/x/sys/unix"

	"stockade.dev/platform"
)

// watchAddressSpace kills tg with SIGKILL if the host backing of as (a
// ptrace stub) is killed on the host while tg uses it: the host's OOM
// killer picks the stub of the process that filled the memory, and that
// process must die then, as under runc, even while it is blocked in the
// sentry (a sleep, a wait) rather than running in the stub.
func (k *Kernel) watchAddressSpace(as platform.AddressSpace, tg *ThreadGroup) {
	ln, ok := as.(platform.LossNotifier)
	if !ok || tg == nil {
		return
	}
	go func() {
		<-ln.Gone()
		if ln.Lost() {
			k.Log.Warn("the host killed the process's stub; killing the process", "pid", tg.ID)
			tg.SendGroupSignal(SigInfo{Signo: int(unix.SIGKILL)})
		}
	}()
}
