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
// Pid namespaces, as far as naming goes. A later container has a pid
// namespace of its own (Kubernetes' default) unless its spec joins the
// sandbox's (shareProcessNamespace: ProcessOptions.SharedPIDs). A process
// names only the processes of its pid namespace (Task.FindTask,
// FindProcess): kill(2), tgkill(2), setpgid(2), sched_*(2) and the like
// answer ESRCH for the others, kill(-1) stays in it, and the /proc a
// container's spec mounts lists its processes (proc.NewForPIDNamespace).
// The init of a container with its own pid namespace stands for that
// namespace's init: default-action signals from outside the sandbox do not
// kill it and its container's orphans are reparented to it; in the
// sandbox's namespace the sandbox's init is that init. The pids themselves
// stay the sandbox's: a later container's init is not pid 1.

// Container returns the id of the container the process belongs to ("" for
// the sandbox's first container).
func (tg *ThreadGroup) Container() string { return tg.container }

// PIDNamespace returns the pid namespace the process is in: "" for the
// sandbox's, else the id of the container whose own namespace it is.
func (tg *ThreadGroup) PIDNamespace() string { return tg.pidns }

// isPIDNamespaceInit reports whether tg is the init of a pid namespace:
// the sandbox's init, or the init of a container with a pid namespace of
// its own.
func (tg *ThreadGroup) isPIDNamespaceInit() bool {
	return tg == tg.k.init || tg.containerInit && tg.pidns == tg.container
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
// tg: the nearest live subreaper above tg, else the init of tg's pid
// namespace. k.mu must be held.
func (k *Kernel) reaperLocked(tg *ThreadGroup) *ThreadGroup {
	for p := tg.parent; p != nil; p = p.parent {
		if p.subreaper && !p.zombie {
			return p
		}
	}
	if tg.pidns == "" {
		return k.init
	}
	return k.containerInits[tg.pidns]
}

// FindTask returns the live task tid if t can name it: a task of t's pid
// namespace.
func (t *Task) FindTask(tid int32) *Task {
	o := t.k.FindTask(tid)
	if o == nil || o.tg.pidns != t.tg.pidns {
		return nil
	}
	return o
}

// FindProcess returns the live process pid if t can name it: a process of
// t's pid namespace.
func (t *Task) FindProcess(pid int32) *ThreadGroup {
	tg := t.k.FindProcess(pid)
	if tg == nil || tg.pidns != t.tg.pidns {
		return nil
	}
	return tg
}
