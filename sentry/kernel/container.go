package kernel

import "golang.org/x/sys/unix"

// Containers of a pod. One sentry may run several OCI containers (the
// containers of a Kubernetes pod): the first is the sandbox's own (the
// container id ""), each later one is a separate process tree started by
// StartProcess with ProcessOptions.Container. A process belongs to the
// container of the process that forked it; the CLI's ps, kill --all and
// events select by container. The containers share the pid namespace (the
// pids are the sandbox's), the UTS namespace (the pod's hostname) and the
// IPC objects; each has its own mount namespace, given by its root.
//
// A container's init (ProcessOptions.ContainerInit) stands for the init of
// a pid namespace: default-action signals from outside the sandbox do not
// kill it, its container's orphans are reparented to it. And as if each
// container had a pid namespace of its own (Kubernetes' default), a process
// names only the processes of its container (Task.FindTask, FindProcess):
// kill(2), tgkill(2), setpgid(2), sched_*(2) and the like answer ESRCH for
// the others, kill(-1) reaches its container only, and the /proc a
// container's spec mounts lists its own processes (proc.NewForContainer).
// The pids themselves stay the sandbox's: a later container's init is not
// pid 1.

// Container returns the id of the container the process belongs to ("" for
// the sandbox's first container).
func (tg *ThreadGroup) Container() string { return tg.container }

// isContainerInit reports whether tg is the init of a container (the
// sandbox's init or the init of a later container).
func (tg *ThreadGroup) isContainerInit() bool {
	return tg == tg.k.init || tg.containerInit
}

// ContainerProcesses returns the live (not zombie) processes of container
// id, by pid.
func (k *Kernel) ContainerProcesses(id string) []*ThreadGroup {
	var out []*ThreadGroup
	for _, tg := range k.ThreadGroups() {
		if tg.container == id && !tg.IsZombie() {
			out = append(out, tg)
		}
	}
	return out
}

// SignalContainer sends sig to every process of container id, as if from
// outside the sandbox (runsc kill --all).
func (k *Kernel) SignalContainer(id string, sig int) {
	for _, tg := range k.ContainerProcesses(id) {
		tg.SendGroupSignal(SigInfo{Signo: sig})
	}
}

// KillContainer ends every process of container id with SIGKILL (its init
// ended, or the container is deleted).
func (k *Kernel) KillContainer(id string) {
	for _, tg := range k.ContainerProcesses(id) {
		tg.kill(ExitStatus{Signal: int(unix.SIGKILL)})
	}
}

// reaperLocked returns the process that adopts the orphaned children of
// tg: the nearest live subreaper above tg, else the init of tg's
// container (the sandbox's init for its first container). k.mu must be
// held.
func (k *Kernel) reaperLocked(tg *ThreadGroup) *ThreadGroup {
	for p := tg.parent; p != nil; p = p.parent {
		if p.subreaper && !p.zombie {
			return p
		}
	}
	if tg.container == "" {
		return k.init
	}
	return k.containerInits[tg.container]
}

// FindTask returns the live task tid if t can name it: a task of t's
// container.
func (t *Task) FindTask(tid int32) *Task {
	o := t.k.FindTask(tid)
	if o == nil || o.tg.container != t.tg.container {
		return nil
	}
	return o
}

// FindProcess returns the live process pid if t can name it: a process of
// t's container.
func (t *Task) FindProcess(pid int32) *ThreadGroup {
	tg := t.k.FindProcess(pid)
	if tg == nil || tg.container != t.tg.container {
		return nil
	}
	return tg
}
