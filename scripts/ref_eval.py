#!/usr/bin/env python3
"""Reference log-likelihoods for `nuri eval`, computed with llama-cpp-python (the reference
implementation), with prompts built here independently of nuri, the way
lm-evaluation-harness v0.4 builds them for kobest_* and kmmlu_* (0-shot).

  compare  --model M --samples DIR [--tasks T,...] [--json OUT]
      Reads nuri's DIR/samples_TASK.jsonl, rebuilds every document's prompt and choices
      from ../shared/data/eval, checks they equal nuri's, tokenizes them with the
      reference (lm-eval's split), checks nuri's token counts, scores every choice with
      the reference and compares: |ll_nuri - ll_ref| <= 0.01 + 0.002 n_tokens + 0.001 |ll_ref|,
      and nuri's prediction equals the reference's except where the reference's two best
      choices are within that tolerance of each other. Exit 1 on any violation.

  fixture  --model M --docs TASK:ID,ID,...[;TASK:...] --out FILE
      Writes one JSON line per (document, choice): task, doc_id, choice, the context's
      token count and FNV-1a hash (of the int32 ids' little-endian bytes), the
      continuation's tokens, ll and is_greedy: the reference data of
      tests/fixture/test_eval_ref.c.

Reference settings as scripts/reflib.py: n_threads=1, logits_all=True, flash_attn=False,
F16 KV cache. Each document's context is decoded once and each continuation after it
through the KV cache (llama.cpp's results per position do not depend on how the sequence
was split into batches beyond rounding far below the tolerance).
"""
import argparse
import csv
import json
import math
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reflib  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.environ.get("NURI_DATA") or os.path.join(ROOT, "..", "shared", "data", "eval")

# ---- documents, as lm-evaluation-harness's task YAMLs and utils.py define them ----------


def read_rows(path, sep):
    """Rows as dicts. Python's csv module with its default dialect reads quotes the way
    pandas.read_csv does (a field starting with a quote is quoted, "" is a quote)."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = [r for r in csv.reader(f, delimiter=sep) if r]
    head = rows[0]
    return [dict(zip(head, r)) for r in rows[1:]]


def truth(s):
    return {"true": 1, "false": 0}[s.strip().lower()]


def kobest_docs(name):
    rows = read_rows(os.path.join(DATA, "kobest", name, "test.tsv"), "\t")
    out = []
    for r in rows:
        if name == "boolq":
            out.append((f"{r['Text']} 질문: {r['Question']} 답변: ", ["아니오", "예"], truth(r["Answer"])))
        elif name == "copa":
            conn = {"원인": " 왜냐하면", "결과": " 그래서"}[r["question"].strip()]
            out.append((f"{r['sentence']} {conn}", [r["1"], r["2"]], int(r["Answer"]) - 1))
        elif name == "hellaswag":
            out.append((f"문장: {r['context']}", [r[f"choice{i}"] for i in range(1, 5)], int(r["label"])))
        elif name == "sentineg":
            out.append((f"문장: {r['Text']} 긍부정:", ["부정", "긍정"], int(r["Label"])))
        elif name == "wic":
            text = f"문장1: {r['SENTENCE1']} 문장2: {r['SENTENCE2']} 두 문장에서 {r['Target']}가 같은 뜻으로 쓰였나?"
            out.append((text, ["아니오", "예"], truth(r["ANSWER"])))
    return out


KMMLU_FILES = {"kmmlu_law": "Law", "kmmlu_criminal_law": "Criminal-Law", "kmmlu_patent": "Patent",
               "kmmlu_taxation": "Taxation"}


def kmmlu_docs(task):
    rows = read_rows(os.path.join(DATA, "kmmlu", KMMLU_FILES[task] + "-test.csv"), ",")
    out = []
    for r in rows:
        text = f"{r['question'].strip()}\nA. {r['A']}\nB. {r['B']}\nC. {r['C']}\nD. {r['D']}\n정답："
        out.append((text, ["A", "B", "C", "D"], int(r["answer"]) - 1))
    return out


def task_docs(task):
    if task.startswith("kobest_"):
        return kobest_docs(task[len("kobest_"):])
    if task in KMMLU_FILES:
        return kmmlu_docs(task)
    raise SystemExit(f"ref_eval.py: no reference prompts for task {task}")


# ---- scoring --------------------------------------------------------------------------


def encode_pair(llm, context, continuation):
    """lm-eval's _encode_pair with the model's own BOS rule (add_special as the GGUF says)."""
    n = len(context) - len(context.rstrip())
    if n:
        continuation = context[-n:] + continuation
        context = context[:-n]
    whole = llm.tokenize((context + continuation).encode("utf-8"), add_bos=True, special=False)
    ctx = llm.tokenize(context.encode("utf-8"), add_bos=True, special=False)
    return ctx, whole[len(ctx):]


def logprob_rows(rows, targets):
    rows = np.asarray(rows, dtype=np.float64)
    mx = rows.max(axis=1, keepdims=True)
    lse = mx[:, 0] + np.log(np.exp(rows - mx).sum(axis=1))
    idx = np.arange(len(targets))
    lp = rows[idx, targets] - lse
    greedy = bool(np.all(rows.argmax(axis=1) == np.asarray(targets)))
    return float(lp.sum()), greedy


def score_doc(llm, ctx, conts, max_len):
    """[(ll, is_greedy)] for each continuation after ctx (token lists). A sequence longer
    than max_len is cut from the left as lm-eval does: (ctx + cont)[-(max_len + 1):][:-1]."""
    out, held, first = [], None, None
    for c in conts:
        if not c:
            out.append((0.0, True))
            continue
        cc = ctx
        if len(ctx) + len(c) - 1 > max_len:
            cc = (ctx + c)[len(ctx) + len(c) - 1 - max_len: len(ctx)]
        if cc != held:
            llm.reset()
            llm.eval(cc)
            first = np.array(llm.scores[len(cc) - 1], dtype=np.float64)
            held = cc
        rows = [first]
        if len(c) > 1:
            llm.n_tokens = len(cc)
            llm.eval(c[:-1])
            rows += [np.array(llm.scores[len(cc) + i], dtype=np.float64) for i in range(len(c) - 1)]
        out.append(logprob_rows(rows, c))
    return out


def max_len_of(llm, n_ctx):
    """nuri's default context: the model's training context, at most 4096 (or --n-ctx)."""
    return n_ctx or min(llm._model.n_ctx_train(), 4096)


def tol(n_tokens, ref):
    return 0.01 + 0.002 * n_tokens + 0.001 * abs(ref)


def fnv_ids(ids):
    h = 1469598103934665603
    for b in struct.pack("<%di" % len(ids), *ids):
        h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def open_llm(path, n_ctx, flash_attn=False):
    """The reference with a context of n_ctx tokens (0: the model's, at most 4096)."""
    if not n_ctx:
        probe = reflib.open_model(path, n_ctx=64)
        n_ctx = max_len_of(probe, 0)
        del probe
    return reflib.open_model(path, n_ctx=n_ctx, flash_attn=flash_attn), n_ctx


# ---- commands -------------------------------------------------------------------------


def cmd_compare(a):
    llm, max_len = open_llm(a.model, a.n_ctx)
    tasks = a.tasks.split(",") if a.tasks else sorted(
        f[len("samples_"):-len(".jsonl")] for f in os.listdir(a.samples) if f.startswith("samples_"))
    report = {"model": os.path.basename(a.model), "reference": reflib.reference_id(), "tasks": {}}
    bad = 0
    for task in tasks:
        docs = task_docs(task)
        lines = [json.loads(l) for l in open(os.path.join(a.samples, f"samples_{task}.jsonl"), encoding="utf-8")]
        st = {"docs": 0, "choices": 0, "prompt_mismatch": 0, "token_mismatch": 0, "ll_violations": 0,
              "pred_differs": 0, "pred_differs_allowed": 0, "max_abs_diff": 0.0, "max_ratio": 0.0,
              "mean_abs_diff": 0.0, "acc_nuri": 0, "acc_ref": 0}
        diffs = []
        for s in lines[: a.limit] if a.limit else lines:
            i = s["doc_id"]
            text, choices, gold = docs[i]
            conts = [" " + c for c in choices]
            if s["prompt"] != text or [c["text"] for c in s["choices"]] != conts or s["gold"] != gold:
                st["prompt_mismatch"] += 1
                print(f"{task} doc {i}: prompt, choices or gold differ from lm-eval's", file=sys.stderr)
            pairs = [encode_pair(llm, text, c) for c in conts]
            ctx = pairs[0][0]
            ref = score_doc(llm, ctx, [p[1] for p in pairs], max_len)
            st["docs"] += 1
            ref_ll = [r[0] for r in ref]
            for j, (c, (ll, greedy)) in enumerate(zip(s["choices"], ref)):
                st["choices"] += 1
                n = len(pairs[j][1])
                if c["n_tokens"] != n:
                    st["token_mismatch"] += 1
                    print(f"{task} doc {i} choice {j}: nuri {c['n_tokens']} tokens, reference {n}", file=sys.stderr)
                d = abs(c["ll"] - ll)
                t = tol(n, ll)
                diffs.append(d)
                st["max_abs_diff"] = max(st["max_abs_diff"], d)
                st["max_ratio"] = max(st["max_ratio"], d / t)
                if d > t:
                    st["ll_violations"] += 1
                    print(f"{task} doc {i} choice {j}: nuri {c['ll']:.5f} ref {ll:.5f} diff {d:.5f} > tol {t:.5f}",
                          file=sys.stderr)
            pred_ref = int(np.argmax(ref_ll))
            st["acc_ref"] += pred_ref == gold
            st["acc_nuri"] += s["pred"] == gold
            if s["pred"] != pred_ref:
                order = np.argsort(ref_ll)[::-1]
                b1, b2 = int(order[0]), int(order[1])
                t = max(tol(len(pairs[b1][1]), ref_ll[b1]), tol(len(pairs[b2][1]), ref_ll[b2]))
                if ref_ll[b1] - ref_ll[b2] <= t:
                    st["pred_differs_allowed"] += 1
                else:
                    st["pred_differs"] += 1
                    print(f"{task} doc {i}: nuri predicts {s['pred']}, the reference {pred_ref}", file=sys.stderr)
        st["mean_abs_diff"] = float(np.mean(diffs)) if diffs else 0.0
        bad += st["prompt_mismatch"] + st["token_mismatch"] + st["ll_violations"] + st["pred_differs"]
        report["tasks"][task] = st
        print(f"{task}: {st['docs']} docs, {st['choices']} choices; max |diff| {st['max_abs_diff']:.4f} "
              f"(mean {st['mean_abs_diff']:.4f}, worst {st['max_ratio']:.2f} x tolerance); "
              f"{st['ll_violations']} over tolerance; predictions differ {st['pred_differs']} "
              f"(+{st['pred_differs_allowed']} within tolerance); prompt/token mismatches "
              f"{st['prompt_mismatch']}/{st['token_mismatch']}; acc nuri {st['acc_nuri']} ref {st['acc_ref']}")
        sys.stdout.flush()
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(report, f, ensure_ascii=False, indent=2)
    return 1 if bad else 0


def rolling_ll(llm, tokens, prefix, max_len):
    """lm-eval's loglikelihood_rolling with context_len=1: disjoint windows of max_len
    tokens, the first after the prefix token, each later one after the token before it."""
    total, start = 0.0, 0
    while start < len(tokens):
        m = min(max_len, len(tokens) - start)
        first = tokens[start - 1] if start else prefix
        ll, _ = score_doc(llm, [first], [tokens[start:start + m]], max_len)[0]
        total += ll
        start += m
    return total


def greedy_until(llm, prompt, stop, max_tokens):
    toks = llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=False)
    llm.reset()
    llm.eval(toks)
    gen = []
    while len(gen) < max_tokens:
        t = int(np.argmax(llm.scores[llm.n_tokens - 1]))
        if reflib.is_eog(llm, t):
            break
        gen.append(t)
        text = llm.detokenize(gen).decode("utf-8", errors="replace")
        if stop in text:
            break
        llm.eval([t])
    text = llm.detokenize(gen).decode("utf-8", errors="replace")
    return text.split(stop)[0], len(gen)


def cmd_fixture(a):
    llm, max_len = open_llm(a.model, a.n_ctx)
    out = []
    if a.rolling:
        path, nbytes = a.rolling.rsplit(":", 1)
        data = open(os.path.join(DATA, "..", path), "rb").read()[: int(nbytes)].decode("utf-8")
        toks = llm.tokenize(data.encode("utf-8"), add_bos=False, special=False)
        bos = llm.token_bos()
        prefix = bos if bos >= 0 else llm.token_eos()
        out.append({"rolling": path, "bytes": int(nbytes), "n_tokens": len(toks),
                    "ll": round(rolling_ll(llm, toks, prefix, max_len), 6)})
    for prompt in a.generate or []:
        text, n = greedy_until(llm, prompt, "\n", 32)
        out.append({"generate": prompt, "until": "\n", "max_tokens": 32, "text": text, "n_generated": n})
    for spec in a.docs.split(";"):
        task, ids = spec.split(":")
        docs = task_docs(task)
        for i in [int(x) for x in ids.split(",")]:
            text, choices, gold = docs[i]
            pairs = [encode_pair(llm, text, " " + c) for c in choices]
            ctx = pairs[0][0]
            ref = score_doc(llm, ctx, [p[1] for p in pairs], max_len)
            for j, ((_, cont), (ll, greedy)) in enumerate(zip(pairs, ref)):
                out.append({"task": task, "doc_id": i, "choice": j, "n_ctx": len(ctx), "ctx_fnv": fnv_ids(ctx),
                            "cont": cont, "ll": round(ll, 6), "is_greedy": greedy})
    with open(a.out, "w", encoding="utf-8") as f:
        f.write(json.dumps({"model": os.path.basename(a.model), "reference": reflib.reference_id()}) + "\n")
        for o in out:
            f.write(json.dumps(o) + "\n")
    return 0


def cmd_refdiff(a):
    """The reference against itself: flash attention on vs off (its two CPU paths)."""
    (off, max_len), (on, _) = open_llm(a.model, a.n_ctx), open_llm(a.model, a.n_ctx, flash_attn=True)
    for task in a.tasks.split(","):
        docs = task_docs(task)[: a.limit]
        diffs, ratios, over, flips = [], [], 0, 0
        for text, choices, gold in docs:
            pairs = [encode_pair(off, text, " " + c) for c in choices]
            r0 = score_doc(off, pairs[0][0], [p[1] for p in pairs], max_len)
            r1 = score_doc(on, pairs[0][0], [p[1] for p in pairs], max_len)
            for (_, cont), x, y in zip(pairs, r0, r1):
                d = abs(x[0] - y[0])
                diffs.append(d)
                ratios.append(d / tol(len(cont), x[0]))
                over += d > tol(len(cont), x[0])
            flips += int(np.argmax([x[0] for x in r0])) != int(np.argmax([y[0] for y in r1]))
        print(f"{task}: {len(docs)} docs, {len(diffs)} choices; reference FA on vs off: max |diff| {max(diffs):.4f} "
              f"(mean {np.mean(diffs):.4f}, worst {max(ratios):.2f} x tolerance); {over} over tolerance; "
              f"{flips} predictions differ")
        sys.stdout.flush()
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("compare")
    c.add_argument("--model", required=True)
    c.add_argument("--samples", required=True)
    c.add_argument("--tasks")
    c.add_argument("--limit", type=int, default=0)
    c.add_argument("--json")
    c.add_argument("--n-ctx", type=int, default=0, help="context (default: the model's, at most 4096, as nuri)")
    f = sub.add_parser("fixture")
    f.add_argument("--model", required=True)
    f.add_argument("--docs", required=True)
    f.add_argument("--out", required=True)
    f.add_argument("--n-ctx", type=int, default=0)
    f.add_argument("--rolling", help="PATH:BYTES, a text under ../shared/data and how many bytes of it")
    f.add_argument("--generate", action="append", help="a prompt for greedy generation until a newline")
    r = sub.add_parser("refdiff")
    r.add_argument("--model", required=True)
    r.add_argument("--tasks", required=True)
    r.add_argument("--limit", type=int, default=50)
    r.add_argument("--n-ctx", type=int, default=0)
    a = ap.parse_args()
    return {"compare": cmd_compare, "fixture": cmd_fixture, "refdiff": cmd_refdiff}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
