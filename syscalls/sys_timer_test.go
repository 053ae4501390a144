package syscalls

import (
	"encoding/binary"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/sentry/kernel"
)

func TestTimerPairRoundTrip(t *testing.T) {
	for _, unit := range []time.Duration{time.Microsecond, time.Nanosecond} {
		v := kernel.ITimerValue{Interval: 1500 * time.Millisecond, Value: 2*time.Second + 7*unit}
		got, err := decodeTimerPair(encodeTimerPair(v, unit), unit)
		if err != nil || got != v {
			t.Errorf("unit %v: round trip %+v -> %+v, %v", unit, v, got, err)
		}
	}
	b := make([]byte, 32)
	binary.LittleEndian.PutUint64(b[24:], 1000000) // it_value.tv_usec out of range
	if _, err := decodeTimerPair(b, time.Microsecond); err != unix.EINVAL {
		t.Errorf("bad usec: %v, want EINVAL", err)
	}
	b = make([]byte, 32)
	binary.LittleEndian.PutUint64(b[0:], ^uint64(0)) // negative seconds
	if _, err := decodeTimerPair(b, time.Nanosecond); err != unix.EINVAL {
		t.Errorf("negative seconds: %v, want EINVAL", err)
	}
}
