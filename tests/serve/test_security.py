"""Security and robustness of `nuri serve`: the loopback-only default, API keys, bad
requests of every kind (each a clear 4xx, the server serving on), limits (body size,
queue depth with 503 + Retry-After), a slow client that cannot hold a slot, a client
that disconnects and so stops its generation, CORS, the Host check, the page's
Content-Security-Policy and the append-only audit log.

Uses the tiny stories260K model from ../shared (else SmolLM2 from models/), mostly with
the --mock-reply test aid so that how long a generation takes is set by the test.

    NURI_BIN=build/nuri .venv/bin/python tests/serve/test_security.py
"""

import json
import os
import random
import socket
import stat
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_util as su  # noqa: E402

KEY = "test-key-0123456789abcdef"
CHAT = {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 4}
LONG_REPLY = " ".join(f"word{i}" for i in range(400))


def model():
    for path in (su.STORIES, su.SMOL):
        if os.path.exists(path):
            return path
    raise unittest.SkipTest("neither ../shared/models/stories260K.gguf nor the SmolLM2 model is present")


def model_args():
    return ["-m", model(), "--chat-template", "chatml"]


def serve_ok(t, srv, headers=None):
    """The server still answers a valid chat request."""
    st, body = srv.json("POST", "/v1/chat/completions", CHAT, headers)
    t.assertEqual(st, 200, body)
    t.assertGreater(body["usage"]["completion_tokens"], 0)


def start_stream(srv, body, headers=None):
    """Sends a streaming request and returns the socket, after the response headers."""
    data = json.dumps(body).encode()
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=120)
    h = (f"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:{srv.port}\r\n"
         f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n")
    for k, v in (headers or {}).items():
        h += f"{k}: {v}\r\n"
    s.sendall(h.encode() + b"\r\n" + data)
    got = b""
    while b"\r\n\r\n" not in got:
        got += s.recv(4096)
    assert got.startswith(b"HTTP/1.1 200"), got[:200]
    return s, got


class Binding(unittest.TestCase):
    def run_serve(self, *args):
        r = subprocess.run([su.nuri_bin(), "serve", *args], capture_output=True, text=True, timeout=120)
        return r.returncode, r.stderr

    def test_non_loopback_refused_without_key(self):
        m = model()
        for host in ("0.0.0.0", "::", "192.0.2.10"):
            rc, err = self.run_serve("-m", m, "--host", host, "--port", "0")
            self.assertEqual(rc, 2, err)
            self.assertIn("not a loopback address", err)

    def test_non_loopback_with_key_starts(self):
        with tempfile.NamedTemporaryFile("w", delete=False) as f:
            f.write(KEY + "\n")
        try:
            with su.Server(*model_args(), "--host", "0.0.0.0", "--api-key-file", f.name) as srv:
                st, _, _ = srv.request("GET", "/v1/models")
                self.assertEqual(st, 401)
                st, _, _ = srv.request("GET", "/v1/models", headers={"Authorization": "Bearer " + KEY})
                self.assertEqual(st, 200)
        finally:
            os.unlink(f.name)

    def test_short_key_refused(self):
        rc, err = self.run_serve("-m", model(), "--api-key", "short", "--port", "0")
        self.assertEqual(rc, 2)
        self.assertIn("shorter than 8", err)


class Auth(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = su.Server(*model_args(), env={"NURI_API_KEY": KEY})
        cls.srv.auth = {"Authorization": "Bearer " + KEY}

    @classmethod
    def tearDownClass(cls):
        cls.srv.check_exit(cls.srv.stop())

    def test_missing_and_wrong_keys(self):
        for h in ({}, {"Authorization": "Bearer"}, {"Authorization": "Bearer " + KEY[:-1]},
                  {"Authorization": "Bearer " + KEY + "x"}, {"Authorization": "Basic " + KEY},
                  {"Authorization": KEY}, {"Authorization": "Bearer " + KEY.upper()}):
            for method, path, body in (("POST", "/v1/chat/completions", CHAT), ("GET", "/v1/models", None),
                                       ("GET", "/metrics", None), ("POST", "/tokenize", {"content": "x"})):
                st, hdrs, data = self.srv.request(method, path, body, h)
                self.assertEqual(st, 401, (h, path))
                err = json.loads(data)["error"]
                self.assertEqual((err["type"], err["code"]), ("authentication_error", "invalid_api_key"))
                self.assertEqual(hdrs.get("www-authenticate"), "Bearer")
        serve_ok(self, self.srv, self.srv.auth)

    def test_open_routes(self):
        self.assertEqual(self.srv.request("GET", "/health")[0], 200)
        self.assertEqual(self.srv.request("GET", "/")[0], 200)

    def test_openai_client(self):
        try:
            import openai
        except ImportError:
            self.skipTest("openai is not installed")
        bad = openai.OpenAI(base_url=self.srv.base + "/v1", api_key="wrong-key-123", max_retries=0)
        with self.assertRaises(openai.AuthenticationError):
            bad.models.list()
        good = openai.OpenAI(base_url=self.srv.base + "/v1", api_key=KEY, max_retries=0)
        self.assertEqual(len(good.models.list().data), 1)


class BadRequests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = su.Server(*model_args(), "--max-body", "4096", "-c", "256")

    @classmethod
    def tearDownClass(cls):
        cls.srv.check_exit(cls.srv.stop())

    def expect(self, status, body, path="/v1/chat/completions", param=None, code=None, headers=None, method="POST"):
        st, hdrs, data = self.srv.request(method, path, body, headers)
        self.assertEqual(st, status, data[:300])
        err = json.loads(data)["error"]
        self.assertIsInstance(err["message"], str)
        self.assertTrue(err["message"])
        self.assertEqual(set(err), {"message", "type", "param", "code"})
        if param is not None:
            self.assertEqual(err["param"], param)
        if code is not None:
            self.assertEqual(err["code"], code)
        return err

    def tearDown(self):
        serve_ok(self, self.srv)

    def test_malformed_json(self):
        for body in (b"{", b"{\"messages\": [}", b"[1, 2]", b"\"text\"", b"", b"{} {}", b"nul", b"{\"a\":1,}"):
            self.expect(400, body)

    def test_wrong_types(self):
        cases = [({"messages": "hi"}, "messages"), ({**CHAT, "max_tokens": "10"}, "max_tokens"),
                 ({**CHAT, "max_tokens": 1.5}, "max_tokens"), ({**CHAT, "temperature": "hot"}, "temperature"),
                 ({**CHAT, "stream": "yes"}, "stream"), ({**CHAT, "stop": 5}, "stop"),
                 ({**CHAT, "seed": "1"}, "seed"), ({**CHAT, "model": 7}, "model"),
                 ({"messages": [{"role": "user", "content": 5}]}, "messages[0].content"),
                 ({"messages": [{"content": "x"}]}, "messages[0].role"), ({"messages": [5]}, "messages[0].role"),
                 ({**CHAT, "stream_options": []}, "stream_options")]
        for body, param in cases:
            self.expect(400, body, param=param)
        self.expect(400, {"prompt": 5}, "/v1/completions", param="prompt")
        self.expect(400, {"input": {"a": 1}}, "/v1/embeddings", param="input")
        self.expect(400, {"content": 1}, "/tokenize", param="content")
        self.expect(400, {"tokens": "1,2"}, "/detokenize", param="tokens")
        self.expect(400, {"tokens": [-1]}, "/detokenize", param="tokens")
        self.expect(400, {"messages": {}}, "/apply-template", param="messages")

    def test_invalid_utf8(self):
        body = b'{"messages": [{"role": "user", "content": "\xed\xa0\x80 \xff"}]}'
        self.expect(400, body, code="invalid_utf8")
        self.expect(400, b'{"content": "\xc0\xaf"}', "/tokenize", code="invalid_utf8")
        # a lone surrogate written as an escape is not text either
        self.expect(400, b'{"messages": [{"role": "user", "content": "\\ud800"}]}')

    def test_out_of_range(self):
        self.expect(400, {**CHAT, "max_tokens": 100000}, param="max_tokens", code="out_of_range")
        self.expect(400, {**CHAT, "max_tokens": 250}, param="max_tokens", code="context_length_exceeded")
        self.expect(400, {**CHAT, "temperature": -1}, param="temperature")
        self.expect(400, {**CHAT, "top_p": 2}, param="top_p")
        self.expect(400, {**CHAT, "frequency_penalty": -2.5}, param="frequency_penalty")
        self.expect(400, {**CHAT, "n": 3}, param="n")
        self.expect(400, {"messages": [{"role": "user", "content": "long " * 300}]}, param="messages",
                    code="context_length_exceeded")
        self.expect(400, {"input": ["x"] * 300}, "/v1/embeddings", param="input")

    def test_oversized_body(self):
        big = {"messages": [{"role": "user", "content": "x" * 10000}]}
        self.expect(413, big, code="request_too_large")
        # the same without a Content-Length: chunked upload
        data = json.dumps(big).encode()
        chunks = b"".join(b"%x\r\n%s\r\n" % (len(data[i:i + 1000]), data[i:i + 1000])
                          for i in range(0, len(data), 1000)) + b"0\r\n\r\n"
        with socket.create_connection(("127.0.0.1", self.srv.port), timeout=120) as s:
            s.sendall(f"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                      f"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n".encode() + chunks)
            got = b""
            while True:
                try:
                    c = s.recv(65536)
                except ConnectionResetError:
                    break
                if not c:
                    break
                got += c
        self.assertTrue(got.startswith(b"HTTP/1.1 413") or got == b"", got[:100])

    def test_method_route_type(self):
        self.expect(405, None, "/v1/chat/completions", method="GET")
        self.expect(405, CHAT, "/v1/models")
        self.expect(404, None, "/v2/anything", method="GET")
        self.expect(404, None, "/../etc/passwd", method="GET")
        self.expect(415, json.dumps(CHAT), headers={"Content-Type": "text/plain"})
        self.expect(415, json.dumps(CHAT), headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.expect(400, {"model": "x"}, param="messages", code="missing_required_parameter")

    def test_unsupported_features_refused(self):
        self.expect(400, {**CHAT, "tools": [{"type": "function", "function": {"name": "f"}}]}, param="tools")
        self.expect(400, {**CHAT, "logprobs": True}, param="logprobs")
        self.expect(400, {**CHAT, "response_format": {"type": "json_object"}}, param="response_format")

    def test_random_garbage(self):
        rnd = random.Random(5)
        seeds = [json.dumps(CHAT).encode(), json.dumps({"prompt": "x", "max_tokens": 2}).encode()]
        for i in range(150):
            b = bytearray(rnd.choice(seeds))
            for _ in range(rnd.randint(1, 6)):
                op = rnd.randint(0, 2)
                at = rnd.randrange(len(b))
                if op == 0:
                    b[at] = rnd.randrange(256)
                elif op == 1:
                    del b[at]
                else:
                    b.insert(at, rnd.choice(b'{}[]",:0\\\xff'))
            path = rnd.choice(["/v1/chat/completions", "/v1/completions", "/tokenize", "/v1/embeddings"])
            st, _, data = self.srv.request("POST", path, bytes(b))
            self.assertIn(st, (200, 400), (bytes(b), data[:200]))
            if st == 400:
                self.assertIn(b'"error"', data)


class Limits(unittest.TestCase):
    def test_queue_full_503_and_disconnect_cancels(self):
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "audit.jsonl")
            with su.Server(*model_args(), "--parallel", "1", "--queue", "1", "--mock-reply", LONG_REPLY,
                           "--mock-delay", "50", "--audit-log", log) as srv:
                body = {**CHAT, "stream": True, "max_tokens": 400}
                a, _ = start_stream(srv, body)          # takes the only slot
                a.recv(4096)                            # generation has begun
                srv.wait_metric("nuri_slots_busy", lambda v: v == 1, "slot busy")
                b, _ = start_stream(srv, body)          # waits in the queue
                srv.wait_metric("nuri_queue_depth", lambda v: v == 1, "one waiting")
                st, hdrs, data = srv.request("POST", "/v1/chat/completions", CHAT)
                self.assertEqual(st, 503)
                self.assertEqual(hdrs.get("retry-after"), "1")
                self.assertEqual(json.loads(data)["error"]["code"], "server_busy")
                # the client of A goes away: its generation stops, B gets the slot
                a.close()
                srv.wait_metric("nuri_requests_cancelled_total", lambda v: v >= 1, "A cancelled")
                srv.wait_metric("nuri_queue_depth", lambda v: v == 0, "B started")
                b.close()
                srv.wait_metric("nuri_requests_cancelled_total", lambda v: v >= 2, "B cancelled")
                srv.wait_metric("nuri_slots_busy", lambda v: v == 0, "slot free")
                serve_ok(self, srv)
            with open(log, encoding="utf-8") as f:
                lines = [json.loads(x) for x in f]
            aborted = [x for x in lines if x.get("aborted")]
            self.assertEqual(len(aborted), 2)
            n_mock = len(LONG_REPLY.split())
            for x in aborted:
                self.assertLess(x["completion_tokens"], n_mock)
            self.assertIn(503, [x["status"] for x in lines])

    def test_slow_sender_cannot_hold_the_server(self):
        with su.Server(*model_args(), "--parallel", "1", "--timeout", "2") as srv:
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=120)
            s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"messages\"")
            serve_ok(self, srv)  # the half-sent request holds no slot
            # and the server drops it once it has been idle for --timeout
            got = b""
            try:
                while True:
                    c = s.recv(4096)
                    if not c:
                        break
                    got += c
            except ConnectionResetError:
                pass
            s.close()
            self.assertFalse(got.startswith(b"HTTP/1.1 200"))
            serve_ok(self, srv)

    def test_trickling_sender_is_cut_off(self):
        with su.Server(*model_args(), "--parallel", "1", "--timeout", "2") as srv:
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=120)
            s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
            cut = False
            for i in range(200):  # one byte every 0.1 s: never idle, never done
                try:
                    s.sendall(b" ")
                    time.sleep(0.1)
                    s.setblocking(False)
                    try:
                        if s.recv(4096) == b"":
                            cut = True
                    except BlockingIOError:
                        pass
                    s.setblocking(True)
                except (BrokenPipeError, ConnectionResetError):
                    cut = True
                if cut:
                    break
            s.close()
            self.assertTrue(cut, "the server kept reading a request that never ends")
            serve_ok(self, srv)

    def test_generation_longer_than_the_idle_timeout(self):
        reply = " ".join(f"w{i}" for i in range(15))  # 30+ tokens at 100 ms: longer than --timeout 1
        with su.Server(*model_args(), "--timeout", "1", "--mock-reply", reply, "--mock-delay", "100",
                       "--parallel", "1") as srv:
            st, body = srv.json("POST", "/v1/chat/completions", {**CHAT, "max_tokens": 200})
            self.assertEqual(st, 200)
            self.assertEqual(body["choices"][0]["message"]["content"], reply)
            # two streams on one slot: the second waits in the queue for longer than
            # --timeout, sending keep-alive comments, and still gets its whole answer
            import threading
            got = [None, None]

            def one(i):
                got[i] = srv.request("POST", "/v1/chat/completions", {**CHAT, "max_tokens": 200, "stream": True})

            ts = [threading.Thread(target=one, args=(i,)) for i in range(2)]
            for t in ts:
                t.start()
            for t in ts:
                t.join()
            for st, _, data in got:
                self.assertEqual(st, 200)
                events = su.sse_events(data)
                self.assertEqual(events[-1], "[DONE]")
                text = "".join(json.loads(e)["choices"][0]["delta"].get("content", "") for e in events[:-1])
                self.assertEqual(text, reply)

    def test_slow_reader_does_not_hold_the_slot(self):
        reply = " ".join(f"w{i}" for i in range(60))
        with su.Server(*model_args(), "--parallel", "1", "--mock-reply", reply, "--mock-delay", "1") as srv:
            a, _ = start_stream(srv, {**CHAT, "stream": True, "max_tokens": 200})
            # A never reads; its generation finishes into the server's buffer and frees the slot
            serve_ok(self, srv)
            a.close()

    def test_max_prompt_and_max_tokens(self):
        with su.Server(*model_args(), "--max-prompt", "80", "--max-tokens", "8") as srv:
            st, body = srv.json("POST", "/v1/chat/completions",
                                {"messages": [{"role": "user", "content": "many words " * 20}]})
            self.assertEqual(st, 400)
            self.assertEqual(body["error"]["code"], "context_length_exceeded")
            st, body = srv.json("POST", "/v1/chat/completions", {**CHAT, "max_tokens": 9})
            self.assertEqual((st, body["error"]["param"]), (400, "max_tokens"))
            st, body = srv.json("POST", "/v1/chat/completions", {**CHAT, "max_tokens": 8, "temperature": 0})
            self.assertEqual(st, 200)
            # without max_tokens, -n's default is capped by --max-tokens
            st, body = srv.json("POST", "/v1/chat/completions", {"messages": CHAT["messages"]})
            self.assertEqual(st, 200)
            self.assertLessEqual(body["usage"]["completion_tokens"], 8)
            serve_ok(self, srv)


class Defaults(unittest.TestCase):
    def test_server_seed(self):
        # without a seed in the request, --seed makes answers repeatable
        with su.Server(*model_args(), "--seed", "7", "--temp", "1") as srv:
            body = {**CHAT, "max_tokens": 16, "cache_prompt": False}
            a = srv.json("POST", "/v1/chat/completions", body)[1]["choices"][0]["message"]["content"]
            b = srv.json("POST", "/v1/chat/completions", body)[1]["choices"][0]["message"]["content"]
            self.assertEqual(a, b)


class Browserside(unittest.TestCase):
    def test_cors_off_by_default_and_host_check(self):
        with su.Server(*model_args()) as srv:
            st, hdrs, _ = srv.request("OPTIONS", "/v1/chat/completions",
                                      headers={"Origin": "http://evil.test", "Access-Control-Request-Method": "POST"})
            self.assertEqual(st, 405)
            self.assertNotIn("access-control-allow-origin", hdrs)
            st, hdrs, _ = srv.request("POST", "/v1/chat/completions", CHAT, {"Origin": "http://evil.test"})
            self.assertEqual(st, 200)
            self.assertNotIn("access-control-allow-origin", hdrs)
            # a name that is not loopback (DNS rebinding) is refused without a key
            st, _, _ = srv.request("GET", "/v1/models", headers={"Host": "evil.test:80"})
            self.assertEqual(st, 403)
            for host in (f"localhost:{srv.port}", f"127.0.0.1:{srv.port}", f"[::1]:{srv.port}"):
                self.assertEqual(srv.request("GET", "/v1/models", headers={"Host": host})[0], 200, host)

    def test_cors_on(self):
        with su.Server(*model_args(), "--cors", "http://app.test") as srv:
            st, hdrs, _ = srv.request("OPTIONS", "/v1/chat/completions",
                                      headers={"Origin": "http://app.test", "Access-Control-Request-Method": "POST"})
            self.assertEqual(st, 204)
            self.assertEqual(hdrs["access-control-allow-origin"], "http://app.test")
            self.assertIn("Authorization", hdrs["access-control-allow-headers"])
            st, hdrs, _ = srv.request("POST", "/v1/chat/completions", CHAT)
            self.assertEqual(hdrs["access-control-allow-origin"], "http://app.test")

    def test_page_headers(self):
        with su.Server(*model_args()) as srv:
            st, hdrs, body = srv.request("GET", "/")
            self.assertEqual(st, 200)
            self.assertTrue(hdrs["content-type"].startswith("text/html"))
            csp = hdrs["content-security-policy"]
            self.assertIn("default-src 'none'", csp)
            self.assertIn("script-src 'sha256-", csp)
            self.assertNotIn("unsafe", csp)
            self.assertEqual(hdrs["x-frame-options"], "DENY")
            self.assertEqual(hdrs["x-content-type-options"], "nosniff")
            # the hashes allow exactly the page's own inline script and style
            import base64
            import hashlib
            for tag, src in ((b"script", "script-src"), (b"style", "style-src")):
                inner = body.split(b"<" + tag + b">", 1)[1].split(b"</" + tag + b">", 1)[0]
                h = base64.b64encode(hashlib.sha256(inner).digest()).decode()
                self.assertIn(f"{src} 'sha256-{h}'", csp)
            # self-contained: nothing loaded from elsewhere
            for ref in (b"http://", b"https://", b"//cdn", b"src=\"", b"<link"):
                self.assertNotIn(ref, body)


class AuditLog(unittest.TestCase):
    def run_server(self, log, *extra):
        with su.Server(*model_args(), "--audit-log", log, *extra, env={"NURI_API_KEY": KEY}) as srv:
            auth = {"Authorization": "Bearer " + KEY}
            st, _ = srv.json("POST", "/v1/chat/completions",
                             {"messages": [{"role": "user", "content": "secret 비밀 prompt"}], "max_tokens": 3}, auth)
            self.assertEqual(st, 200)
            self.assertEqual(srv.request("GET", "/v1/models")[0], 401)
            srv.request("GET", "/weird\x01path%ff")

    def test_fields_and_no_prompt_by_default(self):
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "audit.jsonl")
            with open(log, "w") as f:
                f.write('{"earlier": "line"}\n')
            os.chmod(log, 0o600)
            self.run_server(log)
            self.run_server(log)  # a restart appends
            with open(log, encoding="utf-8") as f:
                text = f.read()
            lines = [json.loads(x) for x in text.splitlines()]
            self.assertEqual(lines[0], {"earlier": "line"})
            self.assertNotIn("secret", text)
            self.assertNotIn(KEY, text)
            chats = [x for x in lines if x.get("route") == "/v1/chat/completions"]
            self.assertEqual(len(chats), 2)
            for c in chats:
                for k in ("time", "client", "method", "path", "status", "prompt_tokens", "completion_tokens",
                          "duration_ms"):
                    self.assertIn(k, c)
                self.assertEqual((c["client"], c["status"], c["completion_tokens"]), ("127.0.0.1", 200, 3))
            self.assertEqual(sum(1 for x in lines if x.get("status") == 401), 2)
            self.assertEqual(stat.S_IMODE(os.stat(log).st_mode), 0o600)

    def test_log_prompts(self):
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "audit.jsonl")
            self.run_server(log, "--log-prompts")
            self.assertEqual(stat.S_IMODE(os.stat(log).st_mode), 0o600)
            with open(log, encoding="utf-8") as f:
                lines = [json.loads(x) for x in f]
            prompts = [x["prompt"] for x in lines if "prompt" in x]
            self.assertEqual(len(prompts), 1)
            self.assertIn("secret 비밀 prompt", prompts[0])


class Shutdown(unittest.TestCase):
    def test_sigterm_during_generation(self):
        srv = su.Server(*model_args(), "--mock-reply", LONG_REPLY, "--mock-delay", "50")
        a, _ = start_stream(srv, {**CHAT, "stream": True, "max_tokens": 400})
        a.recv(4096)
        srv.check_exit(srv.stop())
        a.close()


if __name__ == "__main__":
    su.main()
