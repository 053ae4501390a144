package cgroup

import (
	"fmt"
	"path"
	"strings"
)

// SpecPath returns the cgroup path of container id from the spec's
// linux.cgroupsPath, absolute, as it is under each hierarchy's root:
//
//   - "" gives /runsc/<id>;
//   - an absolute path (docker's /docker/<id>, containerd's /k8s.io/<id>)
//     is used as is, cleaned;
//   - the systemd form "slice:prefix:name" (what docker and containerd pass
//     with the systemd cgroup driver, or with --systemd-cgroup) gives the
//     directory systemd would make, /a.slice/a-b.slice/prefix-name.scope
//     (runsc makes it itself in the cgroupfs; it does not ask systemd);
//   - a relative path is taken from the hierarchy's root (runc takes it
//     from its own cgroup, which differs per hierarchy).
func SpecPath(cgroupsPath, id string, systemd bool) (string, error) {
	p := cgroupsPath
	switch {
	case p == "":
		return "/runsc/" + id, nil
	case systemd || (!strings.HasPrefix(p, "/") && strings.Count(p, ":") == 2):
		return systemdPath(p, id)
	}
	clean := path.Clean("/" + p)
	if clean == "/" {
		return "", fmt.Errorf("cgroupsPath %q names the root cgroup; give the container a cgroup of its own", cgroupsPath)
	}
	return clean, nil
}

// systemdPath maps "slice:prefix:name" to systemd's cgroup directory.
func systemdPath(p, id string) (string, error) {
	parts := strings.Split(p, ":")
	if len(parts) != 3 {
		return "", fmt.Errorf("cgroupsPath %q: the systemd form is \"slice:prefix:name\"", p)
	}
	slice, prefix, name := parts[0], parts[1], parts[2]
	if slice == "" {
		slice = "system.slice"
	}
	if name == "" {
		name = id
	}
	dir, err := expandSlice(slice)
	if err != nil {
		return "", fmt.Errorf("cgroupsPath %q: %v", p, err)
	}
	if strings.HasSuffix(name, ".slice") {
		sub, err := expandSlice(name)
		if err != nil {
			return "", fmt.Errorf("cgroupsPath %q: %v", p, err)
		}
		return sub, nil
	}
	unit := name + ".scope"
	if prefix != "" {
		unit = prefix + "-" + unit
	}
	if strings.Contains(unit, "/") {
		return "", fmt.Errorf("cgroupsPath %q: a unit name has no '/'", p)
	}
	return path.Join(dir, unit), nil
}

// expandSlice turns "a-b-c.slice" into "/a.slice/a-b.slice/a-b-c.slice"
// ("-.slice" is the root slice), as systemd nests slices.
func expandSlice(slice string) (string, error) {
	if !strings.HasSuffix(slice, ".slice") || strings.Contains(slice, "/") {
		return "", fmt.Errorf("%q is not a slice name (like system.slice)", slice)
	}
	if slice == "-.slice" {
		return "/", nil
	}
	base := strings.TrimSuffix(slice, ".slice")
	if base == "" || strings.HasPrefix(base, "-") || strings.HasSuffix(base, "-") || strings.Contains(base, "--") {
		return "", fmt.Errorf("%q is not a valid slice name", slice)
	}
	out, prefix := "", ""
	for _, comp := range strings.Split(base, "-") {
		prefix += comp
		out += "/" + prefix + ".slice"
		prefix += "-"
	}
	return out, nil
}
