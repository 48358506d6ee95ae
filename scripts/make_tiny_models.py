#!/usr/bin/env python3
"""Write the tiny random-weight GGUF fixtures in tests/data/models/.

Each model exercises one architecture's numerics as the reference (llama.cpp) implements it;
the weights are random (numpy, fixed seed per model) and F32, so the files are byte-for-byte
reproducible with the same numpy and gguf versions (see docs/reference.md).

The tokenizer is the 512-token SentencePiece vocabulary (byte fallback) of the shared
stories260K fixture, copied from ../shared/models/stories260K.gguf exactly as the shared
arch-* fixtures do, so text prompts tokenize identically everywhere.

Usage: scripts/make_tiny_models.py [--shared DIR] [--out DIR] [NAME ...]
"""
import argparse
import math
import os
import sys

import numpy as np
import gguf

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def llama3_rope_factors(head_dim, base, factor, low_freq_factor, high_freq_factor, orig_ctx):
    """The rope_freqs tensor llama.cpp's converter writes for rope_type "llama3" (one value per
    rotated pair; the reference divides each pair's angle by it)."""
    freqs = 1.0 / (base ** (np.arange(0, head_dim, 2, dtype=np.float32) / head_dim))
    low_wavelen = orig_ctx / low_freq_factor
    high_wavelen = orig_ctx / high_freq_factor
    out = []
    for f in freqs:
        wavelen = 2 * math.pi / f
        if wavelen < high_wavelen:
            out.append(1.0)
        elif wavelen > low_wavelen:
            out.append(factor)
        else:
            smooth = (orig_ctx / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
            out.append(1.0 / ((1 - smooth) / factor + smooth))
    return np.array(out, dtype=np.float32)


class Rand:
    """Weights drawn like the shared arch-* fixtures: matrices N(0, (2/sqrt(fan_in))^2),
    norm weights 1 + N(0, 0.2^2), embedding N(0, 0.5^2) unless the model says otherwise."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def mat(self, n_out, n_in):
        # numpy shape (rows, cols) = GGUF shape [n_in, n_out]: ne0 = n_in is the fastest dim
        return (self.rng.standard_normal((n_out, n_in)) * (2.0 / math.sqrt(n_in))).astype(np.float32)

    def norm(self, n):
        return (1.0 + 0.2 * self.rng.standard_normal(n)).astype(np.float32)

    def embd(self, n_vocab, n_embd, std=0.5):
        return (std * self.rng.standard_normal((n_vocab, n_embd))).astype(np.float32)


def load_vocab(shared_dir):
    r = gguf.GGUFReader(os.path.join(shared_dir, "models", "stories260K.gguf"))
    f = r.fields
    return {
        "tokens": f["tokenizer.ggml.tokens"].contents(),
        "scores": f["tokenizer.ggml.scores"].contents(),
        "types": f["tokenizer.ggml.token_type"].contents(),
        "unk": f["tokenizer.ggml.unknown_token_id"].contents(),
        "bos": f["tokenizer.ggml.bos_token_id"].contents(),
        "eos": f["tokenizer.ggml.eos_token_id"].contents(),
    }


def add_vocab(w, vocab):
    w.add_tokenizer_model("llama")
    w.add_token_list(vocab["tokens"])
    w.add_token_scores(vocab["scores"])
    w.add_token_types(vocab["types"])
    w.add_unk_token_id(vocab["unk"])
    w.add_bos_token_id(vocab["bos"])
    w.add_eos_token_id(vocab["eos"])


def add_common(w, name, cfg):
    w.add_name(name)
    w.add_context_length(cfg["ctx"])
    w.add_embedding_length(cfg["dim"])
    w.add_block_count(cfg["n_layer"])
    w.add_feed_forward_length(cfg["ffn"])
    w.add_head_count(cfg["n_head"])
    w.add_head_count_kv(cfg["n_kv"])
    w.add_layer_norm_rms_eps(cfg["eps"])
    w.add_rope_freq_base(cfg["rope_base"])
    w.add_file_type(gguf.LlamaFileType.ALL_F32)


def attn_tensors(R, i, cfg, t):
    d, hd = cfg["dim"], cfg["head_dim"]
    t[f"blk.{i}.attn_q.weight"] = R.mat(cfg["n_head"] * hd, d)
    t[f"blk.{i}.attn_k.weight"] = R.mat(cfg["n_kv"] * hd, d)
    t[f"blk.{i}.attn_v.weight"] = R.mat(cfg["n_kv"] * hd, d)
    t[f"blk.{i}.attn_output.weight"] = R.mat(d, cfg["n_head"] * hd)


def ffn_tensors(R, i, cfg, t):
    d, f = cfg["dim"], cfg["ffn"]
    t[f"blk.{i}.ffn_gate.weight"] = R.mat(f, d)
    t[f"blk.{i}.ffn_up.weight"] = R.mat(f, d)
    t[f"blk.{i}.ffn_down.weight"] = R.mat(d, f)


# ---- the models ---------------------------------------------------------------------------

def qwen3(R, cfg, w, t):
    # head_dim is given explicitly and n_head*head_dim != dim, as in real Qwen3 (1024 vs 2048).
    w.add_key_length(cfg["head_dim"])
    w.add_value_length(cfg["head_dim"])
    for i in range(cfg["n_layer"]):
        t[f"blk.{i}.attn_norm.weight"] = R.norm(cfg["dim"])
        attn_tensors(R, i, cfg, t)
        t[f"blk.{i}.attn_q_norm.weight"] = R.norm(cfg["head_dim"])
        t[f"blk.{i}.attn_k_norm.weight"] = R.norm(cfg["head_dim"])
        t[f"blk.{i}.ffn_norm.weight"] = R.norm(cfg["dim"])
        ffn_tensors(R, i, cfg, t)


def exaone4(R, cfg, w, t):
    # EXAONE 4.0: no pre-norms; Q/K RMSNorm; post-attention and post-FFN RMSNorm;
    # llama3-style rope_freqs; on the interleaved sliding-window variant the global layers
    # use no RoPE at all.
    if cfg.get("swa"):
        w.add_sliding_window(cfg["swa"])
        w.add_sliding_window_pattern(cfg["swa_pattern"])
    for i in range(cfg["n_layer"]):
        attn_tensors(R, i, cfg, t)
        t[f"blk.{i}.attn_q_norm.weight"] = R.norm(cfg["head_dim"])
        t[f"blk.{i}.attn_k_norm.weight"] = R.norm(cfg["head_dim"])
        t[f"blk.{i}.post_attention_norm.weight"] = R.norm(cfg["dim"])
        ffn_tensors(R, i, cfg, t)
        t[f"blk.{i}.post_ffw_norm.weight"] = R.norm(cfg["dim"])
    t["rope_freqs.weight"] = llama3_rope_factors(cfg["head_dim"], cfg["rope_base"], **cfg["llama3"])


def gemma3(R, cfg, w, t):
    # Gemma 3: norms are stored with the +1 already added (as the converter does), so they are
    # plain RMSNorm weights around 1. head_dim given explicitly (n_head*head_dim != dim).
    w.add_key_length(cfg["head_dim"])
    w.add_value_length(cfg["head_dim"])
    w.add_sliding_window(cfg["swa"])
    if "swa_pattern" in cfg:
        w.add_sliding_window_pattern(cfg["swa_pattern"])
    if "rope_base_swa" in cfg:
        w.add_rope_freq_base_swa(cfg["rope_base_swa"])
    for i in range(cfg["n_layer"]):
        t[f"blk.{i}.attn_norm.weight"] = R.norm(cfg["dim"])
        attn_tensors(R, i, cfg, t)
        t[f"blk.{i}.attn_q_norm.weight"] = R.norm(cfg["head_dim"])
        t[f"blk.{i}.attn_k_norm.weight"] = R.norm(cfg["head_dim"])
        t[f"blk.{i}.post_attention_norm.weight"] = R.norm(cfg["dim"])
        t[f"blk.{i}.ffn_norm.weight"] = R.norm(cfg["dim"])
        ffn_tensors(R, i, cfg, t)
        t[f"blk.{i}.post_ffw_norm.weight"] = R.norm(cfg["dim"])


def llama(R, cfg, w, t):
    w.add_rope_dimension_count(cfg["head_dim"])
    w.add_vocab_size(cfg["n_vocab"])
    t["rope_freqs.weight"] = llama3_rope_factors(cfg["head_dim"], cfg["rope_base"], **cfg["llama3"])
    for i in range(cfg["n_layer"]):
        t[f"blk.{i}.attn_norm.weight"] = R.norm(cfg["dim"])
        attn_tensors(R, i, cfg, t)
        t[f"blk.{i}.ffn_norm.weight"] = R.norm(cfg["dim"])
        ffn_tensors(R, i, cfg, t)


MODELS = {
    # Qwen3-style: Q/K RMSNorm before NeoX RoPE, GQA 4:2, explicit head_dim 32 on dim 64,
    # tied embeddings (no output.weight) as Qwen3-0.6B.
    "qwen3": dict(arch="qwen3", build=qwen3, seed=31, ctx=512, dim=64, n_layer=3, ffn=128,
                  n_head=4, n_kv=2, head_dim=32, eps=1e-6, rope_base=1e6, tied=True),
    # EXAONE 4.0 32B layout: the reference enables sliding-window attention for exaone4 only
    # when block_count == 64, so this one has 64 (very narrow) layers, pattern LLLG (3 local
    # layers then 1 global, written as a bool array like the converter does), window 4.
    "exaone4": dict(arch="exaone4", build=exaone4, seed=41, ctx=512, dim=16, n_layer=64, ffn=32,
                    n_head=2, n_kv=1, head_dim=8, eps=1e-5, rope_base=1e6, tied=True,
                    swa=4, swa_pattern=[(i % 4) != 3 for i in range(64)],
                    llama3=dict(factor=16.0, low_freq_factor=1.0, high_freq_factor=4.0, orig_ctx=512)),
    # EXAONE 4.0 1.2B layout: every layer global with RoPE (no sliding window metadata).
    "exaone4-dense": dict(arch="exaone4", build=exaone4, seed=42, ctx=512, dim=64, n_layer=3, ffn=128,
                          n_head=4, n_kv=2, head_dim=16, eps=1e-5, rope_base=1e6, tied=True,
                          llama3=dict(factor=16.0, low_freq_factor=1.0, high_freq_factor=4.0, orig_ctx=512)),
    # Gemma 3 fixtures have an output.weight, unlike the real (tied) models: with random
    # weights, a tied and sqrt(dim)-scaled embedding makes the model just repeat its input
    # token, which would test nothing. Tying is covered by the other fixtures.
    # Gemma 3 with the real GGUFs' metadata: no sliding_window_pattern key (default: every 6th
    # layer global) and no rope.freq_base_swa key (default 10000 for local layers; global 1e6).
    "gemma3": dict(arch="gemma3", build=gemma3, seed=51, ctx=512, dim=48, n_layer=6, ffn=96,
                   n_head=4, n_kv=1, head_dim=16, eps=1e-6, rope_base=1e6, tied=False, swa=6),
    # Gemma 3 with the keys given explicitly: pattern 3 (L L G L), local rope base 500, window 5.
    "gemma3-keys": dict(arch="gemma3", build=gemma3, seed=52, ctx=512, dim=48, n_layer=4, ffn=96,
                        n_head=4, n_kv=2, head_dim=16, eps=1e-6, rope_base=1e6, tied=False, swa=5,
                        swa_pattern=3, rope_base_swa=500.0),
    # Llama 3.2 style: rope base 500000, llama3 rope_freqs (factor 32, low 1, high 4) with the
    # original context shrunk to 64 so that the factors change rotations visible at fixture
    # lengths; tied embeddings; GQA 4:2.
    "llama": dict(arch="llama", build=llama, seed=61, ctx=512, dim=64, n_layer=3, ffn=128,
                   n_head=4, n_kv=2, head_dim=16, eps=1e-5, rope_base=500000.0, tied=True,
                   llama3=dict(factor=32.0, low_freq_factor=1.0, high_freq_factor=4.0, orig_ctx=64)),
}


def build(name, cfg, vocab, out_dir):
    R = Rand(cfg["seed"])
    cfg = dict(cfg, n_vocab=len(vocab["tokens"]))
    path = os.path.join(out_dir, name + ".gguf")
    w = gguf.GGUFWriter(path, cfg["arch"])
    add_common(w, f"random {name} seed {cfg['seed']}", cfg)
    add_vocab(w, vocab)

    t = {}
    t["token_embd.weight"] = R.embd(cfg["n_vocab"], cfg["dim"], cfg.get("embd_std", 0.5))
    t["output_norm.weight"] = R.norm(cfg["dim"])
    if not cfg["tied"]:
        t["output.weight"] = R.mat(cfg["n_vocab"], cfg["dim"])
    cfg["build"](R, cfg, w, t)

    for k, v in t.items():
        w.add_tensor(k, v)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    print(f"{path}: {os.path.getsize(path)} bytes, {len(t)} tensors")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(ROOT), "shared"),
                    help="the shared/ folder (default: ../shared beside the repository)")
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "data", "models"))
    ap.add_argument("names", nargs="*", help=f"models to write (default all: {', '.join(MODELS)})")
    a = ap.parse_args()
    names = a.names or list(MODELS)
    for n in names:
        if n not in MODELS:
            sys.exit(f"unknown model {n}")
    os.makedirs(a.out, exist_ok=True)
    vocab = load_vocab(a.shared)
    for n in names:
        build(n, MODELS[n], vocab, a.out)


if __name__ == "__main__":
    main()
