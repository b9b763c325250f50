"""Time and peak RSS of the slow inputs of issue 18 (items 2, 5, 12), one process each.

    python bench/hot_paths.py [--fake-embedder] [--timeout 60] [--deadline S] [CASE ...]

Each case runs in a fresh interpreter under ``prlimit --as=4000000000`` and ``timeout``;
models are loaded before the clock starts. The table gives the wall time of the call, the
peak RSS of the process and the outcome (ok, or the error's class and code). With
``--deadline S`` each call runs under ``takeaways.pipeline.deadline.deadline(S)`` (what
the server and batch set per document), so a long input ends with a DeadlineError.
"""

from __future__ import annotations

import argparse
import json
import random
import string
import subprocess
import sys
import time

ARTICLE = ("Chancellor Olaf Scholz met the minister in Berlin on Monday. "
           "\"We agreed on the plan,\" Scholz said after the talks.\n\n"
           "The minister said the deal would be signed next week. ") * 3


def _ascii(n: int) -> str:
    rng = random.Random(18)
    return "".join(rng.choice(string.printable[:95]) for _ in range(n))


CASES = {
    "kp_minister_1k": "takeaways.key_points('The minister spoke. ' * 1000)",
    "kp_quotes_10k": "takeaways.key_points('\"' * 10000)",
    "read_ascii_10k": "takeaways.read(_ascii(10_000))",
    "read_ascii_20k": "takeaways.read(_ascii(20_000))",
    "kp_ascii_20k": "takeaways.key_points(_ascii(20_000))",
    "kp_minister_50k": "takeaways.key_points('The minister spoke. ' * 50000)",
    "audit_putin_170k": "takeaways.audit(takeaways.read(ARTICLE), 'Putin ' * 170000)",
    "audit_1000_claims": "takeaways.audit(takeaways.read(ARTICLE), "
                         "[f'The minister said {i} things.' for i in range(1000)])",
    "kp_1_2M_chars": "takeaways.key_points('\\n\\n'.join(f'Rain fell again in the north of "
                     "town number {i} today.' for i in range(24000)))",
    "read_colon_10k": "takeaways.read('a:' * 5000)",
    "read_url_20k": "takeaways.read('Junk: ' + 'http://a' * 2500)",
    "read_4_9M_para": "takeaways.read('Rain fell again today. ' * 213000)",
    "read_svg": "takeaways.read('<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\">"
                "<title>A chart</title><text x=\"1\" y=\"2\">' + 'Rain fell. ' * 20 + "
                "'</text></svg>')",
    "read_surrogate": "takeaways.key_points('x \\ud800 y. The minister spoke at length "
                      "today. ' * 5)",
    "n_0": "takeaways.key_points(ARTICLE, n=0)",
    "n_str": "takeaways.key_points(ARTICLE, n='4')",
    "n_none": "takeaways.key_points(ARTICLE, n=None)",
    "n_float": "takeaways.key_points(ARTICLE, n=1.5)",
    "summary_none_item": "takeaways.audit(ARTICLE, [None])",
    "read_int": "takeaways.read(5)",
    "read_none": "takeaways.read(None)",
    "read_list": "takeaways.read(['a'])",
    "read_bytearray": "takeaways.read(bytearray(ARTICLE.encode()))",
    "read_memoryview": "takeaways.read(memoryview(ARTICLE.encode()))",
    "read_long_txt": "takeaways.read('The minister spoke at length. ' * 33 + 'notes.txt')",
}


def child(case: str, fake: bool, seconds: float | None) -> None:
    import resource

    import takeaways
    from takeaways.errors import TakeawaysError
    from takeaways.nlp.models import HashingEmbedder, get_embedder, get_nlp, set_embedder
    from takeaways.pipeline.deadline import deadline

    get_nlp()
    if fake:
        set_embedder(HashingEmbedder())
    else:
        get_embedder().encode(["warm up"])
    env = {"takeaways": takeaways, "ARTICLE": ARTICLE, "_ascii": _ascii}
    t0 = time.perf_counter()
    try:
        with deadline(seconds):
            eval(CASES[case], env)  # noqa: S307 - our own table of expressions
        outcome = "ok"
    except TakeawaysError as exc:
        outcome = f"{type(exc).__name__} {exc.code}"
    except BaseException as exc:  # noqa: BLE001 - a crash is the finding
        outcome = f"CRASH {type(exc).__name__}: {str(exc)[:60]}"
    wall = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"case": case, "wall_s": round(wall, 2), "rss_mb": round(rss),
                      "outcome": outcome}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("cases", nargs="*")
    ap.add_argument("--fake-embedder", action="store_true")
    ap.add_argument("--timeout", type=int, default=60)
    ap.add_argument("--deadline", type=float, default=None)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.fake_embedder, args.deadline)
        return
    print("| case | wall s | peak RSS MB | outcome |\n|---|---|---|---|", flush=True)
    for case in args.cases or list(CASES):
        cmd = ["prlimit", "--as=4000000000", "timeout", str(args.timeout), sys.executable,
               __file__, "--child", case] + (["--fake-embedder"] if args.fake_embedder else [])
        if args.deadline:
            cmd += ["--deadline", str(args.deadline)]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
        if lines:
            r = json.loads(lines[-1])
            print(f"| {case} | {r['wall_s']} | {r['rss_mb']} | {r['outcome']} |", flush=True)
        else:
            why = "timeout" if proc.returncode == 124 else f"rc {proc.returncode}"
            tail = (proc.stderr.strip().splitlines() or [""])[-1][:80]
            print(f"| {case} | >{time.perf_counter() - t0:.0f} | ? | {why} {tail} |", flush=True)


if __name__ == "__main__":
    main()
