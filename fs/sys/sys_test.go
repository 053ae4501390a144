package sys

import "testing"

func TestCPUFormats(t *testing.T) {
	for _, tc := range []struct {
		cpus       []int
		list, map_ string
	}{
		{[]int{0, 1}, "0-1", "3"},
		{[]int{0, 1, 2, 3, 4, 5, 6, 7}, "0-7", "ff"},
		{[]int{0, 2, 3, 5}, "0,2-3,5", "2d"},
		{[]int{0, 33}, "0,33", "2,00000001"},
	} {
		if got := cpuList(tc.cpus); got != tc.list {
			t.Errorf("cpuList(%v) = %q, want %q", tc.cpus, got, tc.list)
		}
		if got := cpuMap(tc.cpus); got != tc.map_ {
			t.Errorf("cpuMap(%v) = %q, want %q", tc.cpus, got, tc.map_)
		}
	}
}
