"""Study: the CPU the report figures of a run take to draw and encode, with this matplotlib and another (issue 18).

The notebooks' code runs in one process, as the notebooks' floor of ``bench_batch.py`` does, and every figure
that goes to a page (``report.cards.figure_png``) is timed: CPU seconds to lay out, draw and encode it as PNG (and
to save it again with a tight box, for a figure drawn past its edges).
With ``--matplotlib-path DIR`` (a folder holding another matplotlib, e.g. ``pip install --target DIR --no-deps
matplotlib==3.10.8``), the same runs alternate with DIR first on ``PYTHONPATH``, so the two versions are timed side by
side. ``--hinting`` sets matplotlib's ``text.hinting`` in the runs of this environment's matplotlib instead.

How to run (from the repository root)::

    .venv/bin/python bench/bench_figures.py params/online_retail.yaml --repeats 3
    .venv/bin/python bench/bench_figures.py params/online_retail.yaml --matplotlib-path /tmp/mpl310
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

#: Before the floor's script: time every figure a page gets, and report the total on the last line of stderr.
_TIMED = r'''
import atexit, json, os, sys, time
import matplotlib
if os.environ.get("SEGKIT_BENCH_HINTING"):
    matplotlib.rcParams["text.hinting"] = os.environ["SEGKIT_BENCH_HINTING"]
import segkit.report.cards as _cards
from segkit.kernel import REPORT_RC
matplotlib.rcParams.update(REPORT_RC)
_spent = {"cpu_s": 0.0, "figures": 0, "matplotlib": matplotlib.__version__}
_figure_png = _cards.figure_png
def _timed(obj, **kwargs):
    t = time.process_time()
    try:
        return _figure_png(obj, **kwargs)
    finally:
        _spent["cpu_s"] += time.process_time() - t
        _spent["figures"] += 1
_cards.figure_png = _timed  # before the stages import it by name
atexit.register(lambda: print(json.dumps(_spent), file=sys.stderr))
'''


def run(params: str, out: Path, extra_path: str | None, hinting: str | None) -> dict:
    """One floor run; the figures' CPU seconds, their count and the matplotlib version."""
    from bench_batch import FLOOR

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (extra_path, str(ROOT)) if p)}
    if hinting:
        env["SEGKIT_BENCH_HINTING"] = hinting
    res = subprocess.run([sys.executable, "-c", _TIMED + FLOOR, json.dumps([str(Path(params).resolve())]),
                          str(out), str(ROOT / "notebooks")], cwd=ROOT / "notebooks", env=env,
                         capture_output=True, text=True)
    if res.returncode != 0:
        raise SystemExit(f"floor failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stderr.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("params")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--matplotlib-path", help="a folder holding another matplotlib, timed beside this one")
    ap.add_argument("--hinting", help="text.hinting for the other runs (e.g. no_hinting) instead")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    ways = {"this environment": (None, None)}
    if args.matplotlib_path or args.hinting:
        ways["other"] = (args.matplotlib_path, args.hinting)
    runs: dict[str, list[dict]] = {w: [] for w in ways}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeats):
            for way in (list(ways) if i % 2 == 0 else list(reversed(ways))):
                runs[way].append(run(args.params, Path(tmp) / f"{i}-{len(runs[way])}-{way[:5]}", *ways[way]))
                print(way, runs[way][-1], flush=True)
    summary = {way: {"matplotlib": r[0]["matplotlib"], "figures": r[0]["figures"],
                     "median_cpu_s": round(statistics.median(x["cpu_s"] for x in r), 3)} for way, r in runs.items()}
    print(json.dumps(summary, indent=1))
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "runs": runs}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
