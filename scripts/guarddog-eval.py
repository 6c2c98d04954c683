#!/usr/bin/env python3
"""Run GuardDog over the evaluation sets, one process per package.

Writes one JSON report per set (default `~/.cache/palisade-corpus/guarddog-<set>.json`)
that `palisade-eval --guarddog FILE` reads and prints beside palisade's figures.
See BENCHMARKS.md for the method. Install GuardDog first with `scripts/guarddog-setup.sh`.

GuardDog itself unpacks each tarball into a temporary folder of its own and
never runs package code; this script never unpacks, imports or runs anything
from the samples, it only hands GuardDog the tarball path.

Usage:
  scripts/guarddog-eval.py [--set NAME=LABEL:DIR ...] [--jobs 2] [--timeout 120]
                           [--out-dir DIR] [--limit N] [--no-offline] [--resume]

Without --set, the three default sets are used: `npm-malicious` from
`../shared/corpus` next to the workspace, `npm-benign-popular` and
`npm-benign-mcp` from `~/.cache/palisade-corpus`. A missing set is skipped.

Report shape (one file per set):
  {"tool": "guarddog", "version": "3.2.0", "set": NAME, "label": "malicious"|"benign",
   "path": DIR, "threshold": 5.0, "timeout_s": 120, "offline": true, "complete": bool,
   "packages": [{"entry": "x-1.0.0.tgz", "status": "ok"|"timeout"|"error",
                 "score": 8.0|null, "label": "high_risk"|..., "detected": bool,
                 "seconds": 0.51, "rules": ["threat-..."], "risks": 3, "error": "..."}]}
`detected` is GuardDog's own threshold: `risk_score.score >= 5` (its labels:
0 `no_risks_detected`, < 5 `low`, < 7 `suspicious`, >= 7 `high_risk`).
A timeout or an error counts as not detected.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

THRESHOLD = 5.0
ARCHIVE_SUFFIXES = (".tgz", ".tar.gz", ".tar", ".zip")
ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("HOME", "~")) / ".cache" / "palisade-corpus"
NOISE = ("Network error:", "Failed to download new cache data")


def default_sets() -> list[tuple[str, str, Path]]:
    return [
        ("npm-malicious", "malicious", (ROOT.parent / "shared" / "corpus" / "npm-malicious")),
        ("npm-benign-popular", "benign", CACHE / "npm-benign-popular"),
        ("npm-benign-mcp", "benign", CACHE / "npm-benign-mcp"),
    ]


def parse_set(spec: str) -> tuple[str, str, Path]:
    name, sep, rest = spec.partition("=")
    label, sep2, path = rest.partition(":")
    if not sep or not sep2 or label not in ("malicious", "benign") or not name or not path:
        raise argparse.ArgumentTypeError(
            f"`{spec}`: expected NAME=LABEL:DIR with LABEL `malicious` or `benign`"
        )
    return name, label, Path(os.path.expanduser(path))


def entries(directory: Path) -> list[str]:
    return sorted(
        e.name
        for e in directory.iterdir()
        if e.is_dir() or e.name.endswith(ARCHIVE_SUFFIXES)
    )


def guarddog_version(binary: str) -> str:
    """The installed version, asked of the virtualenv's own interpreter."""
    venv_python = Path(binary).parent / "python"
    try:
        out = subprocess.run(
            [str(venv_python), "-c", "import importlib.metadata as m; print(m.version('guarddog'))"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except OSError:
        return "unknown"
    return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else "unknown"


def scan_one(binary: str, path: Path, timeout: float, offline: bool) -> dict:
    cmd = [binary, "npm", "scan", str(path), "--output-format=json"]
    if offline:
        cmd = ["unshare", "-n", *cmd]
    with tempfile.TemporaryDirectory(prefix="guarddog-eval-") as cwd:
        start = time.monotonic()
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return {
                "entry": path.name,
                "status": "timeout",
                "score": None,
                "label": None,
                "detected": False,
                "seconds": round(time.monotonic() - start, 4),
                "rules": [],
                "risks": 0,
            }
        seconds = round(time.monotonic() - start, 4)
    record: dict = {
        "entry": path.name,
        "status": "ok",
        "score": None,
        "label": None,
        "detected": False,
        "seconds": seconds,
        "rules": [],
        "risks": 0,
    }
    try:
        # The JSON document is the last non-empty line GuardDog prints.
        line = [ln for ln in stdout.splitlines() if ln.strip()][-1]
        doc = json.loads(line)
    except (IndexError, json.JSONDecodeError):
        err = [ln for ln in stderr.splitlines() if ln.strip() and not ln.startswith(NOISE)]
        record["status"] = "error"
        record["error"] = f"exit {proc.returncode}: " + " | ".join(err[-5:])[:500]
        return record
    risk = doc.get("risk_score") or {}
    score = risk.get("score")
    record["score"] = score
    record["label"] = risk.get("label")
    record["detected"] = score is not None and score >= THRESHOLD
    record["rules"] = sorted(k for k, v in (doc.get("results") or {}).items() if v)
    record["risks"] = len(doc.get("risks") or [])
    if doc.get("errors"):
        record["scan_errors"] = sorted(doc["errors"].keys())
    return record


def write_report(out: Path, report: dict) -> None:
    report["packages"].sort(key=lambda p: p["entry"])
    tmp = out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(report, indent=1) + "\n")
    tmp.replace(out)


def run_set(name: str, label: str, directory: Path, args: argparse.Namespace, version: str) -> None:
    if not directory.is_dir():
        print(f"warning: set `{name}`: `{directory}` is missing, skipped", file=sys.stderr)
        return
    out = Path(os.path.expanduser(args.out_dir)) / f"guarddog-{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    todo = entries(directory)
    if args.limit:
        todo = todo[: args.limit]
    done: dict[str, dict] = {}
    if args.resume and out.exists():
        prev = json.loads(out.read_text())
        done = {p["entry"]: p for p in prev.get("packages", []) if p["status"] != "error"}
    report = {
        "tool": "guarddog",
        "version": version,
        "set": name,
        "label": label,
        "path": str(directory),
        "threshold": THRESHOLD,
        "timeout_s": args.timeout,
        "offline": args.offline,
        "jobs": args.jobs,
        "complete": False,
        "packages": [p for e, p in done.items() if e in todo],
    }
    pending = [e for e in todo if e not in done]
    print(
        f"set `{name}`: {len(todo)} packages, {len(pending)} to scan -> `{out}`",
        file=sys.stderr,
    )
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [
            pool.submit(scan_one, args.guarddog, directory / e, args.timeout, args.offline)
            for e in pending
        ]
        for i, fut in enumerate(concurrent.futures.as_completed(futures), 1):
            report["packages"].append(fut.result())
            if i % 10 == 0 or i == len(pending):
                write_report(out, report)
                print(f"  {name}: {i}/{len(pending)}", file=sys.stderr)
    report["complete"] = True
    write_report(out, report)
    pk = report["packages"]
    det = sum(p["detected"] for p in pk)
    print(
        f"set `{name}`: {det}/{len(pk)} at score >= {THRESHOLD}, "
        f"{sum(p['status'] == 'timeout' for p in pk)} timeouts, "
        f"{sum(p['status'] == 'error' for p in pk)} errors",
        file=sys.stderr,
    )


def main() -> int:
    venv = Path(
        os.environ.get("PALISADE_GUARDDOG_VENV", str(Path.home() / ".cache" / "palisade-guarddog"))
    )
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", action="append", type=parse_set, dest="sets", metavar="NAME=LABEL:DIR")
    parser.add_argument("--jobs", type=int, default=2, help="parallel GuardDog processes (max 2)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per package")
    parser.add_argument("--out-dir", default=str(CACHE))
    parser.add_argument("--limit", type=int, default=0, help="first N packages of each set")
    parser.add_argument("--guarddog", default=str(venv / "bin" / "guarddog"))
    parser.add_argument(
        "--no-offline",
        dest="offline",
        action="store_false",
        help="do not cut GuardDog off the network with `unshare -n`",
    )
    parser.add_argument("--resume", action="store_true", help="keep results already in the output")
    args = parser.parse_args()
    args.jobs = max(1, min(args.jobs, 2))
    if not Path(args.guarddog).exists():
        print(f"error: `{args.guarddog}` not found; run scripts/guarddog-setup.sh", file=sys.stderr)
        return 2
    if args.offline and shutil.which("unshare") is None:
        print("warning: `unshare` not found, GuardDog runs with network access", file=sys.stderr)
        args.offline = False
    version = guarddog_version(args.guarddog)
    for name, label, directory in args.sets or default_sets():
        run_set(name, label, directory, args, version)
    return 0


if __name__ == "__main__":
    sys.exit(main())
