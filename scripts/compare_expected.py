#!/usr/bin/env python3
"""Compare two *.expected.jsonl files (e.g. a regenerated one against ../shared/models/).

For each prompt and each step up to the first step whose context differs (the generations
agree before it), compare the logits of the token ids listed in both files' top-10, relative to
S = max(1, |top logit|) as in ../shared/models/README.md. Prints one line a prompt and the
overall worst ratio. Exit status 1 if prompt tokens differ or the worst ratio exceeds --tol.

Usage: compare_expected.py A.jsonl B.jsonl [--tol 0.005]
"""
import argparse
import json
import sys


def load(p):
    with open(p, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--tol", type=float, default=0.005)
    a = ap.parse_args()
    A, B = load(a.a), load(a.b)
    if len(A) != len(B):
        print(f"different prompt counts: {len(A)} vs {len(B)}")
        return 1
    worst, bad = 0.0, False
    for n, (x, y) in enumerate(zip(A, B)):
        if x["prompt_tokens"] != y["prompt_tokens"]:
            print(f"prompt {n}: prompt_tokens differ")
            bad = True
            continue
        ratio, steps, same_gen = 0.0, 0, x["generated"] == y["generated"]
        for s, (sx, sy) in enumerate(zip(x["steps"], y["steps"])):
            if x["generated"][:s] != y["generated"][:s]:
                break
            S = max(1.0, abs(sy["top"][0][1]))
            dx = dict((int(i), v) for i, v in sx["top"])
            for i, v in sy["top"]:
                if int(i) in dx:
                    ratio = max(ratio, abs(dx[int(i)] - v) / S)
            steps += 1
        worst = max(worst, ratio)
        div = "" if same_gen else " (generations diverge)"
        print(f"prompt {n}: {steps} steps compared, max |diff|/S = {ratio:.2e}, "
              f"generated equal: {same_gen}{div}")
    print(f"worst max |diff|/S = {worst:.2e} (tol {a.tol})")
    return 1 if bad or worst > a.tol else 0


if __name__ == "__main__":
    sys.exit(main())
