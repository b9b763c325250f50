"""Memory of the HTTP server under distinct articles: does it level off?

    python bench/server_memory.py --data ../shared/data --requests 500 --clients 2

Starts ``takeaways serve`` on a free loopback port (worker processes, real models),
posts ``--requests`` different CNN/DM articles (past FRANK's 139, each again with a
distinct closing line) to ``/v1/key-points`` from ``--clients`` concurrent clients, and
prints the resident memory (RSS and PSS) of the server *and its worker processes* (the
whole process tree) every ``--every`` requests, plus the answers by status.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _data import add_data_argument, cnndm_articles  # noqa: E402
from serve import process_tree  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]


def tree_rss_mb(pid: int) -> tuple[float, float, int]:
    """Resident and proportional (PSS: shared pages split among their users) MB of ``pid``
    and all its descendants, and how many processes that is. The sum of RSS counts each
    shared library once per process; PSS is the fair total."""
    rss, pss, count = 0, 0, 0
    for p in process_tree(pid):
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
            count += 1
        except OSError:
            continue
    return rss / 1024, pss / 1024, count


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def run(args: argparse.Namespace) -> None:
    base_texts = [r["article"] for r in cnndm_articles(args.data)]
    texts = [  # past the corpus, an article plus a distinct closing line: a new analysis
        base_texts[i % len(base_texts)] + ("" if i < len(base_texts) else
                                           f"\n\nThis story was updated, revision {i}.")
        for i in range(args.requests)
    ]
    port = free_port()
    db = Path(tempfile.mkdtemp()) / "bench.db"
    env = os.environ | {"PYTHONPATH": str(REPO_ROOT / "src")}
    server = subprocess.Popen(
        [sys.executable, "-m", "takeaways", "serve", "--port", str(port), "--db", str(db),
         "--timeout", str(args.timeout)], env=env,
    )
    base = f"http://127.0.0.1:{port}"
    statuses: Counter[int] = Counter()
    try:
        async with httpx.AsyncClient(base_url=base, timeout=600) as client:
            for _ in range(600):
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.5)
            warm = await client.post("/v1/key-points", json={"text": texts[0]})
            statuses[warm.status_code] += 1
            mb, pss, n = tree_rss_mb(server.pid)
            print(f"{'requests':>8} {'rss_mb':>8} {'pss_mb':>8} {'procs':>5} {'elapsed_s':>9}")
            print(f"{1:>8} {mb:>8.0f} {pss:>8.0f} {n:>5} {0:>9.0f}")
            started = time.monotonic()
            queue = iter(enumerate(texts[1:], start=2))
            lock = asyncio.Lock()

            async def client_loop() -> None:
                for i, text in queue:
                    r = await client.post("/v1/key-points", json={"text": text})
                    statuses[r.status_code] += 1
                    if i % args.every == 0:
                        async with lock:
                            mb, pss, n = tree_rss_mb(server.pid)
                            print(f"{i:>8} {mb:>8.0f} {pss:>8.0f} {n:>5} "
                                  f"{time.monotonic() - started:>9.0f}", flush=True)

            await asyncio.gather(*(client_loop() for _ in range(args.clients)))
    finally:
        server.terminate()
        server.wait(60)
    print("statuses:", dict(statuses))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_argument(parser)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--every", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=60.0)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
