package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Sockets: AF_UNIX between processes, TCP and UDP over loopback, with
// real programs (Python's socket, http.server and urllib; busybox nc).

// writeScript stores a script in a fresh directory and returns both.
func writeScript(t *testing.T, name, body string) (dir, path string) {
	t.Helper()
	dir = t.TempDir()
	path = filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, path
}

// TestSocketUnixC runs testdata/unix_sockets.c: a unix stream server and
// its client in a forked child (SO_PEERCRED, SCM_RIGHTS, SCM_CREDENTIALS,
// MSG_PEEK/MSG_WAITALL, shutdown, SEQPACKET, DGRAM), natively and
// sandboxed.
func TestSocketUnixC(t *testing.T) {
	dir, bin := buildC(t, "unix_sockets")
	differential(t, dir, 0, bin)
}

const echoPy = `
import os, socket, threading

def serve(srv, n):
    for _ in range(n):
        c, _ = srv.accept()
        with c:
            while True:
                d = c.recv(65536)
                if not d:
                    break
                c.sendall(d)

def client(port, i, family=socket.AF_INET, host="127.0.0.1"):
    with socket.create_connection((host, port), timeout=10) as c:
        msg = (b"message %d " % i) * 30000
        c.sendall(msg)
        c.shutdown(socket.SHUT_WR)
        got = bytearray()
        while True:
            d = c.recv(65536)
            if not d:
                break
            got += d
        print("echo", i, len(got), got == msg)

# A threaded server.
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen(8)
port = srv.getsockname()[1]
th = threading.Thread(target=serve, args=(srv, 3))
th.start()
for i in range(3):
    client(port, i)
th.join()
srv.close()

# A forked server over IPv6.
srv = socket.socket(socket.AF_INET6)
srv.bind(("::1", 0))
srv.listen(1)
port = srv.getsockname()[1]
pid = os.fork()
if pid == 0:
    serve(srv, 1)
    os._exit(0)
srv.close()
client(port, 9, host="::1")
print("child", os.waitpid(pid, 0)[1])

# UDP.
a, b = socket.socket(type=socket.SOCK_DGRAM), socket.socket(type=socket.SOCK_DGRAM)
a.bind(("127.0.0.1", 0))
b.sendto(b"datagram", a.getsockname())
data, frm = a.recvfrom(100)
print("udp", data, frm[0], frm[1] == b.getsockname()[1])

# socketpair with file descriptors (SCM_RIGHTS).
s1, s2 = socket.socketpair()
r, w = os.pipe()
socket.send_fds(s1, [b"fds"], [r, w])
msg, fds, flags, _ = socket.recv_fds(s2, 16, 4)
os.write(fds[1], b"through passed fds")
print("recv_fds", msg, len(fds), os.read(fds[0], 64))

# Errors.
c = socket.socket()
try:
    c.connect(("127.0.0.1", 1))
except ConnectionRefusedError:
    print("refused")
c = socket.socket()
try:
    c.connect(("192.0.2.1", 80))
except OSError as e:
    print("unreachable", e.errno)
`

// TestSocketPython runs Python socket clients and servers (threads and
// fork, IPv4 and IPv6, UDP, socketpair with send_fds/recv_fds).
func TestSocketPython(t *testing.T) {
	if _, err := os.Stat(python); err != nil {
		t.Skip("python3.11 is absent")
	}
	_, script := writeScript(t, "echo.py", echoPy)
	out := sandboxOK(t, python, script)
	want := []string{
		"echo 0 300000 True", "echo 1 300000 True", "echo 2 300000 True",
		"echo 9 300000 True", "child 0",
		"udp b'datagram' 127.0.0.1 True",
		"recv_fds b'fds' 2 b'through passed fds'",
		"refused", "unreachable 101",
	}
	wantLines(t, out, want...)
}

const httpPy = `
import http.server, os, threading, urllib.request
os.chdir("/etc")
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
port = srv.server_address[1]
threading.Thread(target=srv.serve_forever, daemon=True).start()
for i in range(3):
    body = urllib.request.urlopen("http://127.0.0.1:%d/passwd" % port, timeout=10).read()
    print(i, body.split(b"\n")[0].split(b":")[0].decode())
listing = urllib.request.urlopen("http://localhost:%d/" % port, timeout=10).read()
print("listing has passwd:", b"passwd" in listing)
srv.shutdown()
`

// TestSocketPythonHTTP serves /etc with http.server and fetches from it
// with urllib in the same sandbox.
func TestSocketPythonHTTP(t *testing.T) {
	if _, err := os.Stat(python); err != nil {
		t.Skip("python3.11 is absent")
	}
	_, script := writeScript(t, "web.py", httpPy)
	out := sandboxOK(t, python, script)
	wantLines(t, out, "0 root", "1 root", "2 root", "listing has passwd: True")
}

// TestSocketBusyboxNc pipes a line through busybox nc over loopback.
func TestSocketBusyboxNc(t *testing.T) {
	requireBusybox(t)
	script := `busybox nc -l -p 45678 &
for i in $(seq 1 50); do
	echo hello-over-nc | busybox nc 127.0.0.1 45678 2>/dev/null && break
	sleep 0.1
done
wait`
	out := sandboxOK(t, "/bin/busybox", "sh", "-c", script)
	if strings.TrimSpace(out) != "hello-over-nc" {
		t.Fatalf("nc output %q, want hello-over-nc", out)
	}
}
