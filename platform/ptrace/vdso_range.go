package ptrace

// VDSORange returns where every address space has the host's vDSO data
// pages ([vvar], from start to vdso) and its code ([vdso], from vdso to
// end), for /proc/[pid]/maps; all zero without a vDSO.
func (p *Platform) VDSORange() (start, vdso, end uintptr) {
	if vdsoRange.vdso == 0 {
		return 0, 0, 0
	}
	return uintptr(vdsoRange.start), uintptr(vdsoRange.vdso), uintptr(vdsoRange.end)
}
