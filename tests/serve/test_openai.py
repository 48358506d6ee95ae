"""`nuri serve` through the official `openai` Python client: chat (streaming and not),
completions, embeddings, the models list, and error cases; plus the llama.cpp-style
routes (tokenize, detokenize, apply-template), health and metrics.

Expected values come from nuri's own CLI (tokenize, template), which the other test
suites check against the reference, or from the server's own earlier answers (same
seed, same text; a stop sequence cuts the greedy text where it occurs).

Runs against SmolLM2-135M-Instruct (models/, skipped when absent) and the tiny
stories260K from ../shared with the built-in chatml template.

    NURI_BIN=build/nuri .venv/bin/python tests/serve/test_openai.py
"""

import base64
import json
import math
import os
import struct
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_util as su  # noqa: E402

try:
    import openai
except ImportError:  # the wrapper script reports this as a skip
    openai = None


class Common:
    """Tests every model configuration runs. Subclasses set MODEL and ARGS."""

    MODEL = None
    ARGS = ()
    SPACE_PREFIX = False
    server = None

    @classmethod
    def setUpClass(cls):
        if openai is None:
            raise unittest.SkipTest("the openai package is not installed")
        su.need(cls.MODEL, os.path.basename(cls.MODEL))
        cls.server = su.Server("-m", cls.MODEL, *cls.ARGS)
        cls.client = openai.OpenAI(base_url=cls.server.base + "/v1", api_key="unused", max_retries=0, timeout=600)
        cls.model_id = os.path.basename(cls.MODEL)
        st, models = cls.server.json("GET", "/v1/models")
        cls.meta = models["data"][0]["meta"]

    @classmethod
    def tearDownClass(cls):
        if cls.server:
            cls.server.check_exit(cls.server.stop())

    # Outputs compared with each other are made without the slot's prompt cache: a prompt
    # decoded partly from cache gives logits that differ in the last bits (batched and
    # single-token kernels sum in different orders), as with llama.cpp's server.
    NOCACHE = {"cache_prompt": False}

    def chat(self, content, **kw):
        kw.setdefault("max_tokens", 12)
        kw.setdefault("extra_body", self.NOCACHE)
        return self.client.chat.completions.create(model=self.model_id,
                                                   messages=[{"role": "user", "content": content}], **kw)

    def stream_text(self, content, **kw):
        kw.setdefault("max_tokens", 12)
        kw.setdefault("extra_body", self.NOCACHE)
        chunks = list(self.client.chat.completions.create(
            model=self.model_id, messages=[{"role": "user", "content": content}], stream=True, **kw))
        return chunks, "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)

    # ---- models, health, metrics ----

    def test_models_list(self):
        ids = [m.id for m in self.client.models.list()]
        self.assertEqual(ids, [self.model_id])

    def test_health(self):
        st, body = self.server.json("GET", "/health")
        self.assertEqual((st, body), (200, {"status": "ok"}))

    # ---- chat ----

    def test_chat_plain(self):
        r = self.chat("Write one sentence about the sea.", temperature=0)
        c = r.choices[0]
        self.assertEqual(r.object, "chat.completion")
        self.assertEqual(r.model, self.model_id)
        self.assertEqual(c.message.role, "assistant")
        self.assertIsInstance(c.message.content, str)
        self.assertIn(c.finish_reason, ("stop", "length"))
        self.assertGreater(r.usage.completion_tokens, 0)
        self.assertLessEqual(r.usage.completion_tokens, 12)
        if c.finish_reason == "length":
            self.assertEqual(r.usage.completion_tokens, 12)
        self.assertEqual(r.usage.total_tokens, r.usage.prompt_tokens + r.usage.completion_tokens)
        # prompt_tokens is the template's prompt as the tokenizer counts it
        msgs = [{"role": "user", "content": "Write one sentence about the sea."}]
        st, t = self.server.json("POST", "/apply-template", {"messages": msgs})
        st, toks = self.server.json("POST", "/tokenize", {"content": t["prompt"], "add_special": True})
        self.assertEqual(r.usage.prompt_tokens, len(toks["tokens"]))

    def test_chat_stream_matches_plain(self):
        plain = self.chat("Name three colors.", temperature=0, max_tokens=16).choices[0].message.content
        chunks, text = self.stream_text("Name three colors.", temperature=0, max_tokens=16)
        self.assertEqual(text, plain)
        self.assertEqual(chunks[0].choices[0].delta.role, "assistant")
        self.assertIn(chunks[-1].choices[0].finish_reason, ("stop", "length"))
        self.assertTrue(all(c.object == "chat.completion.chunk" for c in chunks))
        self.assertEqual(len({c.id for c in chunks}), 1)

    def test_chat_stream_usage(self):
        chunks, text = self.stream_text("Count to five.", temperature=0, max_tokens=8,
                                        stream_options={"include_usage": True})
        last = chunks[-1]
        self.assertEqual(last.choices, [])
        self.assertIsNotNone(last.usage)
        self.assertGreater(last.usage.prompt_tokens, 0)
        self.assertEqual(last.usage.completion_tokens, 8 if chunks[-2].choices[0].finish_reason == "length"
                         else last.usage.completion_tokens)

    def test_chat_seed_repeats(self):
        a = self.chat("Tell me a story.", temperature=1.0, top_p=0.9, seed=1234, max_tokens=16)
        b = self.chat("Tell me a story.", temperature=1.0, top_p=0.9, seed=1234, max_tokens=16)
        self.assertEqual(a.choices[0].message.content, b.choices[0].message.content)

    def test_chat_penalties_accepted(self):
        r = self.chat("Repeat the word cat.", temperature=0, presence_penalty=1.5, frequency_penalty=1.0,
                      max_tokens=8)
        self.assertGreater(r.usage.completion_tokens, 0)

    def test_chat_max_tokens_one(self):
        r = self.chat("Hello", temperature=0, max_tokens=1)
        self.assertEqual(r.usage.completion_tokens, 1)

    def test_chat_stop(self):
        full = self.chat("Describe a cat in detail.", temperature=0, max_tokens=24).choices[0].message.content
        if len(full) < 8:
            self.skipTest("greedy reply too short to cut")
        stop = full[len(full) // 2:len(full) // 2 + 3]
        want = full[:full.find(stop)]
        r = self.chat("Describe a cat in detail.", temperature=0, max_tokens=24, stop=[stop])
        self.assertEqual(r.choices[0].message.content, want)
        self.assertEqual(r.choices[0].finish_reason, "stop")
        _, text = self.stream_text("Describe a cat in detail.", temperature=0, max_tokens=24, stop=stop)
        self.assertEqual(text, want)

    def test_chat_multi_turn_and_parts(self):
        msgs = [{"role": "system", "content": "You are brief."},
                {"role": "user", "content": [{"type": "text", "text": "Hi "}, {"type": "text", "text": "there"}]},
                {"role": "assistant", "content": "Hello!"},
                {"role": "user", "content": "안녕하세요? 한국어로 대답해 주세요."}]
        r = self.client.chat.completions.create(model=self.model_id, messages=msgs, max_tokens=8, temperature=0)
        self.assertGreater(r.usage.prompt_tokens, 10)
        # the next turn, with the prompt cache (the default): the same prompt count plus the turn
        msgs += [{"role": "assistant", "content": r.choices[0].message.content}, {"role": "user", "content": "더"}]
        r2 = self.client.chat.completions.create(model=self.model_id, messages=msgs, max_tokens=8, temperature=0)
        self.assertGreater(r2.usage.prompt_tokens, r.usage.prompt_tokens)

    def test_concurrent_requests(self):
        results, errors = [None] * 4, []

        def one(i):
            try:
                _, results[i] = self.stream_text(f"Say the number {i}.", temperature=0, max_tokens=8)
            except Exception as e:  # reported below
                errors.append(e)

        threads = [threading.Thread(target=one, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertTrue(all(isinstance(r, str) for r in results))

    # ---- completions ----

    def test_completions(self):
        r = self.client.completions.create(model=self.model_id, prompt="Once upon a time", max_tokens=10,
                                           temperature=0, extra_body=self.NOCACHE)
        self.assertEqual(r.object, "text_completion")
        self.assertIsInstance(r.choices[0].text, str)
        self.assertGreater(r.usage.completion_tokens, 0)
        st, toks = self.server.json("POST", "/tokenize", {"content": "Once upon a time", "add_special": True})
        self.assertEqual(r.usage.prompt_tokens, len(toks["tokens"]))
        # the same prompt as token ids gives the same text
        r2 = self.client.completions.create(model=self.model_id, prompt=toks["tokens"], max_tokens=10,
                                            temperature=0, extra_body=self.NOCACHE)
        self.assertEqual(r2.choices[0].text, r.choices[0].text)
        text = "".join(c.choices[0].text for c in self.client.completions.create(
            model=self.model_id, prompt="Once upon a time", max_tokens=10, temperature=0, stream=True,
            extra_body=self.NOCACHE))
        self.assertEqual(text, r.choices[0].text)

    # ---- embeddings ----

    def test_embeddings(self):
        n_embd = self.meta["n_embd"]
        r = self.client.embeddings.create(model=self.model_id, input=["바다는 넓다", "The sea is wide", "바다는 넓다"])
        self.assertEqual([d.index for d in r.data], [0, 1, 2])
        vecs = [d.embedding for d in r.data]
        for v in vecs:
            self.assertEqual(len(v), n_embd)
            self.assertAlmostEqual(math.sqrt(sum(x * x for x in v)), 1.0, places=4)
        self.assertEqual(vecs[0], vecs[2])
        self.assertNotEqual(vecs[0], vecs[1])
        # float and base64 encodings carry the same numbers
        one = self.client.embeddings.create(model=self.model_id, input="The sea is wide", encoding_format="float")
        st, raw = self.server.json("POST", "/v1/embeddings", {"input": "The sea is wide", "encoding_format": "base64"})
        b = base64.b64decode(raw["data"][0]["embedding"])
        floats = struct.unpack(f"<{n_embd}f", b)
        self.assertEqual([round(x, 5) for x in floats], [round(x, 5) for x in one.data[0].embedding])
        self.assertEqual([round(x, 5) for x in one.data[0].embedding], [round(x, 5) for x in vecs[1]])
        st, toks = self.server.json("POST", "/tokenize", {"content": "The sea is wide", "add_special": True})
        self.assertEqual(one.usage.prompt_tokens, len(toks["tokens"]))

    def test_embeddings_match_the_reference(self):
        # llama.cpp's mean pooling (tests/serve/make_embedding_ref.py). Other poolings of the
        # same model are at cosine 0.65 to 0.85 from it; kernel differences leave ~1e-4.
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data",
                            "embeddings_" + self.model_id.replace(".gguf", "") + ".json")
        with open(path, encoding="utf-8") as f:
            ref = json.load(f)["inputs"]
        r = self.client.embeddings.create(model=self.model_id, input=[x["text"] for x in ref], encoding_format="float")
        for x, d in zip(ref, r.data):
            st, toks = self.server.json("POST", "/tokenize", {"content": x["text"], "add_special": True,
                                                              "parse_special": False})
            self.assertEqual(toks["tokens"], x["tokens"])
            cos = sum(a * b for a, b in zip(x["embedding"], d.embedding))
            self.assertGreater(cos, 0.999, x["text"])

    # ---- tokenize, detokenize, apply-template ----

    def test_tokenize_matches_cli(self):
        text = "Hello, 세계! 안녕하세요 <|im_end|>"
        st, r = self.server.json("POST", "/tokenize", {"content": text, "add_special": False, "parse_special": False})
        cli = su.run_cli("tokenize", "-m", self.MODEL, "--no-add-special", "--no-parse-special", text)
        self.assertEqual(r["tokens"], [int(x) for x in cli.split()])
        st, d = self.server.json("POST", "/detokenize", {"tokens": r["tokens"]})
        # pieces joined, as the reference's server: SentencePiece keeps its space prefix
        self.assertEqual(d["content"], " " + text if self.SPACE_PREFIX else text)
        st, p = self.server.json("POST", "/tokenize", {"content": text, "with_pieces": True})
        self.assertTrue(all(set(x) == {"id", "piece"} for x in p["tokens"]))

    def test_apply_template_matches_cli(self):
        msgs = [{"role": "system", "content": "시스템"}, {"role": "user", "content": "질문 <b>?</b>"}]
        st, r = self.server.json("POST", "/apply-template", {"messages": msgs})
        self.assertEqual(st, 200)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(msgs, f)
        try:
            args = ["template", "-m", self.MODEL, "--messages", f.name]
            if "--chat-template" in self.ARGS:
                args += ["--chat-template", self.ARGS[self.ARGS.index("--chat-template") + 1]]
            self.assertEqual(r["prompt"], su.run_cli(*args))
        finally:
            os.unlink(f.name)

    # ---- errors through the client ----

    def assert_bad(self, param, **kw):
        with self.assertRaises(openai.BadRequestError) as cm:
            self.client.chat.completions.create(model=self.model_id, **kw)
        err = cm.exception.body
        self.assertIsInstance(err.get("message"), str)
        self.assertEqual(err.get("type"), "invalid_request_error")
        if param:
            self.assertEqual(err.get("param"), param)
        return err

    def test_errors(self):
        msg = [{"role": "user", "content": "hi"}]
        self.assert_bad("max_tokens", messages=msg, max_tokens=self.meta["n_ctx"] * 4)
        self.assert_bad("max_tokens", messages=msg, max_tokens=self.meta["n_ctx"] - 1)  # beyond what is left
        self.assert_bad("max_tokens", messages=msg, max_tokens=0)
        self.assert_bad("temperature", messages=msg, temperature=-0.5)
        self.assert_bad("top_p", messages=msg, top_p=1.5)
        self.assert_bad("presence_penalty", messages=msg, presence_penalty=3)
        self.assert_bad("messages", messages=[])
        self.assert_bad("messages[0].role", messages=[{"role": "wizard", "content": "x"}])
        self.assert_bad("n", messages=msg, n=2)
        self.assert_bad("stop", messages=msg, stop=["a", "b", "c", "d", "e"])
        self.assert_bad("messages[0].content", messages=[{"role": "user", "content": [
            {"type": "image_url", "image_url": {"url": "data:,"}}]}])
        with self.assertRaises(openai.BadRequestError):
            self.client.completions.create(model=self.model_id, prompt=[10 ** 7], max_tokens=2)
        with self.assertRaises(openai.BadRequestError):
            self.client.embeddings.create(model=self.model_id, input="")
        with self.assertRaises(openai.NotFoundError):
            self.client.post("/nope", cast_to=object, body={})
        # still serving
        self.assertEqual(self.chat("ok?", max_tokens=2).usage.completion_tokens > 0, True)

    def test_metrics(self):
        self.chat("metrics?", max_tokens=3, temperature=0)
        m = self.server.metrics()
        self.assertGreaterEqual(m.get('nuri_requests_total{route="/v1/chat/completions",status="200"}', 0), 1)
        self.assertGreaterEqual(m["nuri_completion_tokens_total"], 3)
        self.assertIn("nuri_queue_depth", m)
        self.assertEqual(m["nuri_slots"], 2)
        self.assertGreaterEqual(m['nuri_request_duration_seconds_count{route="/v1/chat/completions"}'], 1)


class SmolLM2(Common, unittest.TestCase):
    MODEL = su.SMOL
    ARGS = ("--parallel", "2", "-c", "2048")


class Stories260K(Common, unittest.TestCase):
    MODEL = su.STORIES
    ARGS = ("--parallel", "2", "--chat-template", "chatml")
    SPACE_PREFIX = True


if __name__ == "__main__":
    su.main()
