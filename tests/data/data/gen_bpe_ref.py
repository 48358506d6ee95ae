#!/usr/bin/env python3
"""Reference token ids for tests/fixture/test_bpe_train.c.

Trains the test's two tokenizers with `nuri tokenizer train`, exactly as the test trains
them in-process (same text, vocabulary size, pre-tokenizer), then tokenizes held-out Korean
text with the reference (llama.cpp through llama-cpp-python, vocab_only) and writes
tests/data/data/bpe_ref_<pre>.txt: the trained GGUF's sha256 (the test first checks that
its own training produced the very same file) and, a line per text, the reference ids.

Held-out text: the first 300 non-empty reviews of ../shared/data/eval/nsmc/nsmc_eval.tsv
(held out of the pretraining corpus) and the 32 strings of ../shared/vocab/korean.inp.
Nothing from ../shared is copied here; the ids name their source row.

usage: gen_bpe_ref.py NURI_BIN [SHARED_DIR]   (run from the repository root)
"""
import hashlib
import os
import subprocess
import sys
import tempfile

import llama_cpp

VOCAB = 1200
TRAIN = ["data/corpus/law/constitution.txt", "data/corpus/law/statutes/pipa.md"]
N_NSMC = 300


def heldout(shared):
    rows = open(os.path.join(shared, "data/eval/nsmc/nsmc_eval.tsv"), encoding="utf-8").read().split("\n")[1:]
    out = []
    for i, r in enumerate(rows):
        cells = r.split("\t")
        if len(cells) > 1 and cells[1]:
            out.append(("nsmc", i + 1, cells[1]))
        if len(out) == N_NSMC:
            break
    inp = open(os.path.join(shared, "vocab/korean.inp"), "rb").read().decode("utf-8")
    parts = inp.split("\n__ggml_vocab_test__\n")
    for i, p in enumerate(parts[:-1] if parts[-1] == "" else parts):
        out.append(("inp", i, p))
    return out


def main():
    nuri = sys.argv[1]
    shared = sys.argv[2] if len(sys.argv) > 2 else "../shared"
    texts = heldout(shared)
    for pre in ("qwen2", "llama-bpe"):
        with tempfile.TemporaryDirectory() as tmp:
            gguf = os.path.join(tmp, "bpe.gguf")
            subprocess.run([nuri, "tokenizer", "train", "-q", "-o", gguf, "--vocab-size", str(VOCAB), "--pre", pre]
                           + [os.path.join(shared, t) for t in TRAIN], check=True)
            digest = hashlib.sha256(open(gguf, "rb").read()).hexdigest()
            llm = llama_cpp.Llama(model_path=gguf, vocab_only=True, verbose=False)
            lines = ["# reference ids from llama-cpp-python %s (vocab_only, add_bos=False, special=False);"
                     " regenerate with tests/data/data/gen_bpe_ref.py" % llama_cpp.__version__,
                     "sha256 " + digest]
            for src, idx, text in texts:
                ids = llm.tokenize(text.encode("utf-8"), add_bos=False, special=False)
                lines.append("%s %d %s" % (src, idx, " ".join(map(str, ids))))
            with open("tests/data/data/bpe_ref_%s.txt" % pre, "w", encoding="utf-8") as f:
                f.write("\n".join(lines) + "\n")
            print(pre, digest, len(texts), "texts")


if __name__ == "__main__":
    main()
