"""Starting and talking to `nuri serve` from tests: a server on a free loopback port, raw
HTTP requests (for what the openai client cannot send: broken bodies, wrong headers), and
the models the tests use. Standard library only."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get("NURI_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
SMOL = os.path.join(ROOT, "models", "SmolLM2-135M-Instruct.Q4_1.gguf")
STORIES = os.path.join(SHARED, "models", "stories260K.gguf")


def nuri_bin():
    b = os.environ.get("NURI_BIN") or os.path.join(ROOT, "build", "nuri")
    if not os.path.exists(b):
        raise unittest.SkipTest(f"no nuri binary at {b} (set NURI_BIN)")
    return b


def need(path, what):
    if not os.path.exists(path):
        raise unittest.SkipTest(f"{what} is absent ({path})")
    return path


class Server:
    """`nuri serve ARGS --port 0`, stopped with SIGTERM. The port comes from its first line."""

    def __init__(self, *args, env=None):
        self.args = [nuri_bin(), "serve", "--port", "0", *args]
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     env={**os.environ, **(env or {})})
        line = self.proc.stdout.readline()
        m = re.search(r"listening on http://(\S+):(\d+)/", line)
        if not m:
            err = self.proc.stderr.read()
            self.proc.wait()
            raise RuntimeError(f"nuri serve did not start: {line!r} {err!r}")
        self.port = int(m.group(2))
        self.base = f"http://127.0.0.1:{self.port}"

    def stop(self):
        if hasattr(self, "stderr"):
            return self.proc.returncode
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("nuri serve did not stop on SIGTERM")
        self.stderr = self.proc.stderr.read()
        self.proc.stdout.close()
        self.proc.stderr.close()
        return self.proc.returncode

    def request(self, method, path, body=None, headers=None, timeout=120):
        """Raw HTTP/1.1 request; body may be bytes, str or a JSON-able object.
        Returns (status, headers dict with lower-case names, body bytes)."""
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        h = {"Host": f"127.0.0.1:{self.port}", "Connection": "close"}
        if body is not None:
            h["Content-Type"] = "application/json"
            h["Content-Length"] = str(len(body))
        h.update(headers or {})
        head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items() if v is not None)
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            s.sendall(head.encode() + b"\r\n" + (body or b""))
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        return parse_response(data)

    def json(self, method, path, body=None, headers=None):
        status, hdrs, data = self.request(method, path, body, headers)
        return status, json.loads(data) if data else None

    def metrics(self):
        status, _, data = self.request("GET", "/metrics", headers=getattr(self, "auth", None))
        assert status == 200, status
        out = {}
        for line in data.decode().splitlines():
            if line and not line.startswith("#"):
                name, value = line.rsplit(" ", 1)
                out[name] = float(value)
        return out

    def wait_metric(self, name, pred, what):
        """Polls /metrics until pred(value) holds (the server's state, not a clock, decides)."""
        for _ in range(6000):
            v = self.metrics().get(name, 0.0)
            if pred(v):
                return v
            time.sleep(0.01)
        raise AssertionError(f"{what}: {name} never satisfied the condition")

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        rc = self.stop()
        if exc_type is None:
            self.check_exit(rc)

    def check_exit(self, rc):
        """A clean stop: exit 0 and no sanitizer report (ASan/UBSan builds)."""
        if rc != 0 or "runtime error" in self.stderr or "Sanitizer" in self.stderr:
            raise AssertionError(f"nuri serve exited with {rc}: {self.stderr[-3000:]}")


def parse_response(data):
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines and lines[0] else 0
    hdrs = {}
    for l in lines[1:]:
        k, _, v = l.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    if hdrs.get("transfer-encoding", "").lower() == "chunked":
        out, rest = b"", body
        while rest:
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line.split(b";")[0] or b"0", 16)
            if size == 0:
                break
            out += rest[:size]
            rest = rest[size + 2:]
        body = out
    return status, hdrs, body


def sse_events(body):
    """The data payloads of a server-sent event stream."""
    return [line[6:] for line in body.decode().split("\n") if line.startswith("data: ")]


def run_cli(*args):
    r = subprocess.run([nuri_bin(), *args], capture_output=True, text=True)
    if r.returncode:
        raise AssertionError(f"nuri {' '.join(args)} failed: {r.stderr}")
    return r.stdout


def main():
    """unittest's main, with the closing line ctest and CI read."""
    prog = unittest.main(exit=False, verbosity=2)
    r = prog.result
    failed = len(r.failures) + len(r.errors) + len(r.unexpectedSuccesses)
    skipped = len(r.skipped)
    passed = r.testsRun - failed - skipped
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    if r.testsRun and skipped == r.testsRun:
        sys.exit(77)
    sys.exit(1 if failed else 0)
