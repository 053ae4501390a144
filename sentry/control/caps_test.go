package control

import (
	"reflect"
	"testing"
)

// TestProcessCapsRoundTrip: the capability sets and no_new_privs survive
// encoding, and an empty (but present) capability set stays present: it
// means "no capabilities", not "the defaults".
func TestProcessCapsRoundTrip(t *testing.T) {
	for _, caps := range []*Capabilities{
		{Effective: 1 << 21, Permitted: 1<<21 | 1, Inheritable: 2, Bounding: 1<<41 - 1, Ambient: 2},
		{},
		nil,
	} {
		r := &Request{Method: MethodExec, Process: &Process{Args: []string{"id"}, Caps: caps, NoNewPrivs: caps != nil}}
		var got Request
		if err := got.Unmarshal(r.Marshal()); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Process, r.Process) {
			t.Errorf("round trip: got %+v, want %+v", got.Process, r.Process)
		}
	}
}
