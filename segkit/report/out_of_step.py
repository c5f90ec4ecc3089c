"""What a run's page says of pages that are out of step with each other: those ``segkit run --only`` kept from an
earlier run while it made others again, and those made before a notebook run by hand changed the run's params."""

from __future__ import annotations

import html
from collections.abc import Collection
from pathlib import Path
from typing import Any

__all__ = ["kept_note", "mark_params_changed"]


def kept_note(name: str, kept: dict[str, Any] | None, unfinished: Collection[str] = ()) -> str:
    """On a page that an earlier run made (``segkit run --only`` ran others again): when, and, when it reads the
    results of a notebook run again since (``unfinished``: those of this run that failed or were stopped), or its
    notebook is gone from the notebooks' folder, that it may no longer match the pages made since."""
    if kept is None:
        return ""
    made = str(kept.get("made_at") or "")[:16].replace("T", " ")
    note = f" · made by the earlier run{f' of {made} UTC' if made else ''}"
    if kept.get("gone"):
        return (f"<span style='color:#b42318'>{html.escape(note)}, by a notebook no longer among this run's notebooks"
                " (removed or renamed): it may not match the pages made since</span>")
    again = [str(n) for n in kept.get("reads_again") or []]
    if not again:
        return f"<span class='sk-muted'>{html.escape(note)}</span>"
    ran, stopped = [n for n in again if n not in unfinished], [n for n in again if n in unfinished]
    parts = ([f"the results of {', '.join(ran)} before {'they were' if len(ran) > 1 else 'it was'} run again"]
             if ran else [])
    parts += [f"the results of {', '.join(stopped)}, which did not finish when run again"] if stopped else []
    return (f"<span style='color:#b42318'>{html.escape(note)}, from {html.escape(' and '.join(parts))}: it may not "
            f"match them; run it again too (--only {html.escape(name)})</span>")


#: Where the warning on a run's page that a notebook changed its params after the page was made ends.
_CHANGED_MARK = "<!--segkit-params-changed-->"


def mark_params_changed(page: Path, said: str) -> None:
    """Say on a run's page (``index.html``), under its header, that a notebook run by hand changed the run's params
    after its pages were made (``said``: "k from 3 to 4"); each later change is added to the same warning."""
    text, said = page.read_text(encoding="utf-8"), html.escape(said)
    if _CHANGED_MARK in text:
        text = text.replace(_CHANGED_MARK, f"; then {said}{_CHANGED_MARK}", 1)
    else:
        text = text.replace("</header>", "</header>\n<div class='sk-warn' id='params-changed'><strong>This run's "
                            "params were changed after its pages were made</strong>, by a notebook run by hand: "
                            f"{said}{_CHANGED_MARK}. The pages, and the numbers on this one, were made with the old "
                            "values and may not match pages made since: run the batch again (segkit run with --force) "
                            "to make every page agree.</div>", 1)
    page.write_text(text, encoding="utf-8")
