#!/usr/bin/env python3
"""Run the reference (llama-cpp-python) on a GGUF and write NAME.expected.jsonl in the format of
../shared/models/*.expected.jsonl: for each prompt the prompt tokens, greedy generation until an
end-of-generation token (included) or --max-tokens, and per step the 10 largest logits and the
sum of all logits.

Prompts: --prompt TEXT (tokenized by the reference, BOS added unless --no-bos) and/or
--tokens 1,2,3 (fed as given), in the order given; or --prompts FILE with one JSON object a
line: {"prompt": TEXT, "add_bos": true} or {"tokens": [..]}.

Every step is computed the way the reference generates: the prompt in one batch, then one
token at a time through the KV cache; n_threads=1, flash attention off, default F16 KV cache.

Usage: ref_logits.py MODEL.gguf [--prompt T ...] [--tokens IDS ...] [--max-tokens 16] [-o OUT]
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reflib  # noqa: E402


class PromptArg(argparse.Action):
    def __call__(self, parser, ns, value, option_string=None):
        items = getattr(ns, "items", None) or []
        if option_string == "--tokens":
            items.append({"tokens": [int(x) for x in value.replace(" ", "").split(",") if x]})
        else:
            items.append({"prompt": value})
        ns.items = items


def run_prompt(llm, item, max_tokens, add_bos_default):
    if "tokens" in item:
        toks = list(item["tokens"])
        out = {"prompt": item.get("prompt"), "add_bos": None, "prompt_tokens": toks}
    else:
        add_bos = item.get("add_bos", add_bos_default)
        toks = llm.tokenize(item["prompt"].encode("utf-8"), add_bos=add_bos, special=False)
        out = {"prompt": item["prompt"], "add_bos": add_bos, "prompt_tokens": toks}

    llm.reset()
    llm.eval(toks)
    steps, gen = [], []
    while True:
        logits = np.array(llm.scores[llm.n_tokens - 1], dtype=np.float32)
        order = np.argsort(-logits, kind="stable")[:10]
        steps.append({"top": [(int(i), float(logits[i])) for i in order],
                      "logit_sum": float(np.sum(logits, dtype=np.float64))})
        tok = int(order[0])
        gen.append(tok)
        if reflib.is_eog(llm, tok) or len(gen) >= max_tokens:
            break
        llm.eval([tok])

    text = llm.detokenize(gen)
    out.update(steps=steps, generated=gen, text_hex=text.hex())
    try:
        out["text"] = text.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if out["prompt"] is None:
        del out["prompt"]
    if out["add_bos"] is None:
        del out["add_bos"]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("--prompt", action=PromptArg, dest="_p", help="a text prompt (repeatable)")
    ap.add_argument("--tokens", action=PromptArg, dest="_t", help="comma-separated token ids (repeatable)")
    ap.add_argument("--prompts", help="JSON-lines file of prompts")
    ap.add_argument("--no-bos", action="store_true", help="do not add BOS to text prompts")
    ap.add_argument("--max-tokens", type=int, default=16)
    ap.add_argument("--n-ctx", type=int, default=512)
    ap.add_argument("--sdist", default=reflib.DEFAULT_SDIST, help="llama-cpp-python sdist (for the commit id)")
    ap.add_argument("-o", "--out", help="output file (default stdout)")
    a = ap.parse_args()

    items = list(getattr(a, "items", None) or [])
    if a.prompts:
        with open(a.prompts, encoding="utf-8") as f:
            items += [json.loads(l) for l in f if l.strip()]
    if not items:
        ap.error("no prompts")

    ref = reflib.reference_id(a.sdist)
    llm = reflib.open_model(a.model, n_ctx=a.n_ctx)
    lines = []
    for it in items:
        o = run_prompt(llm, it, a.max_tokens, not a.no_bos)
        o["reference"] = ref
        lines.append(reflib.dumps_line(o))
    data = "\n".join(lines) + "\n"
    if a.out:
        with open(a.out, "w", encoding="utf-8") as f:
            f.write(data)
    else:
        sys.stdout.write(data)


if __name__ == "__main__":
    main()
