#!/usr/bin/env python3
"""Run lm-evaluation-harness itself (its kobest_* / kmmlu_* task YAMLs, request building,
metrics and results.json) on a GGUF model through transformers (which dequantizes GGUF
weights to float32), with the data sets read from ../shared/data/eval instead of the
Hugging Face hub (not reachable here): datasets.load_dataset is replaced by a function
that builds the same splits with the Hugging Face copies' field names.

  ref_eval_lmeval.py --model models/gemma-3-270m-q4_k_m.gguf --tasks kobest_copa,kmmlu_legal \
      [--limit N] [--output DIR]

Needs a venv with lm-eval[hf], torch, transformers, gguf, pandas (docs/eval.md says which).
Prints the wall time and writes lm-eval's results.json (and samples) to --output.
"""
import argparse
import json
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.environ.get("NURI_DATA") or os.path.join(ROOT, "..", "shared", "data", "eval")


def kobest_split(name, split):
    import pandas as pd

    f = {"train": "train", "validation": "dev", "test": "test"}[split]
    df = pd.read_csv(os.path.join(DATA, "kobest", name, f + ".tsv"), sep="\t", dtype=str,
                     keep_default_na=False)
    b = lambda s: 0 if str(s).strip().lower() == "false" else 1  # noqa: E731
    if name == "boolq":
        return [{"paragraph": r.Text, "question": r.Question, "label": b(r.Answer)} for r in df.itertuples()]
    if name == "copa":
        return [{"premise": r.sentence, "question": r.question, "alternative_1": r[4], "alternative_2": r[5],
                 "label": int(r.Answer) - 1} for r in df.itertuples()]
    if name == "hellaswag":
        return [{"context": r.context, "ending_1": r.choice1, "ending_2": r.choice2, "ending_3": r.choice3,
                 "ending_4": r.choice4, "label": int(r.label)} for r in df.itertuples()]
    if name == "sentineg":
        return [{"sentence": r.Text, "label": int(r.Label)} for r in df.itertuples()]
    if name == "wic":
        return [{"word": r.Target, "context_1": r.SENTENCE1, "context_2": r.SENTENCE2, "label": b(r.ANSWER)}
                for r in df.itertuples()]
    raise KeyError(name)


def kmmlu_split(name, split):
    import pandas as pd

    files = {f.lower(): f for f in os.listdir(os.path.join(DATA, "kmmlu"))}
    f = files[f"{name.lower()}-{split}.csv"]
    df = pd.read_csv(os.path.join(DATA, "kmmlu", f), dtype=str, keep_default_na=False)
    return [{"question": r["question"], "answer": int(r["answer"]), "A": r["A"], "B": r["B"], "C": r["C"],
             "D": r["D"]} for _, r in df.iterrows()]


def fake_load_dataset(path=None, name=None, **kw):
    import datasets

    if path == "skt/kobest_v1":
        splits = {s: kobest_split(name, s) for s in ["train", "validation", "test"]}
    elif path == "HAERAE-HUB/KMMLU":
        splits = {s: kmmlu_split(name, s) for s in ["dev", "test"]}
    else:
        raise SystemExit(f"ref_eval_lmeval.py: no local copy of {path}")
    return datasets.DatasetDict({k: datasets.Dataset.from_list(v) for k, v in splits.items()})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--tasks", required=True)
    ap.add_argument("--limit", type=int)
    ap.add_argument("--output", default="lmeval-out")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    import datasets
    import torch

    torch.set_num_threads(a.threads)
    datasets.load_dataset = fake_load_dataset
    import lm_eval
    from lm_eval.api import task as lm_task

    lm_task.datasets.load_dataset = fake_load_dataset
    d, f = os.path.split(os.path.abspath(a.model))
    t0 = time.time()
    res = lm_eval.simple_evaluate(model="hf", model_args=f"pretrained={d},gguf_file={f},dtype=float32",
                                  tasks=a.tasks.split(","), num_fewshot=0, limit=a.limit, batch_size=1,
                                  device="cpu", log_samples=True)
    wall = time.time() - t0
    os.makedirs(a.output, exist_ok=True)
    samples = res.pop("samples", {})
    with open(os.path.join(a.output, "results.json"), "w", encoding="utf-8") as fp:
        json.dump(res, fp, indent=2, default=str, ensure_ascii=False)
    for t, s in samples.items():
        with open(os.path.join(a.output, f"samples_{t}.jsonl"), "w", encoding="utf-8") as fp:
            for x in s:
                fp.write(json.dumps(x, default=str, ensure_ascii=False) + "\n")
    for t, r in res["results"].items():
        print(t, {k: v for k, v in r.items() if "," in k})
    print(f"wall {wall:.1f} s (model loading included)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
