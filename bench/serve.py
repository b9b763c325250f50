"""Load benchmark of the HTTP server: N concurrent clients on loopback, bounded in
request count and time, posting a CNN/DM-size article.

    python bench/serve.py --data ../shared/data                  # starts its own server
    python bench/serve.py --url http://127.0.0.1:8000 --pid 1234 # against a running one

Modes (``--mode``, repeatable): ``same`` posts one article every time (what a page
refresh or many readers of one story do; served from the content-hash cache after the
first analysis); ``distinct`` cycles through different articles (each one analysed).
Reports throughput, p50/p95/p99 latency, errors, and server RSS before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _data import add_data_argument, cnndm_articles  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]


def load_articles(data: Path, limit: int) -> list[str]:
    """CNN/DM articles from FRANK's ``cnndm_articles.jsonl.gz``, longest first
    (median CNN/DM length or more)."""
    texts = [r["article"] for r in cnndm_articles(data)]
    median = statistics.median(len(t) for t in texts)
    texts = [t for t in texts if len(t) >= median]
    return texts[:limit]


def process_tree(pid: int) -> list[int]:
    """``pid`` and every process under it that is still there."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
        out.append(p)
    return out


def rss_kb(pid: int | None) -> int | None:
    """Resident KB of ``pid`` and every process under it (the server's analysis workers
    are child processes, so the server's own RSS alone says little); each process's
    shared libraries are counted once per process."""
    if pid is None:
        return None
    total, seen = 0, False
    for p in process_tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    seen = True
        except OSError:
            continue
    return total if seen else None


def cpu_s(pid: int | None) -> float | None:
    """User + system CPU seconds used so far by ``pid``."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(workers: int | None) -> tuple[subprocess.Popen[bytes], str, Path]:
    """``takeaways serve`` on a free loopback port with a throwaway database."""
    tmp = Path(tempfile.mkdtemp(prefix="takeaways-bench-"))
    port = _free_port()
    code = (
        "import sys; from takeaways.server import serve; "
        f"serve('127.0.0.1', {port}, db={str(tmp / 'bench.db')!r}"
        + (f", max_workers={workers}" if workers else "") + ")"
    )
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    proc = subprocess.Popen([sys.executable, "-c", code], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return proc, url, tmp
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("bench: the server did not start within 60 s")


async def run_load(
    url: str, endpoint: str, articles: list[str], *, clients: int, requests: int,
    max_seconds: float,
) -> dict[str, Any]:
    """``clients`` workers share ``requests`` POSTs, stopping early at ``max_seconds``."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    issued = 0
    deadline = time.monotonic() + max_seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal issued
        while issued < requests and time.monotonic() < deadline:
            i = issued
            issued += 1
            body = {"text": articles[i % len(articles)], "kind": "plain", "store": True}
            t0 = time.perf_counter()
            try:
                r = await client.post(f"{url}/v1/{endpoint}", json=body)
                status = str(r.status_code) if r.status_code != 200 else ""
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            latencies.append(time.perf_counter() - t0)
            if status:
                errors[status] = errors.get(status, 0) + 1

    async with httpx.AsyncClient(timeout=120, limits=limits, trust_env=False) as client:
        t0 = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(clients)))
        wall = time.perf_counter() - t0
    lat = sorted(latencies)

    def pct(p: float) -> float:
        return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")

    return {
        "requests": len(lat), "wall_s": wall, "rps": len(lat) / wall if wall else 0.0,
        "p50": pct(0.50), "p95": pct(0.95), "p99": pct(0.99), "max": pct(1.0),
        "errors": sum(errors.values()), "error_kinds": errors,
    }


def print_table(rows: list[dict[str, Any]]) -> None:
    cols = ["mode", "endpoint", "clients", "requests", "wall_s", "rps", "p50", "p95", "p99",
            "max", "errors", "server_cpu_s", "client_cpu_s", "rss_before_mb",
            "rss_after_mb"]
    fmt = {c: "{:.0f}" for c in ("p50", "p95", "p99", "max", "rss_before_mb", "rss_after_mb")}
    fmt |= {c: "{:.1f}" for c in ("wall_s", "rps", "server_cpu_s", "client_cpu_s")}
    cells = [[(fmt.get(c, "{}").format(r[c]) if r.get(c) is not None else "-") for c in cols]
             for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    print("  ".join(c.rjust(w) for c, w in zip(cols, widths, strict=True)))
    for row in cells:
        print("  ".join(v.rjust(w) for v, w in zip(row, widths, strict=True)))
    print("latency in ms; rss of the server and its worker processes in MB")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_data_argument(ap)
    ap.add_argument("--url", help="a running server (default: start one)")
    ap.add_argument("--pid", type=int, help="the running server's pid, for RSS")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--max-seconds", type=float, default=120.0, help="time bound per mode")
    ap.add_argument("--endpoint", default="key-points",
                    choices=("read", "key-points", "quotes", "audit"))
    ap.add_argument("--mode", action="append", choices=("same", "distinct"))
    ap.add_argument("--distinct-articles", type=int, default=40)
    ap.add_argument("--workers", type=int, help="server analysis threads (when started here)")
    args = ap.parse_args(argv)

    articles = load_articles(args.data, args.distinct_articles)
    proc, tmp = None, None
    url, pid = args.url, args.pid
    if url is None:
        proc, url, tmp = start_server(args.workers)
        pid = proc.pid
    rows = []
    try:
        warm = httpx.post(f"{url}/v1/{args.endpoint}", timeout=300,
                          json={"text": articles[0], "kind": "plain"})  # loads the models once
        if warm.status_code != 200:
            print(f"bench: warm-up got {warm.status_code}: {warm.text[:300]}", file=sys.stderr)
        for mode in args.mode or ["same", "distinct"]:
            pool = articles[:1] if mode == "same" else articles[1:]
            before, cpu0, own0 = rss_kb(pid), cpu_s(pid), time.process_time()
            result = asyncio.run(run_load(url, args.endpoint, pool, clients=args.clients,
                                          requests=args.requests, max_seconds=args.max_seconds))
            after, cpu1, own1 = rss_kb(pid), cpu_s(pid), time.process_time()
            result["server_cpu_s"] = cpu1 - cpu0 if cpu0 is not None and cpu1 is not None else None
            result["client_cpu_s"] = own1 - own0
            rows.append({"mode": mode, "endpoint": args.endpoint, "clients": args.clients,
                         **result, "rss_before_mb": before / 1024 if before else None,
                         "rss_after_mb": after / 1024 if after else None})
            if result["error_kinds"]:
                print(f"bench: {mode} errors: {result['error_kinds']}", file=sys.stderr)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(10)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"article chars: {len(articles[0]):,} (same); cpus: {os.cpu_count()}")
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
