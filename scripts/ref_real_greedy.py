#!/usr/bin/env python3
"""Greedy generations of the real models (models/, placed by scripts/setup.sh --models) as the
reference computes them, written to tests/data/real/MODEL.greedy.jsonl.

One line a prompt: the prompt as the reference tokenized it (special tokens added the way the
model's metadata asks, e.g. BOS for Gemma 3, none for SmolLM2), then up to --steps greedy steps
(stopping after an end-of-generation token, which is included), each with the chosen id and the
two largest logits, so that an engine can check its argmax and how close the call was.

Usage: ref_real_greedy.py [--models DIR] [--out DIR] [--steps 32] [MODEL.gguf ...]
"""
import argparse
import hashlib
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import reflib  # noqa: E402

MODELS = ["gemma-3-270m-q4_k_m.gguf", "SmolLM2-135M-Instruct.Q4_1.gguf"]
PROMPTS = [
    "대한민국의 수도는",
    "옛날 옛적에 한 마을에",
    "The capital of France is",
    "Once upon a time, there was a little",
    "def fibonacci(n):",
]


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()


def greedy(llm, prompt, n_steps):
    toks = llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=False)
    llm.reset()
    llm.eval(toks)
    steps, gen = [], []
    while len(gen) < n_steps:
        logits = np.array(llm.scores[llm.n_tokens - 1], dtype=np.float32)
        order = np.argsort(-logits, kind="stable")[:2]
        tok = int(order[0])
        steps.append({"id": tok, "top2": [[int(i), round(float(logits[i]), 6)] for i in order]})
        gen.append(tok)
        if reflib.is_eog(llm, tok):
            break
        llm.eval([tok])
    return toks, steps, gen


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=os.path.join(ROOT, "models"))
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "data", "real"))
    ap.add_argument("--steps", type=int, default=32)
    ap.add_argument("--sdist", default=reflib.DEFAULT_SDIST)
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()

    ref = reflib.reference_id(a.sdist)
    os.makedirs(a.out, exist_ok=True)
    for fn in a.files or MODELS:
        path = fn if os.path.sep in fn else os.path.join(a.models, fn)
        name = os.path.basename(path)[: -len(".gguf")]
        digest = sha256(path)
        llm = reflib.open_model(path, n_ctx=512)
        lines = []
        for p in PROMPTS:
            toks, steps, gen = greedy(llm, p, a.steps)
            text = llm.detokenize(gen)
            o = {"model": os.path.basename(path), "model_sha256": digest, "prompt": p,
                 "add_special": True, "prompt_tokens": toks, "steps": steps, "generated": gen,
                 "text_hex": text.hex()}
            try:
                o["text"] = text.decode("utf-8")
            except UnicodeDecodeError:
                pass
            o["reference"] = ref
            lines.append(json.dumps(o, ensure_ascii=False, separators=(",", ":")))
            print(f"{name}: {p!r} -> {text.decode('utf-8', 'replace')!r}", file=sys.stderr)
        out = os.path.join(a.out, name + ".greedy.jsonl")
        with open(out, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        print(f"wrote {out}", file=sys.stderr)
        del llm


if __name__ == "__main__":
    main()
