#!/usr/bin/env python3
"""Write a Llama-3.2-1B-shaped llama GGUF with random F16 weights, for speed comparisons.

Shape and metadata follow Llama 3.2 1B: dim 2048, 16 layers, 32 heads / 8 KV heads
(head_dim 64), FFN 8192, vocab 128256, tied embeddings (no output.weight), RoPE base 500000
with llama3 scaling (factor 32, low 1, high 4, original context 8192) as a rope_freqs
tensor, RMSNorm eps 1e-5. The tokenizer metadata (real Llama 3 BPE vocab) is copied from a
vocab-only GGUF, by default ../shared/vocab/ggml-vocab-llama-bpe.gguf.

Weights: matrices N(0, 0.02^2), norms 1 + N(0, 0.05^2); numpy default_rng(seed), so the file
is reproducible. Tensors are streamed to disk one at a time (peak memory ~1.5 GB).

Usage: make_bench_model.py OUT.gguf [--vocab VOCAB.gguf] [--seed 1234]
"""
import argparse
import math
import os
import sys

import numpy as np
import gguf

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

DIM, N_LAYER, N_HEAD, N_KV, FFN, N_VOCAB = 2048, 16, 32, 8, 8192, 128256
HEAD_DIM = DIM // N_HEAD
ROPE_BASE = 500000.0
LLAMA3 = dict(factor=32.0, low_freq_factor=1.0, high_freq_factor=4.0, orig_ctx=8192)


def llama3_rope_factors(head_dim, base, factor, low_freq_factor, high_freq_factor, orig_ctx):
    freqs = 1.0 / (base ** (np.arange(0, head_dim, 2, dtype=np.float32) / head_dim))
    out = []
    for f in freqs:
        wavelen = 2 * math.pi / f
        if wavelen < orig_ctx / high_freq_factor:
            out.append(1.0)
        elif wavelen > orig_ctx / low_freq_factor:
            out.append(factor)
        else:
            smooth = (orig_ctx / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
            out.append(1.0 / ((1 - smooth) / factor + smooth))
    return np.array(out, dtype=np.float32)


def plan():
    """(name, numpy shape, dtype, kind) in file order; numpy shape = reversed GGUF shape."""
    t = [("token_embd.weight", (N_VOCAB, DIM), np.float16, "mat"),
         ("output_norm.weight", (DIM,), np.float32, "norm"),
         ("rope_freqs.weight", (HEAD_DIM // 2,), np.float32, "rope")]
    for i in range(N_LAYER):
        p = f"blk.{i}."
        t += [(p + "attn_norm.weight", (DIM,), np.float32, "norm"),
              (p + "attn_q.weight", (N_HEAD * HEAD_DIM, DIM), np.float16, "mat"),
              (p + "attn_k.weight", (N_KV * HEAD_DIM, DIM), np.float16, "mat"),
              (p + "attn_v.weight", (N_KV * HEAD_DIM, DIM), np.float16, "mat"),
              (p + "attn_output.weight", (DIM, N_HEAD * HEAD_DIM), np.float16, "mat"),
              (p + "ffn_norm.weight", (DIM,), np.float32, "norm"),
              (p + "ffn_gate.weight", (FFN, DIM), np.float16, "mat"),
              (p + "ffn_up.weight", (FFN, DIM), np.float16, "mat"),
              (p + "ffn_down.weight", (DIM, FFN), np.float16, "mat")]
    return t


def make(rng, shape, dtype, kind):
    if kind == "rope":
        return llama3_rope_factors(HEAD_DIM, ROPE_BASE, **LLAMA3)
    if kind == "norm":
        return (1.0 + 0.05 * rng.standard_normal(shape, dtype=np.float32)).astype(dtype)
    out = np.empty(shape, dtype=dtype)
    rows = max(1, (1 << 26) // shape[1])  # ~256 MB of float32 at a time
    for r in range(0, shape[0], rows):
        n = min(rows, shape[0] - r)
        out[r:r + n] = (0.02 * rng.standard_normal((n, shape[1]), dtype=np.float32)).astype(dtype)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--vocab", default=os.path.join(os.path.dirname(ROOT), "shared", "vocab",
                                                    "ggml-vocab-llama-bpe.gguf"))
    ap.add_argument("--seed", type=int, default=1234)
    a = ap.parse_args()

    v = gguf.GGUFReader(a.vocab)
    n_tok = len(v.fields["tokenizer.ggml.tokens"].data)
    if n_tok != N_VOCAB:
        sys.exit(f"{a.vocab}: {n_tok} tokens, expected {N_VOCAB}")

    w = gguf.GGUFWriter(a.out, "llama")
    w.add_name("bench llama-3.2-1b-shaped random f16")
    w.add_context_length(131072)
    w.add_embedding_length(DIM)
    w.add_block_count(N_LAYER)
    w.add_feed_forward_length(FFN)
    w.add_head_count(N_HEAD)
    w.add_head_count_kv(N_KV)
    w.add_rope_freq_base(ROPE_BASE)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_rope_dimension_count(HEAD_DIM)
    w.add_vocab_size(N_VOCAB)
    w.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    for k, f in v.fields.items():
        if not k.startswith("tokenizer."):
            continue
        if f.types[0] == gguf.GGUFValueType.ARRAY:
            w.add_key_value(k, f.contents(), f.types[0], sub_type=f.types[1])
        else:
            w.add_key_value(k, f.contents(), f.types[0])

    tensors = plan()
    for name, shape, dtype, _ in tensors:
        w.add_tensor_info(name, shape, np.dtype(dtype), int(np.prod(shape)) * np.dtype(dtype).itemsize)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_ti_data_to_file()
    rng = np.random.default_rng(a.seed)
    for name, shape, dtype, kind in tensors:
        w.write_tensor_data(make(rng, shape, dtype, kind))
    w.close()
    print(f"{a.out}: {os.path.getsize(a.out)} bytes, {len(tensors)} tensors")


if __name__ == "__main__":
    main()
