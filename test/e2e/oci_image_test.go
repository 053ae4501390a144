package e2e

// Test images without a registry: a busybox-static root filesystem as a
// tar (docker imports it with `docker import`), and the same rootfs as an
// OCI image archive (oci-layout, index.json, manifest, config and one
// gzip'd layer) that `ctr image import` reads.

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"
)

// busyboxTar is an image's root filesystem: busybox-static with its
// applets linked, /etc/passwd and /etc/group with root and user 1000.
func busyboxTar(t *testing.T) []byte {
	t.Helper()
	requireBusybox(t)
	bb, err := os.ReadFile("/bin/busybox")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := tar.NewWriter(&buf)
	now := time.Now()
	add := func(h *tar.Header, data []byte) {
		h.ModTime = now
		if err := w.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if data != nil {
			w.Write(data)
		}
	}
	for _, d := range []string{"bin", "etc", "root", "home", "home/user", "proc", "sys", "dev", "data"} {
		add(&tar.Header{Name: d + "/", Typeflag: tar.TypeDir, Mode: 0o755}, nil)
	}
	add(&tar.Header{Name: "tmp/", Typeflag: tar.TypeDir, Mode: 0o1777}, nil)
	add(&tar.Header{Name: "bin/busybox", Typeflag: tar.TypeReg, Mode: 0o755, Size: int64(len(bb))}, bb)
	for _, a := range []string{"sh", "echo", "sleep", "true", "false", "cat", "ls", "id", "env", "pwd", "touch", "rm", "ps", "hostname", "kill"} {
		add(&tar.Header{Name: "bin/" + a, Typeflag: tar.TypeSymlink, Linkname: "busybox", Mode: 0o777}, nil)
	}
	for name, data := range map[string]string{
		"etc/passwd": "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n",
		"etc/group":  "root:x:0:\nuser:x:1000:\n",
	} {
		add(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(data))}, []byte(data))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// ociImage describes an image to pack as an OCI image archive.
type ociImage struct {
	name   string   // full reference, e.g. "stockade.test/busybox:1234"
	tag    string   // the reference's tag (org.opencontainers.image.ref.name)
	layer  []byte   // the root filesystem, an uncompressed tar
	cmd    []string // the image's default command
	env    []string // the image's environment
	labels map[string]string
}

// ociDescriptor is an OCI content descriptor.
type ociDescriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Platform    map[string]string `json:"platform,omitempty"`
}

// ociArchive packs img as an OCI image layout in a tar stream: oci-layout,
// index.json naming the manifest (with the annotations containerd's
// importer reads the image name from), and the blobs: manifest, config
// and the gzip'd layer.
func ociArchive(t *testing.T, img ociImage) []byte {
	t.Helper()
	blobs := map[string][]byte{}
	blob := func(mediaType string, data []byte) ociDescriptor {
		d := fmt.Sprintf("sha256:%x", sha256.Sum256(data))
		blobs[d] = data
		return ociDescriptor{MediaType: mediaType, Digest: d, Size: int64(len(data))}
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(img.layer)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	layer := blob("application/vnd.oci.image.layer.v1.tar+gzip", gz.Bytes())
	env := img.env
	if env == nil {
		env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	}
	created := time.Now().UTC().Format(time.RFC3339)
	config := map[string]any{
		"created":      created,
		"architecture": runtime.GOARCH,
		"os":           "linux",
		"config": map[string]any{
			"Env":        env,
			"Cmd":        img.cmd,
			"WorkingDir": "/",
			"Labels":     img.labels,
		},
		"rootfs": map[string]any{
			"type":     "layers",
			"diff_ids": []string{fmt.Sprintf("sha256:%x", sha256.Sum256(img.layer))},
		},
		"history": []map[string]any{{"created": created, "created_by": "stockade e2e test"}},
	}
	cb, err := json.Marshal(config)
	if err != nil {
		t.Fatal(err)
	}
	cfg := blob("application/vnd.oci.image.config.v1+json", cb)
	mb, err := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.oci.image.manifest.v1+json",
		"config":        cfg,
		"layers":        []ociDescriptor{layer},
	})
	if err != nil {
		t.Fatal(err)
	}
	manifest := blob("application/vnd.oci.image.manifest.v1+json", mb)
	manifest.Annotations = map[string]string{
		"io.containerd.image.name":          img.name,
		"org.opencontainers.image.ref.name": img.tag,
	}
	manifest.Platform = map[string]string{"architecture": runtime.GOARCH, "os": "linux"}
	index, err := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.oci.image.index.v1+json",
		"manifests":     []ociDescriptor{manifest},
	})
	if err != nil {
		t.Fatal(err)
	}

	var buf bytes.Buffer
	w := tar.NewWriter(&buf)
	now := time.Now()
	file := func(name string, data []byte) {
		h := &tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(data)), ModTime: now}
		if err := w.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	dir := func(name string) {
		if err := w.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeDir, Mode: 0o755, ModTime: now}); err != nil {
			t.Fatal(err)
		}
	}
	file("oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`))
	file("index.json", index)
	dir("blobs/")
	dir("blobs/sha256/")
	for _, d := range []ociDescriptor{manifest, cfg, layer} {
		file("blobs/sha256/"+d.Digest[len("sha256:"):], blobs[d.Digest])
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
