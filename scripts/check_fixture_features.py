#!/usr/bin/env python3
"""Show that each feature a tiny fixture is meant to exercise changes the reference's logits:
rerun the long prompt with that feature switched off (a metadata override, or a copy of the
file without the tensor) and report the largest change relative to S = max(1, |top logit|).
A feature whose change is below the F32 tolerance (0.005) would not be tested by the fixture;
exit status 1 if any is.

Usage: check_fixture_features.py [--dir tests/data/models]
"""
import argparse
import os
import sys
import tempfile

import numpy as np
import gguf

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import reflib  # noqa: E402
import ref_logits  # noqa: E402

PROMPT = {"prompt": "옛날 옛적에 작은 마을에"}  # 35 tokens: longer than every sliding window

# (model, what is switched off, metadata overrides or None, tensor to drop or None)
CASES = [
    ("exaone4", "sliding window (window -> 1000)", {"exaone4.attention.sliding_window": 1000}, None),
    ("exaone4", "rope_freqs", None, "rope_freqs.weight"),
    ("exaone4-dense", "rope_freqs", None, "rope_freqs.weight"),
    ("gemma3", "sliding window (window -> 1000)", {"gemma3.attention.sliding_window": 1000}, None),
    ("gemma3", "local rope base 10000 (default) -> 1e6", {"gemma3.rope.freq_base_swa": 1e6}, None),
    ("gemma3-keys", "sliding window (window -> 1000)", {"gemma3.attention.sliding_window": 1000}, None),
    ("gemma3-keys", "local rope base 500 -> 10000 (default)", {"gemma3.rope.freq_base_swa": 10000.0}, None),
    ("gemma3-keys", "pattern 3 -> 6 (default)", {"gemma3.attention.sliding_window_pattern": 6}, None),
    ("llama", "rope_freqs", None, "rope_freqs.weight"),
]


def without_tensor(src, drop, dst):
    r = gguf.GGUFReader(src)
    w = gguf.GGUFWriter(dst, r.fields["general.architecture"].contents())
    for k, f in r.fields.items():
        if k.startswith("GGUF.") or k == "general.architecture":
            continue
        if f.types[0] == gguf.GGUFValueType.ARRAY:
            w.add_key_value(k, f.contents(), f.types[0], sub_type=f.types[1])
        else:
            w.add_key_value(k, f.contents(), f.types[0])
    for t in r.tensors:
        if t.name != drop:
            w.add_tensor(t.name, np.array(t.data))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def run(path, **kw):
    return ref_logits.run_prompt(reflib.open_model(path, **kw), PROMPT, 16, True)


def change(a, b):
    """Largest change of a listed logit over the steps both runs share a context for."""
    r = 0.0
    for s, (sa, sb) in enumerate(zip(a["steps"], b["steps"])):
        if a["generated"][:s] != b["generated"][:s]:
            break
        S = max(1.0, abs(sa["top"][0][1]))
        db = dict(sb["top"])
        r = max([r] + [abs(db[i] - v) / S for i, v in sa["top"] if i in db])
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default=os.path.join(os.path.dirname(HERE), "tests", "data", "models"))
    a = ap.parse_args()
    base, bad = {}, False
    with tempfile.TemporaryDirectory() as tmp:
        for model, what, kv, drop in CASES:
            path = os.path.join(a.dir, model + ".gguf")
            if model not in base:
                base[model] = run(path)
            if drop:
                alt = os.path.join(tmp, model + ".gguf")
                without_tensor(path, drop, alt)
                other = run(alt)
            else:
                other = run(path, kv_overrides=kv)
            r = change(base[model], other)
            same = base[model]["generated"] == other["generated"]
            flag = "" if r > 0.005 else "   <-- NOT EXERCISED"
            bad |= r <= 0.005
            print(f"{model:14s} without {what:42s}: max change {r:.3f} x S, "
                  f"greedy text {'same' if same else 'differs'}{flag}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
