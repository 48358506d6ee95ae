#!/usr/bin/env python3
"""Draw a training loss curve as a standalone SVG from `nuri train --log` JSON lines.

    scripts/plot_loss.py LOG.jsonl OUT.svg [--title TEXT]

Plain SVG so the model card's image needs no plotting library: training loss per step (thin),
its 20-step moving average (thick) and validation loss (dots) when the log has `val_loss`.
"""
import argparse
import json
import math
import os
import sys


def read_log(path):
    steps, loss, val = [], [], []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                sys.exit(f"plot_loss: {path}:{n}: not JSON ({e.msg})")
            if "step" not in rec or "loss" not in rec:
                sys.exit(f"plot_loss: {path}:{n}: missing step or loss")
            steps.append(rec["step"])
            loss.append(rec["loss"])
            if "val_loss" in rec:
                val.append((rec["step"], rec["val_loss"]))
    if not steps:
        sys.exit(f"plot_loss: {path}: no steps")
    return steps, loss, val


def moving_average(xs, k):
    out, acc = [], 0.0
    for i, x in enumerate(xs):
        acc += x
        if i >= k:
            acc -= xs[i - k]
        out.append(acc / min(i + 1, k))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("log")
    ap.add_argument("out")
    ap.add_argument("--title", default="training loss")
    a = ap.parse_args()
    steps, loss, val = read_log(a.log)

    W, H, L, R, T, B = 720, 400, 60, 20, 40, 50
    x_max = max(steps)
    ys = loss + [v for _, v in val]
    y_lo = math.floor(min(ys) * 2) / 2
    y_hi = math.ceil(max(ys) * 2) / 2

    def px(s):
        return L + (W - L - R) * (s / x_max)

    def py(v):
        return T + (H - T - B) * (1 - (v - y_lo) / (y_hi - y_lo))

    def path(pts):
        return "M" + " L".join(f"{px(s):.1f},{py(v):.1f}" for s, v in pts)

    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{W / 2}" y="22" text-anchor="middle" font-size="15">{a.title}</text>']
    y = y_lo
    while y <= y_hi + 1e-9:
        svg.append(f'<line x1="{L}" x2="{W - R}" y1="{py(y):.1f}" y2="{py(y):.1f}" stroke="#ddd"/>')
        svg.append(f'<text x="{L - 6}" y="{py(y) + 4:.1f}" text-anchor="end">{y:g}</text>')
        y += 0.5
    tick = 10 ** math.floor(math.log10(x_max))
    if x_max / tick < 4:
        tick /= 2
    s = 0.0
    while s <= x_max:
        svg.append(f'<line x1="{px(s):.1f}" x2="{px(s):.1f}" y1="{T}" y2="{H - B}" stroke="#eee"/>')
        svg.append(f'<text x="{px(s):.1f}" y="{H - B + 16}" text-anchor="middle">{s:g}</text>')
        s += tick
    svg.append(f'<text x="{(L + W - R) / 2}" y="{H - 12}" text-anchor="middle">step</text>')
    svg.append(f'<text x="16" y="{(T + H - B) / 2}" text-anchor="middle" '
               f'transform="rotate(-90 16 {(T + H - B) / 2})">loss (nats/token)</text>')
    svg.append(f'<path d="{path(zip(steps, loss))}" fill="none" stroke="#9ecae1" stroke-width="1"/>')
    svg.append(f'<path d="{path(zip(steps, moving_average(loss, 20)))}" fill="none" '
               f'stroke="#08519c" stroke-width="2"/>')
    for st, v in val:
        svg.append(f'<circle cx="{px(st):.1f}" cy="{py(v):.1f}" r="3.5" fill="#e6550d"/>')
    lx = W - R - 210
    svg.append(f'<line x1="{lx}" x2="{lx + 24}" y1="{T + 14}" y2="{T + 14}" stroke="#08519c" stroke-width="2"/>')
    svg.append(f'<text x="{lx + 30}" y="{T + 18}">train (20-step mean)</text>')
    if val:
        svg.append(f'<circle cx="{lx + 12}" cy="{T + 32}" r="3.5" fill="#e6550d"/>')
        svg.append(f'<text x="{lx + 30}" y="{T + 36}">validation</text>')
    svg.append("</svg>")

    tmp = a.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(svg) + "\n")
    os.replace(tmp, a.out)


if __name__ == "__main__":
    main()
