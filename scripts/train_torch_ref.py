#!/usr/bin/env python3
"""PyTorch reference for `nuri train`: two optimizer steps of a tiny Llama-architecture model,
computed in float64, written as test data for tests/fixture/test_train_torch.c.

The model is the one src/train implements (and nuri's forward runs for arch "llama"): token
embedding; per layer RMSNorm -> attention with RoPE on adjacent pairs (x[2i], x[2i+1]), the
angle pos * base^(-2i/head_dim) advanced by repeated float32 multiplication as the reference
does, grouped-query heads (query head h reads key/value head h // (heads / kv_heads)), causal
softmax scaled by 1/sqrt(head_dim) -> residual; RMSNorm -> SwiGLU -> residual; final RMSNorm;
output matrix (or the embedding, tied). Loss: mean next-token cross-entropy. Optimizer:
torch.optim.AdamW (weight decay on 2-D tensors only) with the learning rate of
nuri_train_lr (linear warm-up, cosine to lr * lr_min_ratio), clip_grad_norm_ on the global
norm, gradient accumulation over `accum` micro-batches (each loss divided by accum).

For each case NAME it writes tests/data/train/NAME/: config.txt (nuri's key = value format),
tokens.u32 (steps x accum x batch x (context+1) little-endian ids), init.f32 (the initial
weights in nuri's parameter order), and per step S (1-based): stepS.grads.f32 (the
accumulated gradients before clipping), stepS.params.f32 (the weights after the update),
plus losses.txt (one mean loss per step, %.17g).

Usage: /usr/bin/python3 scripts/train_torch_ref.py [OUTDIR]   (Debian python3-torch)
"""
import math
import os
import sys

import numpy as np
import torch

CASES = {
    # GQA, untied output, clipping active (clip below the gradient norm), accumulation.
    "gqa_untied": dict(vocab=32, dim=16, layers=2, heads=4, kv_heads=2, ffn=40, context=8, tied=False,
                       batch=2, accum=2, steps=10, warmup=2, lr=0.01, lr_min_ratio=0.1,
                       weight_decay=0.1, beta1=0.9, beta2=0.95, adam_eps=1e-8, clip=0.5),
    # Multi-head (no grouping), tied output, no clipping, no warm-up.
    "mha_tied": dict(vocab=24, dim=12, layers=1, heads=2, kv_heads=2, ffn=20, context=5, tied=True,
                     batch=3, accum=1, steps=4, warmup=0, lr=0.003, lr_min_ratio=0.0,
                     weight_decay=0.05, beta1=0.8, beta2=0.99, adam_eps=1e-6, clip=0.0),
}
N_STEPS = 2
ROPE_BASE = 10000.0
EPS = 1e-5


def param_layout(c):
    """nuri's parameter order: (name, shape as torch [rows, cols] or [n], decays)."""
    d, hd = c["dim"], c["dim"] // c["heads"]
    qd, kvd = c["heads"] * hd, c["kv_heads"] * hd
    out = [("token_embd.weight", (c["vocab"], d), True)]
    for il in range(c["layers"]):
        b = "blk.%d." % il
        out += [(b + "attn_norm.weight", (d,), False), (b + "attn_q.weight", (qd, d), True),
                (b + "attn_k.weight", (kvd, d), True), (b + "attn_v.weight", (kvd, d), True),
                (b + "attn_output.weight", (d, qd), True), (b + "ffn_norm.weight", (d,), False),
                (b + "ffn_gate.weight", (c["ffn"], d), True), (b + "ffn_up.weight", (c["ffn"], d), True),
                (b + "ffn_down.weight", (d, c["ffn"]), True)]
    out.append(("output_norm.weight", (d,), False))
    if not c["tied"]:
        out.append(("output.weight", (c["vocab"], d), True))
    return out


def rope_table(T, hd):
    """cos, sin [T, hd/2] from float32 angles advanced by repeated multiplication."""
    scale = np.float32(ROPE_BASE) ** np.float32(-2.0 / hd)
    ang = np.zeros((T, hd // 2), dtype=np.float32)
    for t in range(T):
        theta = np.float32(t)
        for i in range(hd // 2):
            ang[t, i] = theta
            theta = np.float32(theta * scale)
    a = torch.tensor(ang.astype(np.float64))
    return torch.cos(a), torch.sin(a)


def rope(x, cos, sin):
    """x [B, T, H, hd]: rotate adjacent pairs."""
    x0, x1 = x[..., 0::2], x[..., 1::2]
    c, s = cos[None, :, None, :].to(x.dtype), sin[None, :, None, :].to(x.dtype)
    out = torch.empty_like(x)
    out[..., 0::2] = x0 * c - x1 * s
    out[..., 1::2] = x0 * s + x1 * c
    return out


def rmsnorm(x, w):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + EPS) * w


def forward(c, P, tokens):
    B, T1 = tokens.shape
    T, d, H, Hkv = T1 - 1, c["dim"], c["heads"], c["kv_heads"]
    hd = d // H
    inp, tgt = tokens[:, :-1], tokens[:, 1:]
    cos, sin = rope_table(T, hd)
    x = P["token_embd.weight"][inp]
    mask = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)
    for il in range(c["layers"]):
        b = "blk.%d." % il
        h = rmsnorm(x, P[b + "attn_norm.weight"])
        q = (h @ P[b + "attn_q.weight"].T).view(B, T, H, hd)
        k = (h @ P[b + "attn_k.weight"].T).view(B, T, Hkv, hd)
        v = (h @ P[b + "attn_v.weight"].T).view(B, T, Hkv, hd)
        q, k = rope(q, cos, sin), rope(k, cos, sin)
        k = k.repeat_interleave(H // Hkv, dim=2)
        v = v.repeat_interleave(H // Hkv, dim=2)
        s = torch.einsum("bihd,bjhd->bhij", q, k) / math.sqrt(hd)
        s = s.masked_fill(mask, float("-inf"))
        o = torch.einsum("bhij,bjhd->bihd", torch.softmax(s, -1), v).reshape(B, T, H * hd)
        x = x + o @ P[b + "attn_output.weight"].T
        h = rmsnorm(x, P[b + "ffn_norm.weight"])
        a = torch.nn.functional.silu(h @ P[b + "ffn_gate.weight"].T) * (h @ P[b + "ffn_up.weight"].T)
        x = x + a @ P[b + "ffn_down.weight"].T
    h = rmsnorm(x, P["output_norm.weight"])
    wout = P["token_embd.weight"] if c["tied"] else P["output.weight"]
    logits = h @ wout.T
    return torch.nn.functional.cross_entropy(logits.reshape(-1, c["vocab"]), tgt.reshape(-1))


def lr_at(c, step):
    if step < c["warmup"]:
        return c["lr"] * (step + 1) / c["warmup"]
    span = c["steps"] - 1 - c["warmup"]
    p = min(1.0, (step - c["warmup"]) / span) if span > 0 else 1.0
    r = c["lr_min_ratio"]
    return c["lr"] * (r + (1 - r) * 0.5 * (1 + math.cos(math.pi * p)))


def fmt(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return repr(v)


def run_case(name, c, outdir):
    os.makedirs(outdir, exist_ok=True)
    g = torch.Generator().manual_seed(20240601)
    layout = param_layout(c)
    P = {}
    for pname, shape, _ in layout:
        if len(shape) == 1:
            t = 1.0 + 0.1 * torch.randn(shape, generator=g, dtype=torch.float32)
        else:
            t = 0.3 * torch.randn(shape, generator=g, dtype=torch.float32)
        P[pname] = t.to(torch.float64).requires_grad_(True)
    flat = lambda ts: np.concatenate([t.detach().numpy().astype(np.float32).ravel() for t in ts])
    ordered = [P[n] for n, _, _ in layout]
    flat(ordered).tofile(os.path.join(outdir, "init.f32"))

    n_tok = N_STEPS * c["accum"] * c["batch"] * (c["context"] + 1)
    toks = torch.randint(0, c["vocab"], (n_tok,), generator=g)
    toks.numpy().astype("<u4").tofile(os.path.join(outdir, "tokens.u32"))
    toks = toks.view(N_STEPS, c["accum"], c["batch"], c["context"] + 1)

    decay = [P[n] for n, _, dec in layout if dec]
    no_decay = [P[n] for n, _, dec in layout if not dec]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": c["weight_decay"]},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=c["lr"], betas=(c["beta1"], c["beta2"]), eps=c["adam_eps"])
    losses = []
    for step in range(N_STEPS):
        opt.zero_grad()
        total = 0.0
        for a in range(c["accum"]):
            loss = forward(c, P, toks[step, a]) / c["accum"]
            loss.backward()
            total += loss.item()
        losses.append(total)
        flat([t.grad for t in ordered]).tofile(os.path.join(outdir, "step%d.grads.f32" % (step + 1)))
        if c["clip"] > 0:
            torch.nn.utils.clip_grad_norm_(ordered, c["clip"])
        for grp in opt.param_groups:
            grp["lr"] = lr_at(c, step)
        opt.step()
        flat(ordered).tofile(os.path.join(outdir, "step%d.params.f32" % (step + 1)))

    with open(os.path.join(outdir, "config.txt"), "w") as f:
        f.write("# %s: written by scripts/train_torch_ref.py (torch %s, float64)\n" % (name, torch.__version__))
        for k, v in c.items():
            f.write("%s = %s\n" % (k, fmt(v)))
        f.write("rope_base = %r\nnorm_eps = %r\n" % (ROPE_BASE, EPS))
    with open(os.path.join(outdir, "losses.txt"), "w") as f:
        for l in losses:
            f.write("%.17g\n" % l)
    print("%s: losses %s" % (name, losses))


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "train")
    torch.set_num_threads(1)
    for name, c in CASES.items():
        run_case(name, c, os.path.join(root, name))


if __name__ == "__main__":
    main()
