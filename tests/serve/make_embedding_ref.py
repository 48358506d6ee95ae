#!/usr/bin/env python3
"""Reference embeddings for tests/serve/test_openai.py, made by the reference (llama.cpp
through llama-cpp-python 0.3.36): mean pooling over the final normalized hidden states,
L2-normalized, the definition /v1/embeddings follows. One thread, no flash attention, F16
KV cache, as scripts/reflib.py's reference runs (docs/reference.md).

    /work/venv-dev/bin/python tests/serve/make_embedding_ref.py MODEL.gguf OUT.json
"""

import json
import sys

import llama_cpp

TEXTS = ["바다는 넓다", "The sea is wide", "Hello, world!"]


def main():
    model, out = sys.argv[1], sys.argv[2]
    llm = llama_cpp.Llama(model_path=model, embedding=True, pooling_type=llama_cpp.LLAMA_POOLING_TYPE_MEAN,
                          n_ctx=512, n_batch=512, n_ubatch=512, n_threads=1, n_threads_batch=1,
                          flash_attn=False, verbose=False)
    rows = []
    for t in TEXTS:
        rows.append({"text": t, "tokens": llm.tokenize(t.encode(), add_bos=True, special=False),
                     "embedding": [round(x, 7) for x in llm.embed(t, normalize=True)]})
    ref = {"llama_cpp_python": llama_cpp.__version__, "llama_cpp_commit": "0c1e57098", "pooling": "mean",
           "normalize": "l2", "model": model.rsplit("/", 1)[-1], "inputs": rows}
    with open(out, "w", encoding="utf-8") as f:
        json.dump(ref, f, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
