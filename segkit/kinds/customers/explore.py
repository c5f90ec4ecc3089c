"""Explore the segments interactively: which segment would a hypothetical customer join?

:class:`CustomerExplorer` wraps a saved customer model (``artifacts/model``) and computes nothing of its
own: it builds one row from the values a user picks and asks the model's ``predict`` and ``transform``
for the segment, the confidence and the distance to the segment's centre. :meth:`CustomerExplorer.widget`
lays the features out as ipywidgets (a slider per number, a dropdown per category, a slider of days for
each date) and updates the answer as they change.

Reports stay static. :func:`explorer`, the call of notebook ``06_score``, only builds the widget when the
params say ``interactive: true``; otherwise it shows a one-line note. Even then the widget is displayed
with an HTML fallback, so a rendered report (which has no widget state) shows the note, never a broken
widget, while JupyterLab shows the widget.

Examples
--------
>>> ex = CustomerExplorer.from_run("reports/customers_synth")            # doctest: +SKIP
>>> ex.predict({"age": 25, "income": 30000})["segment_name"]               # doctest: +SKIP
'New Young Shoppers'
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["CustomerExplorer", "WidgetWithFallback", "FALLBACK"]

FALLBACK = ("Interactive explorer: open this notebook in JupyterLab with interactive set to true to move "
             "sliders for a hypothetical customer and see the segment they would join.")


class CustomerExplorer:
    """A hypothetical customer, the saved model's answer for it, and the widgets to change it.

    Parameters
    ----------
    model : fitted SegmentModel
        As loaded by :func:`segkit.modelio.load_model`.
    metadata : mapping
        The model's metadata: ``features``, ``roles``, ``categories``, ``names`` and ``reference_date``
        (written by the customers data kind).
    features : DataFrame
        The training features table (``features.parquet``): slider ranges are its 1st to 99th
        percentiles and the starting customer is its median (most frequent level for categories).

    Attributes
    ----------
    defaults : dict
        Feature -> starting value (dates as days since the reference date).
    ranges : dict
        Numeric feature -> (low, high, step) of its slider.
    """

    def __init__(self, model, metadata: Mapping[str, Any], features: pd.DataFrame):
        self.model = model
        self.metadata = dict(metadata)
        self.columns = [str(c) for c in metadata.get("features") or []]
        self.roles = dict(metadata.get("roles") or {})
        self.reference = pd.Timestamp(metadata.get("reference_date") or "2000-01-01").normalize()
        self.defaults: dict[str, Any] = {}
        self.ranges: dict[str, tuple[float, float, float]] = {}
        for col in self.columns:
            role = self.roles.get(col, "numeric")
            if role in ("categorical", "boolean"):
                levels = list(metadata.get("categories", {}).get(col) or [])
                counts = features[col].astype(str).value_counts() if col in features.columns else pd.Series()
                self.defaults[col] = str(counts.index[0]) if len(counts) else (levels[0] if levels else "")
                continue
            values = features.get(f"days_since_{col}") if role == "date" else features.get(col)
            values = pd.to_numeric(values, errors="coerce").dropna() if values is not None else pd.Series([0.0])
            lo, hi = (float(values.quantile(0.01)), float(values.quantile(0.99))) if len(values) else (0.0, 1.0)
            hi = hi if hi > lo else lo + 1.0
            whole = bool(np.all(np.mod(values.to_numpy(), 1) == 0))
            step = 1.0 if whole and hi - lo >= 10 else float(10 ** np.floor(np.log10((hi - lo) / 100)))
            self.ranges[col] = (lo, hi, step)
            self.defaults[col] = float(values.median()) if len(values) else lo

    @classmethod
    def from_run(cls, run_dir: str | Path) -> "CustomerExplorer":
        """The explorer of a run folder's saved model and features."""
        from ...io import RunFolder
        from ...modelio import load_model

        folder = RunFolder(run_dir)
        model, metadata = load_model(folder.artifact("model"))
        return cls(model, metadata, folder.read_parquet("features.parquet"))

    def row(self, values: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """The one-row table the model scores: the defaults updated with ``values``."""
        chosen = {**self.defaults, **dict(values or {})}
        row = {}
        for col in self.columns:
            value = chosen.get(col)
            if self.roles.get(col) == "date":
                value = self.reference - pd.Timedelta(days=float(value))
            row[col] = [value]
        return pd.DataFrame(row)

    def predict(self, values: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Segment code, name, confidence and distance to the centre of the customer with ``values``."""
        from .score import score_customers

        scored = score_customers(self.model, self.metadata, self.row(values)).iloc[0]
        return {"segment_code": scored["segment_code"], "segment_name": scored["segment_name"],
                "confidence": float(scored["confidence"]), "distance_to_centre": float(scored["distance_to_centre"])}

    def describe(self, values: Mapping[str, Any] | None = None) -> str:
        """The answer as a sentence of HTML."""
        import html

        r = self.predict(values)
        return (f"<p>This customer would join <strong>{html.escape(r['segment_code'])} "
                f"{html.escape(r['segment_name'])}</strong> (confidence {r['confidence']:.0%}, distance to the "
                f"segment's centre {r['distance_to_centre']:.2f}).</p>")

    def widget(self):
        """The ipywidgets view: one control per feature and the answer below, updated on every change."""
        import ipywidgets as w

        controls = {}
        for col in self.columns:
            role = self.roles.get(col, "numeric")
            if role in ("categorical", "boolean"):
                options = list(self.metadata.get("categories", {}).get(col) or [self.defaults[col]])
                value = self.defaults[col] if self.defaults[col] in options else options[0]
                controls[col] = w.Dropdown(options=options, value=value, description=col)
            else:
                lo, hi, step = self.ranges[col]
                label = f"days since {col}" if role == "date" else col
                controls[col] = w.FloatSlider(value=min(max(self.defaults[col], lo), hi), min=lo, max=hi, step=step,
                                              description=label, continuous_update=False,
                                              style={"description_width": "initial"})
        answer = w.HTML(self.describe())

        def update(_change=None):
            answer.value = self.describe({c: ctl.value for c, ctl in controls.items()})

        for ctl in controls.values():
            ctl.observe(update, names="value")
        return w.VBox([*controls.values(), answer])


class WidgetWithFallback:
    """Displays a widget in JupyterLab and an HTML note wherever widgets cannot run (rendered reports)."""

    def __init__(self, widget, fallback_html: str):
        self.widget = widget
        self.fallback_html = fallback_html

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data = dict(data or {})
        data["text/html"] = self.fallback_html
        data["text/plain"] = "Interactive explorer (JupyterLab)"
        return data
