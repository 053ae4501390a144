package cgroup

import "testing"

func TestSpecPath(t *testing.T) {
	for _, c := range []struct {
		in      string
		systemd bool
		want    string
		err     bool
	}{
		{in: "", want: "/runsc/ID"},
		{in: "/docker/abc", want: "/docker/abc"},
		{in: "/k8s.io/abc/../def", want: "/k8s.io/def"},
		{in: "k8s.io/abc", want: "/k8s.io/abc"},
		{in: "system.slice:docker:abc", want: "/system.slice/docker-abc.scope"},
		{in: "kubepods-besteffort-pod1.slice:cri-containerd:abc", want: "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/cri-containerd-abc.scope"},
		{in: "-.slice:runsc:abc", want: "/runsc-abc.scope"},
		{in: ":runsc:", want: "/system.slice/runsc-ID.scope"},
		{in: "user.slice:docker", systemd: true, err: true},
		{in: "bad:docker:abc", err: true},
		{in: "a--b.slice:docker:abc", err: true},
		{in: "/", err: true},
	} {
		got, err := SpecPath(c.in, "ID", c.systemd)
		if (err != nil) != c.err || got != c.want {
			t.Errorf("SpecPath(%q, systemd %v) = %q, %v; want %q (error %v)", c.in, c.systemd, got, err, c.want, c.err)
		}
	}
}

func TestSharesToWeight(t *testing.T) {
	for shares, want := range map[uint64]uint64{2: 1, 1024: 39, 262144: 10000, 512: 20} {
		if got := SharesToWeight(shares); got != want {
			t.Errorf("SharesToWeight(%d) = %d, want %d", shares, got, want)
		}
	}
}

func TestUnescape(t *testing.T) {
	if got := unescape(`/a\040b`); got != "/a b" {
		t.Errorf("unescape = %q", got)
	}
}
