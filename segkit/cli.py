"""The ``segkit`` command.

    segkit run PARAMS.yaml [PARAMS.yaml ...] [--name RUN] [--only NB ...] [--force]
    segkit check PARAMS.yaml [...] [--only NB ...]  validate params and input as the run would, run no notebook
    segkit params                           list every params key with its default and meaning
    segkit score RUN_OR_MODEL_DIR NEW.csv --out scored.csv
    segkit runs [--out reports] [--json]    list the runs of a reports folder, failed ones included
    segkit compare RUN_A RUN_B [--out reports]   what moved between two runs (writes compare_<A>_vs_<B>)
    segkit serve RUN_OR_MODEL_DIR [--host 127.0.0.1] [--port 8000]   a scoring service (needs segkit[serve])

Errors a user can fix print as one message and exit with status 2 (``--debug`` shows the traceback).
A batch whose notebook fails exits with status 2 when the failure is a segkit error (the message is the one
the notebook shows in its error cell), else 1; its partial outputs are kept in ``<run>.failed``. Ctrl-C or
SIGTERM stops a batch the same way and exits with status 130.
"""

from __future__ import annotations

import argparse
import atexit
import os
import signal
import sys
import threading
from pathlib import Path

from .errors import SegkitError

__all__ = ["main", "console"]


def _cmd_run(args: argparse.Namespace) -> int:
    from .report.forkserver import fork_server

    with fork_server() as forks:  # first: the kernels' server imports the scientific stack while segkit loads
        from .report.runner import run

        result = _stopped_by_sigterm(lambda: run(args.params, name=args.name, only=args.only, out_dir=args.out,
                                                 notebooks_dir=args.notebooks, force=args.force, jobs=args.jobs,
                                                 say=lambda t: print(t, flush=True), forks=forks))
    if result.ok:
        print(f"index: {result.index}")
        return 0
    print(f"segkit: {result.error}", file=sys.stderr)
    where = f" ({result.failed}.html shows the error in place)" if (result.folder / f"{result.failed}.html").is_file() else ""
    print(f"segkit: partial run kept in {result.folder}{where}", file=sys.stderr)
    return 2 if result.user_error else 1


def _terminate(signum, frame):  # SIGTERM: stop like Ctrl-C, so the partial run is kept as <run>.failed
    raise KeyboardInterrupt


def _stopped_by_sigterm(work):
    """``work()`` with SIGTERM stopping it like Ctrl-C (in the main thread), the previous handler restored after."""
    previous = signal.signal(signal.SIGTERM, _terminate) if threading.current_thread() is threading.main_thread() else None
    try:
        return work()
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _without_iri_grammar() -> None:
    """Keep jsonschema (under nbformat) from importing rfc3987-syntax, which JupyterLab's dependencies bring:
    it compiles about 40 Earley grammars on import (1.4 s) for the "iri" format, which no notebook schema
    uses (python-jsonschema/jsonschema#1428). Only in segkit's own command processes, before nbformat loads."""
    sys.modules.setdefault("rfc3987_syntax", None)


def _cmd_check(args: argparse.Namespace) -> int:
    from .config import load_params
    from .naming.words import counted
    from .report.runner import plan

    params, files = load_params(args.params)
    # what the run would check and decide before its first notebook: the same checks, the same messages
    info, notebooks, left_out = plan(params, only=args.only, notebooks_dir=args.notebooks)
    print(f"params ok ({' + '.join(str(f) for f in files)}): {params.data_kind} data, input {info['input']}")
    sampled = f" (a sample of {info['checked_rows']:,})" if info["checked_rows"] < info["rows"] else ""
    findings = info["findings"]
    print(f"input ok: {info['rows']:,} rows read, cleaned and turned into features{sampled}; "
          f"{counted(sum(f.severity == 'warning' for f in findings), 'warnings')}, "
          f"{counted(sum(f.severity == 'info' for f in findings), 'notes')} for the data-quality page")
    for note in info["notes"]:  # what the run reads otherwise than the params say: the currency, unmapped columns
        print(f"  {note}")
    if info.get("set_aside"):  # what the cleaning log will say, on the rows checked
        from .cleaning import KEEP_PARAMS

        gone = sum(info["set_aside"].values())
        print(f"  the cleaning sets aside {gone:,} of the {info['checked_rows']:,} rows{sampled} "
              f"({gone / max(info['checked_rows'], 1):.1%}): " + ", ".join(
                  f"{n:,} {rule.replace('_', ' ')}" + (f" ({KEEP_PARAMS[rule]} keeps them)" if rule in KEEP_PARAMS else "")
                  for rule, n in info["set_aside"].items()))
    for f in findings:
        if f.severity == "warning":
            print(f"  warning: {f.said()}")
    if info.get("reference"):
        print(f"reference ok: {info['reference']}, same data kind and features")
    print(f"a run would execute {len(notebooks)} notebooks: {', '.join(nb.name for nb in notebooks)}"
          + (f" (left out: {', '.join(left_out)})" if left_out else ""))
    return 0


def _cmd_params(args: argparse.Namespace) -> int:
    from .config import PARAM_HELP, Params

    defaults = Params().model_dump()
    width = max(map(len, PARAM_HELP))
    for key in sorted(PARAM_HELP):
        print(f"{key:<{width}}  {defaults[key]!r:<22}  {PARAM_HELP[key]}")
    return 0


def _cmd_score(args: argparse.Namespace) -> int:
    from .stages.score import score_file, score_summary

    out, scored = score_file(args.model_dir, args.new, out=args.out, force=args.force)
    for warning in scored.attrs.get("warnings") or []:
        print(f"segkit: warning: {warning}", file=sys.stderr)
    print(f"scored rows written to {out} ({score_summary(scored)})")
    return 0


def _cmd_runs(args: argparse.Namespace) -> int:
    import json

    from .report.history import format_runs, list_runs

    runs = list_runs(args.out)
    if not args.json and not args.out.is_dir():  # a mistyped --out should not read as an empty history
        print(f"no runs: there is no folder {args.out} (segkit run writes its runs under --out, reports/ by default)")
        return 0
    print(json.dumps(runs, indent=2, ensure_ascii=False) if args.json else format_runs(runs))
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    from .report.compare import compare

    result = _stopped_by_sigterm(lambda: compare(args.run_a, args.run_b, out_dir=args.out, notebooks_dir=args.notebooks,
                                                 force=args.force, say=lambda t: print(t, flush=True)))
    if result.ok:
        print(f"index: {result.index}")
        return 0
    print(f"segkit: {result.error}", file=sys.stderr)
    print(f"segkit: partial comparison kept in {result.folder}", file=sys.stderr)
    return 2 if result.user_error else 1


def _cmd_serve(args: argparse.Namespace) -> int:
    from .serve import serve

    serve(args.source, host=args.host, port=args.port, say=lambda t: print(t, flush=True))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="segkit", description="Segmentation reports from a params file.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", help="run the notebooks of a params file and render the reports")
    p.add_argument("params", nargs="+", type=Path, help="params files, layered left to right")
    p.add_argument("--name", help="run folder name under reports/ (default: the params' run_name or file name)")
    p.add_argument("--only", nargs="+", metavar="NB", help="run only these notebooks (name or number)")
    p.add_argument("--force", action="store_true", help="replace an existing run folder")
    p.add_argument("--jobs", type=int, default=2,
                   help="notebooks computing at once when independent (default 2); one that waits for another, or "
                   "only draws its page, does not count")
    p.add_argument("--out", type=Path, default=Path("reports"), help="folder that holds the runs (default reports/)")
    p.add_argument("--notebooks", type=Path, default=None, help="folder of the report notebooks")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("check", help="validate params and input without running anything")
    p.add_argument("params", nargs="+", type=Path)
    p.add_argument("--only", nargs="+", metavar="NB", help="check for a run of only these notebooks (as segkit run)")
    p.add_argument("--notebooks", type=Path, default=None, help="folder of the report notebooks")
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("params", help="list every params key with its default and meaning")
    p.set_defaults(func=_cmd_params)

    p = sub.add_parser("score", help="assign new rows to the segments of a saved model")
    p.add_argument("model_dir", type=Path, metavar="RUN_OR_MODEL_DIR", help="a run folder, or its artifacts/model folder")
    p.add_argument("new", type=Path, help="CSV, Parquet or Excel file of new rows")
    p.add_argument("--out", type=Path, required=True, help="where to write the scored rows (CSV)")
    p.add_argument("--force", action="store_true", help="replace --out if it exists")
    p.set_defaults(func=_cmd_score)

    p = sub.add_parser("runs", help="list the runs of a reports folder (failed and unfinished ones included)")
    p.add_argument("--out", type=Path, default=Path("reports"), help="folder that holds the runs (default reports/)")
    p.add_argument("--json", action="store_true", help="print the list as JSON")
    p.set_defaults(func=_cmd_runs)

    p = sub.add_parser("compare", help="what moved between two runs of the same data: the 09_compare report")
    p.add_argument("run_a", type=Path, metavar="RUN_A", help="the earlier run folder (reports/<run>)")
    p.add_argument("run_b", type=Path, metavar="RUN_B", help="the later run folder")
    p.add_argument("--out", type=Path, default=Path("reports"), help="where compare_<A>_vs_<B> is written (default reports/)")
    p.add_argument("--force", action="store_true", help="replace an existing comparison of the same runs")
    p.add_argument("--notebooks", type=Path, default=None, help="folder of the report notebooks")
    p.set_defaults(func=_cmd_compare)

    p = sub.add_parser("serve", help="answer scoring requests over HTTP (needs: pip install 'segkit[serve]')")
    p.add_argument("source", type=Path, metavar="RUN_OR_MODEL_DIR", help="a run folder, or its artifacts/model folder")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    p.set_defaults(func=_cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _without_iri_grammar()  # every command that shows or writes reports loads nbformat
    try:
        return args.func(args)
    except SegkitError as exc:
        if args.debug:
            raise
        print(f"segkit: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("segkit: interrupted", file=sys.stderr)
        if args.command in ("run", "compare"):  # notebooks may still be running in worker threads: do not wait for them
            from .report.lifecycle import drop_strays

            drop_strays(args.out)
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(130)
        return 130


def console() -> None:
    """The ``segkit`` command: :func:`main`, then a quick exit. Only for the command's own process: code that runs
    segkit inside another program calls :func:`main`, which returns the exit status.

    Once ``main`` has returned, everything the command wrote is closed. Python's own exit would then free the
    process's objects one by one and collect garbage over all of them: 0.2-0.3 s for a command that has loaded
    pandas, scikit-learn and nbconvert, about as long as a small run's last notebook. So, as Instagram's servers
    do, the process ends at once (``os._exit``) after Python has waited for its non-daemon threads and run every
    other exit handler (temporary folders, logging, joblib's workers): :func:`_quick_exit` is registered before
    ``main`` runs, and exit handlers run last-registered first. When a handler was registered before it (a
    coverage or profiling hook loaded at start-up, which must run after the command), or ``main`` raised, the
    process ends as Python ends it.
    """
    from .report.allocator import own_process

    own_process()  # memory taken once, not once per array, as in the kernels (before pandas loads pyarrow)
    done: list[int] = []
    if getattr(atexit, "_ncallbacks", lambda: 1)() == 0:  # CPython's count of exit handlers: none before ours
        atexit.register(_quick_exit, done)
    done.append(main())
    sys.exit(done[0])


def _quick_exit(done: list[int]) -> None:
    if not done or not isinstance(done[0], int):  # main raised, or returned no status: Python's own exit
        return
    code = done[0]
    for stream in (sys.stdout, sys.stderr):
        if stream is None or stream.closed:
            continue
        try:
            stream.flush()
        except OSError:  # the reader of the output went away (segkit runs | head): Python exits with 120 then
            code = 120 if stream is sys.stdout else code
    from .report.allocator import libc_function

    fflush = libc_function("fflush")
    if fflush is not None:  # what compiled libraries wrote through C's stdio, which C's exit() would flush
        fflush(None)
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    console()
