#!/usr/bin/env python3
"""A small closed-loop load client for OpenAI-compatible servers (nuri serve, llama-server).

N connections each send POST /v1/chat/completions (non-streaming) one after another,
over keep-alive HTTP/1.1, for a fixed time. While it runs, the server process's resident
memory is sampled from /proc. Prints one JSON object: requests, errors, requests/s,
completion tokens/s, latency percentiles, peak and final RSS.

Standard library only; loopback only (it refuses any other host).

    serve_load.py --port 8080 --pid 1234 --duration 60 --connections 16 --max-tokens 32
"""

import argparse
import asyncio
import ipaddress
import json
import time


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


async def worker(args, body, deadline, stats, idx):
    reader = writer = None
    prompts = args.prompts
    i = idx
    while time.monotonic() < deadline:
        payload = json.dumps({**body, "messages": [{"role": "user", "content": prompts[i % len(prompts)]}]}).encode()
        i += len(prompts) // 2 + 1
        req = (f"POST /v1/chat/completions HTTP/1.1\r\nHost: {args.host}:{args.port}\r\n"
               f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n").encode() + payload
        t0 = time.monotonic()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(args.host, args.port)
            writer.write(req)
            await writer.drain()
            status_line = await reader.readline()
            status = int(status_line.split()[1])
            length, chunked, close = None, False, False
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                k, _, v = line.decode("latin-1").partition(":")
                k, v = k.strip().lower(), v.strip().lower()
                if k == "content-length":
                    length = int(v)
                elif k == "transfer-encoding" and "chunked" in v:
                    chunked = True
                elif k == "connection" and v == "close":
                    close = True
            if chunked:
                data = b""
                while True:
                    size = int((await reader.readline()).split(b";")[0], 16)
                    if size == 0:
                        await reader.readline()
                        break
                    data += await reader.readexactly(size)
                    await reader.readline()
            else:
                data = await reader.readexactly(length or 0)
            dt = time.monotonic() - t0
            if status != 200:
                stats["errors"] += 1
                stats["statuses"][status] = stats["statuses"].get(status, 0) + 1
            else:
                j = json.loads(data)
                stats["latencies"].append(dt)
                stats["completion_tokens"] += j["usage"]["completion_tokens"]
                stats["prompt_tokens"] += j["usage"]["prompt_tokens"]
            if close:
                writer.close()
                writer = None
        except (OSError, asyncio.IncompleteReadError, ValueError, KeyError) as e:
            stats["errors"] += 1
            stats["exceptions"][type(e).__name__] = stats["exceptions"].get(type(e).__name__, 0) + 1
            if writer:
                writer.close()
            writer = None
            await asyncio.sleep(0.05)
    if writer:
        writer.close()


async def sample_rss(pid, deadline, rss):
    while time.monotonic() < deadline:
        rss.append(rss_kib(pid))
        await asyncio.sleep(1)
    rss.append(rss_kib(pid))


def pct(xs, p):
    if not xs:
        return None
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, int(round(p / 100 * (len(xs) - 1)))))
    return round(xs[k] * 1000, 1)


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pid", type=int, default=0, help="server process, for its resident memory")
    ap.add_argument("--duration", type=float, default=60)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--max-tokens", type=int, default=32)
    ap.add_argument("--temperature", type=float, default=0)
    ap.add_argument("--model", default="model")
    args = ap.parse_args()
    if not ipaddress.ip_address(args.host).is_loopback:
        raise SystemExit("serve_load.py: loopback addresses only")
    args.prompts = ["Write a haiku about the sea.", "What is the capital of France?", "Name three fruits.",
                    "Explain gravity in one sentence.", "한국의 수도는 어디인가요?", "Tell me a short joke.",
                    "List the days of the week.", "Why is the sky blue?"]
    body = {"model": args.model, "max_tokens": args.max_tokens, "temperature": args.temperature}
    stats = {"latencies": [], "errors": 0, "statuses": {}, "exceptions": {}, "completion_tokens": 0,
             "prompt_tokens": 0}
    rss = []
    t0 = time.monotonic()
    deadline = t0 + args.duration
    tasks = [worker(args, body, deadline, stats, i) for i in range(args.connections)]
    if args.pid:
        tasks.append(sample_rss(args.pid, deadline, rss))
    await asyncio.gather(*tasks)
    wall = time.monotonic() - t0
    lat = stats["latencies"]
    print(json.dumps({
        "connections": args.connections, "duration_s": round(wall, 1), "max_tokens": args.max_tokens,
        "requests": len(lat), "errors": stats["errors"], "statuses": stats["statuses"],
        "exceptions": stats["exceptions"],
        "requests_per_s": round(len(lat) / wall, 2),
        "completion_tokens_per_s": round(stats["completion_tokens"] / wall, 1),
        "prompt_tokens_per_s": round(stats["prompt_tokens"] / wall, 1),
        "latency_ms": {"p50": pct(lat, 50), "p90": pct(lat, 90), "p99": pct(lat, 99), "max": pct(lat, 100)},
        "rss_mib": {"start": round(rss[0] / 1024, 1) if rss else None,
                    "peak": round(max(rss) / 1024, 1) if rss else None,
                    "end": round(rss[-1] / 1024, 1) if rss else None},
    }))


if __name__ == "__main__":
    asyncio.run(main())
