"""Fuzz the loading, cleaning and feature steps with corrupted copies of the real input files.

Every variant is a real CSV (an Online Retail sample, the Mall and Ethiopian customer tables, the
Delaware ACS table) damaged in one to three ways: columns dropped, a column's values swapped for another
type, junk cells, blank cells, truncation, encoding damage, another delimiter, broken quotes, duplicate
headers, ... Some variants are then split into a folder of files (each with the header) or written as an
Excel workbook whose numeric-looking cells are numbers and the rest text (as in the UCI workbook). Each goes
through what a batch does before clustering, ``segkit check``'s deep preflight:

    io.read_header -> kinds.<kind>.check_columns -> io.read_table -> schema -> kinds.<kind>.clean -> .features

An outcome is ``ok`` or a segkit error of some kind (``file``, ``column``, ``value``, ...): both are
fine. Any other exception is a failure: the script prints the seed that reproduces it and where it was
raised, and exits with status 1.

    python bench/fuzz_inputs.py                     # 600 variants, seed 0
    python bench/fuzz_inputs.py --n 2000 --seed 7
    python bench/fuzz_inputs.py --repro 1234 --keep /tmp/case   # one variant, file kept, full traceback

The shared datasets are read from ../shared/data (or $SEGKIT_SHARED_DATA). tests/test_fuzz.py runs a
small seeded batch of the same variants.
"""

from __future__ import annotations

import argparse
import collections
import csv
import io
import os
import random
import shutil
import sys
import tempfile
import time
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SEGKIT_SHARED_DATA", ROOT.parent / "shared" / "data"))

JUNK = ["", " ", "NA", "N/A", "null", "None", "-", "?", "#REF!", "#VALUE!", "inf", "-inf", "Infinity", "nan",
        "1e309", "-1e309", "9" * 40, "0x1F", "£12.50", "12,50", "1.234,56", "１２３", "١٢٣", "🙂", "\u200b",
        "a\nb", '"', "'", "2099-01-01", "1900-01-01", "0000-00-00", "31/02/2011", "2011-13-45", "True", "False",
        "-0", "1e-320", "0", "-1", "-999999", "NaT", "<script>", "x" * 3000, "2011-01-01T10:00:00+05:00",
        "12/01/2010 08:26", "1,000", "  42  ", "1/0", "=1+1"]
DELIMITERS = [";", "\t", "|", ":", " ", "^"]
ENCODINGS = ["latin-1", "cp1252", "utf-16", "utf-8-sig", "utf-32"]


# ----------------------------------------------------------------------------------------- sources
@dataclass(frozen=True)
class Source:
    name: str
    kind: str
    text: str  # the real file's text (a sample for Online Retail)
    params: dict


def _retail_sample(rows: int = 2_000, seed: int = 0) -> str:
    """A seeded sample of raw lines (text kept as in the files) from the first 20 Online Retail days."""
    files = sorted((SHARED / "online_retail" / "by-day").glob("*.csv"))[:20]
    header, lines = None, []
    for f in files:
        head, *body = f.read_text(encoding="utf-8").splitlines()
        header = header or head
        lines += [line for line in body if line]
    picked = sorted(random.Random(seed).sample(range(len(lines)), min(rows, len(lines))))
    return "\n".join([header, *(lines[i] for i in picked)]) + "\n"


def load_sources(kinds: set[str] | None = None) -> list[Source]:
    """The real inputs to corrupt (those present under the shared data folder)."""
    found = []
    specs = [
        ("online_retail_sample", "transactions", None, {"data_kind": "transactions"}),
        ("mall_customers", "customers", "mall_customers/Mall_Customers.csv", {"data_kind": "customers"}),
        ("ethiopian_supermarket", "customers", "ethiopian_supermarket/ethiopian_supermarket_customers.csv",
         {"data_kind": "customers"}),
        ("delaware_acs", "demographics", "opensegments_delaware/delaware.csv",
         {"data_kind": "demographics", "id_col": "zcta"}),
    ]
    for name, kind, rel, params in specs:
        if kinds and kind not in kinds:
            continue
        if rel is None:
            if not (SHARED / "online_retail" / "by-day").is_dir():
                continue
            text = _retail_sample()
        else:
            path = SHARED / rel
            if not path.is_file():
                continue
            text = path.read_bytes().decode("utf-8")
        found.append(Source(name, kind, text, params))
    return found


# ------------------------------------------------------------------------------------- corruptions
def _rows(text: str) -> list[list[str]]:
    return [r for r in csv.reader(io.StringIO(text)) if r]


def _text(rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue()


def drop_columns(rng, rows):
    width = len(rows[0])
    drop = set(rng.sample(range(width), rng.randint(1, max(1, min(3, width - 1)))))
    return [[v for i, v in enumerate(r) if i not in drop] for r in rows]


def shuffle_types(rng, rows):
    """One column takes the values of another column (text in numbers, numbers in dates, ...)."""
    width = len(rows[0])
    a, b = rng.randrange(width), rng.randrange(width)
    body = rows[1:]
    donors = [r[b] if b < len(r) else "" for r in body]
    rng.shuffle(donors)
    for r, v in zip(body, donors):
        if a < len(r):
            r[a] = v
    return rows


def inject_junk(rng, rows):
    body = rows[1:]
    for _ in range(rng.randint(1, max(1, len(body) // rng.choice([2, 10, 100])))):
        r = rng.choice(body)
        if r:
            r[rng.randrange(len(r))] = rng.choice(JUNK)
    return rows


def junk_column(rng, rows):
    """A whole column becomes one kind of junk (all the same, or all different)."""
    col = rng.randrange(len(rows[0]))
    same = rng.random() < 0.5
    value = rng.choice(JUNK)
    for r in rows[1:]:
        if col < len(r):
            r[col] = value if same else rng.choice(JUNK)
    return rows


def empty_values(rng, rows):
    share = rng.choice([0.05, 0.3, 0.9, 1.0])
    cols = rng.sample(range(len(rows[0])), rng.randint(1, len(rows[0])))
    for r in rows[1:]:
        for c in cols:
            if c < len(r) and rng.random() < share:
                r[c] = ""
    return rows


def constant_column(rng, rows):
    col = rng.randrange(len(rows[0]))
    value = rows[1][col] if len(rows) > 1 and col < len(rows[1]) else "1"
    for r in rows[1:]:
        if col < len(r):
            r[col] = value
    return rows


def ragged_rows(rng, rows):
    """Rows with too many or too few fields."""
    for r in rng.sample(rows[1:], min(len(rows) - 1, rng.randint(1, 5))):
        if rng.random() < 0.5:
            r.extend(["extra"] * rng.randint(1, 3))
        elif r:
            del r[rng.randrange(len(r)):]
    return rows


def header_damage(rng, rows):
    header = rows[0]
    choice = rng.randrange(5)
    if choice == 0 and len(header) > 1:  # a duplicated name
        i, j = rng.sample(range(len(header)), 2)
        header[i] = header[j]
    elif choice == 1:  # case and spaces changed
        header[:] = [rng.choice([h.lower(), h.upper(), f" {h} ", h.replace("_", " ")]) for h in header]
    elif choice == 2:  # header only
        del rows[1:]
    elif choice == 3:  # no header: the first data row takes its place
        del rows[0]
    else:  # blank names
        header[rng.randrange(len(header))] = ""
    return rows


def duplicate_rows(rng, rows):
    body = rows[1:]
    extra = [list(r) for r in rng.sample(body, min(len(body), rng.randint(1, 50)))] if body else []
    return rows + extra


def duplicate_ids(rng, rows):
    """The first column's values repeat (ids for customer and area tables)."""
    body = [r for r in rows[1:] if r]
    if len(body) > 2:
        for r in rng.sample(body, rng.randint(1, len(body) // 2)):
            r[0] = rng.choice(body)[0]
    return rows


def few_rows(rng, rows):
    return rows[: 1 + rng.choice([1, 2, 3, 5])]


ROW_CORRUPTIONS = [drop_columns, shuffle_types, inject_junk, junk_column, empty_values, constant_column,
                   ragged_rows, header_damage, duplicate_rows, duplicate_ids, few_rows]


def truncate(rng, data: bytes) -> bytes:
    return data[: rng.randint(0, len(data))]


def encoding_damage(rng, data: bytes) -> bytes:
    choice = rng.randrange(4)
    text = data.decode("utf-8", errors="replace")
    if choice == 0:
        return text.encode(rng.choice(ENCODINGS), errors="replace")
    if choice == 1:  # random bytes in random places
        buf = bytearray(data)
        for _ in range(rng.randint(1, 20)):
            if buf:
                buf[rng.randrange(len(buf))] = rng.randrange(256)
        return bytes(buf)
    if choice == 2:  # NUL bytes
        buf = bytearray(data)
        for _ in range(rng.randint(1, 5)):
            buf.insert(rng.randint(0, len(buf)), 0)
        return bytes(buf)
    return ("£ " + text).encode("latin-1", errors="replace")  # a latin-1 file with a pound sign


def line_endings(rng, data: bytes) -> bytes:
    return data.replace(b"\n", rng.choice([b"\r\n", b"\r", b"\n\n"]))


BYTE_CORRUPTIONS = [truncate, encoding_damage, line_endings]


def make_variant(source: Source, seed: int) -> tuple[bytes, list[str]]:
    """The damaged file's bytes and the names of the corruptions applied, for ``seed``."""
    rng = random.Random(seed)
    rows = _rows(source.text)
    applied = []
    for fn in rng.sample(ROW_CORRUPTIONS, rng.randint(1, 3)):
        if len(rows) >= 2 and rows[0]:  # a header and at least one row to damage
            rows = fn(rng, rows)
            applied.append(fn.__name__)
    delimiter = ","
    if rng.random() < 0.15:
        delimiter = rng.choice(DELIMITERS)
        applied.append(f"delimiter {delimiter!r}")
    data = _text(rows, delimiter).encode("utf-8")
    if rng.random() < 0.3:
        fn = rng.choice(BYTE_CORRUPTIONS)
        data = fn(rng, data)
        applied.append(fn.__name__)
    return data, applied


# ------------------------------------------------------------------------------------- containers
def _cell(value: str):
    """A workbook cell: a number where the text is one, else the text (without the characters Excel refuses)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    for convert in (int, float):
        try:
            number = convert(value)
        except ValueError:
            continue
        return number if abs(number) < 1e300 else value
    return ILLEGAL_CHARACTERS_RE.sub("", value)[:32_000]


def write_variant(folder: Path, source: Source, case: int) -> tuple[Path, list[str]]:
    """Write the variant of ``case``: a CSV file (75%), a folder of 2-3 files each with the header (15%), or a
    workbook with typed cells (10%). Returns the input path and the corruptions applied."""
    data, applied = make_variant(source, case)
    rng = random.Random(case * 7 + 1)
    shape = rng.random()
    if shape < 0.75:
        path = folder / f"{source.name}.csv"
        path.write_bytes(data)
        return path, applied
    if shape < 0.90:
        path = folder / f"{source.name}_files"
        path.mkdir()
        head, *body = data.split(b"\n")
        cuts = sorted(rng.sample(range(1, max(len(body), 3)), min(2, max(len(body) - 1, 1))))
        for i, (a, b) in enumerate(zip([0, *cuts], [*cuts, len(body)])):
            (path / f"part{i + 1}.csv").write_bytes(b"\n".join([head, *body[a:b]]) + b"\n")
        return path, [*applied, f"folder of {len(cuts) + 1} files"]
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("data")
    text = data.decode("utf-8", errors="replace")
    try:
        rows = _rows(text)
    except csv.Error:  # broken quotes or line ends: the cells as the lines split on commas
        rows = [line.split(",") for line in text.splitlines() if line]
    for row in rows:
        sheet.append([_cell(v) for v in row])
    path = folder / f"{source.name}.xlsx"
    book.save(path)
    return path, [*applied, "workbook with typed cells"]


# ------------------------------------------------------------------------------------------ running
def run_steps(path: Path, source: Source):
    """What a batch does with the input before any notebook (``segkit check``); returns its summary."""
    from segkit import pipeline
    from segkit.config import params_from_mapping

    return pipeline.preflight(params_from_mapping({**source.params, "data_path": str(path)}))


def outcome_of(path: Path, source: Source) -> tuple[str, BaseException | None]:
    from segkit.errors import SegkitError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            run_steps(path, source)
    except SegkitError as exc:
        return f"segkit {exc.kind}", exc
    except Exception as exc:  # noqa: BLE001 - that is what a fuzzer looks for
        return f"OTHER {type(exc).__name__}", exc
    return "ok", None


def where(exc: BaseException) -> str:
    """The innermost segkit frame of a traceback, and the innermost frame overall."""
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if "/segkit/" in f.filename]
    spots = [own[-1]] if own else []
    if frames and (not own or frames[-1] is not own[-1]):
        spots.append(frames[-1])
    return " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(spots))


def segkit_frame(exc: BaseException) -> str:
    """``file:function`` of the innermost segkit frame (stable when line numbers move)."""
    own = [f for f in traceback.extract_tb(exc.__traceback__) if "/segkit/" in f.filename]
    return f"{Path(own[-1].filename).parent.name}/{Path(own[-1].filename).name}:{own[-1].name}" if own else "?"


def fuzz(n: int, seed: int = 0, *, kinds: set[str] | None = None, say=print) -> dict:
    """Run ``n`` variants; return counts by outcome and the failures (seed, source, corruptions, where)."""
    sources = load_sources(kinds)
    if not sources:
        raise SystemExit(f"no shared datasets under {SHARED}")
    counts: collections.Counter = collections.Counter()
    shapes: collections.Counter = collections.Counter()
    by_source: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    failures = []
    with tempfile.TemporaryDirectory(prefix="segkit-fuzz-") as tmp:
        for i in range(n):
            case = seed * 1_000_003 + i
            source = sources[i % len(sources)]
            here = Path(tmp) / str(i)
            here.mkdir()
            path, applied = write_variant(here, source, case)
            shapes["folder" if path.is_dir() else "workbook" if path.suffix == ".xlsx" else "file"] += 1
            outcome, exc = outcome_of(path, source)
            shutil.rmtree(here)
            counts[outcome] += 1
            by_source[source.name][outcome] += 1
            if outcome.startswith("OTHER"):
                failures.append({"case": case, "source": source.name, "corruptions": applied,
                                 "error": f"{type(exc).__name__}: {str(exc)[:200]}", "where": where(exc),
                                 "segkit_frame": segkit_frame(exc)})
                say(f"FAIL case {case} ({source.name}; {', '.join(applied)}): {type(exc).__name__}: "
                    f"{str(exc)[:160]}\n     at {where(exc)}")
    return {"counts": counts, "by_source": by_source, "failures": failures, "shapes": shapes}


def repro(case: int, keep: Path | None) -> None:
    """Re-run one variant with its full traceback."""
    sources = load_sources()
    i = case % 1_000_003  # a case number is seed * 1_000_003 + position; sources cycle by position
    source = sources[i % len(sources)]
    folder = keep or Path(tempfile.mkdtemp(prefix="segkit-fuzz-"))
    folder.mkdir(parents=True, exist_ok=True)
    path, applied = write_variant(folder, source, case)
    print(f"case {case}: {source.name}, {', '.join(applied)}; input {path}")
    run_steps(path, source)
    print("ok")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=600, help="number of variants (default 600)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--kinds", default=None, help="comma-separated data kinds (default: all)")
    parser.add_argument("--repro", type=int, default=None, help="re-run one case number with its traceback")
    parser.add_argument("--keep", type=Path, default=None, help="with --repro: folder to keep the file in")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    if args.repro is not None:
        repro(args.repro, args.keep)
        return 0
    t0 = time.perf_counter()
    result = fuzz(args.n, args.seed, kinds=set(args.kinds.split(",")) if args.kinds else None)
    print(f"\n{args.n} variants in {time.perf_counter() - t0:.0f}s (seed {args.seed}); inputs: "
          + ", ".join(f"{k} {v}" for k, v in sorted(result["shapes"].items())))
    for outcome, count in sorted(result["counts"].items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {outcome:<28} {count:5d}")
    print("by source:")
    for name, counter in result["by_source"].items():
        print(f"  {name:<24} " + ", ".join(f"{k} {v}" for k, v in sorted(counter.items())))
    if result["failures"]:
        spots = collections.Counter(f["where"] for f in result["failures"])
        print(f"\n{len(result['failures'])} failures (not segkit errors); by place:")
        for spot, count in spots.most_common():
            case = next(f["case"] for f in result["failures"] if f["where"] == spot)
            print(f"  {count:4d}  {spot}   (e.g. --repro {case})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
