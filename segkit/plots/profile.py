"""Figures of segment profiles: index heatmap, segment sizes, feature distributions, segment map.

Seaborn conventions: data first, keyword-only options, axes-level functions take ``ax=None`` and
return the ``Axes``; :func:`feature_distributions_figure`, which draws one panel per feature, returns
the ``Figure``. Nothing here shows, saves or restyles globally. Segments appear as "S01 Champions"
(code, then name) and keep the same colour in every figure (:func:`segment_palette`).
"""

from __future__ import annotations

import re
import warnings
from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.colors import Colormap, LinearSegmentedColormap, TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, PercentFormatter

from ..errors import ColumnError, DataValueError
from ..format import format_share
from ..profile import SegmentProfile, segment_codes
from ._common import count_ticks, grouped_ticks, heatmap, new_axes, plain_log_ticks

__all__ = [
    "feature_distributions_figure",
    "plot_index_heatmap",
    "plot_segment_map",
    "plot_segment_sizes",
    "sample_positions",
    "segment_palette",
]

#: A display name that starts with its segment code ("S04 Champions", "S04").
_CODED = re.compile(r"S\d{2,}(?: |$)")
_MIN_PER_SEGMENT = 30  # rows of each segment kept in a sample, so small segments still show
#: An index heatmap of more features than this draws the features as rows (their labels stay level).
WIDE = 8


def segment_palette(n: int) -> list[tuple[float, float, float]]:
    """Colours of ``n`` segments, in segment order: the same segment has the same colour everywhere."""
    return sns.color_palette("tab10" if n <= 10 else "husl", n)


#: The index heatmap's colours: amber below the whole, blue above, white at 100, as the cards colour an index that is
#: neither better nor worse; red and green are the cards' worse and better, which a heatmap of every measure cannot
#: say (a red "704" beside the card's green "index 704" of the Champions' spend).
INDEX_CMAP = LinearSegmentedColormap.from_list("segkit_index", ["#8a5a00", "#f7f7f7", "#1f5f8b"])


def plot_index_heatmap(profile: SegmentProfile, *, ax: Axes | None = None,
                       feature_labels: Mapping[str, str] | None = None, vmax: float = 300.0,
                       cmap: str | Colormap = INDEX_CMAP, columns: Sequence[str] | None = None) -> Axes:
    """Heatmap of the index against the whole: segments x features, values annotated.

    Colours diverge around 100 (the whole): amber below, blue above, white at 100 (:data:`INDEX_CMAP`); indexes
    above ``vmax`` share the darkest blue (their annotation still shows the true value). With more than
    :data:`WIDE` features the features become the rows, so that their labels stay readable.

    Parameters
    ----------
    profile : SegmentProfile
    ax : matplotlib Axes, optional
    feature_labels : mapping of str to str, optional
        Plain-language feature labels for the columns.
    vmax : float, default 300
        Index at which the colour saturates.
    cmap : str or Colormap, default :data:`INDEX_CMAP`
        A diverging colormap.
    columns : sequence of str, optional
        The features to draw, in this order (default: every profiled feature), e.g.
        ``profile.distinctive_features(12)``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    feats = list(profile.features) if columns is None else [f for f in columns if f in profile.features]
    labels = dict(feature_labels or {})
    data = profile.index[feats].copy()
    data.index = [profile.display_names()[s] for s in profile.segments]
    data.columns = [labels.get(f, f) for f in feats]
    tall = len(feats) > WIDE
    if tall:
        data = data.T
        ax = new_axes(ax, (1.3 * len(profile.segments) + 4.5, 0.42 * len(feats) + 1.8))
    else:
        ax = new_axes(ax, (max(7.0, 1.2 * len(feats) + 4), 0.5 * len(profile.segments) + 1.5))
    low = min(0.0, float(np.floor(np.nanmin(data.to_numpy()))))
    high = max(float(vmax), 101.0)
    return heatmap(data, "Index against the whole (100 = average)", ax=ax, annot=True, fmt=".0f", cmap=cmap,
                   norm=TwoSlopeNorm(100.0, low, high), linewidths=0.5, cbar_kws={"label": "Index (whole = 100)"})


def plot_segment_sizes(profile: SegmentProfile, *, ax: Axes | None = None, entity: str = "customers") -> Axes:
    """Horizontal bars of the number of customers per segment, labelled with count and share.

    Parameters
    ----------
    profile : SegmentProfile
    ax : matplotlib Axes, optional
    entity : str, default "customers"
        What a segment counts ("customers", "areas"), for the axis label.

    Returns
    -------
    matplotlib.axes.Axes
        One bar per segment, the first segment at the top.
    """
    segs = profile.segments
    ax = new_axes(ax, (7, 0.45 * len(segs) + 1.5))
    names = profile.display_names()
    sizes = profile.sizes.to_numpy()
    y = np.arange(len(segs))
    bars = ax.barh(y, sizes, color=segment_palette(len(segs)))
    # one decimal, as the cards give each share: "33 (16%)" beside a card's 16.5% read as another number
    ax.bar_label(bars, labels=[f"{n:,} ({format_share(s, 1)})" for n, s in zip(sizes, profile.shares)], padding=3)
    ax.set_yticks(y, [names[s] for s in segs])
    ax.invert_yaxis()
    ax.set_xlim(0, sizes.max() * 1.25)
    ax.set_xlabel(f"Number of {entity}")
    count_ticks(ax.xaxis)
    ax.set_title(f"{entity.capitalize()} per segment")
    sns.despine(ax=ax)
    return ax


def feature_distributions_figure(features: pd.DataFrame, labels: Sequence[int] | np.ndarray | pd.Series, *,
                               columns: Sequence[str], names: Mapping[int, str] | None = None,
                               sample: int = 5000, seed: int = 0, log: Sequence[str] | bool = (),
                               kind: str = "box", feature_labels: Mapping[str, str] | None = None,
                               ncols: int = 3, percent: Sequence[str] = ()) -> Figure:
    """Box (or violin) plots of each feature by segment, from a seeded sample of rows.

    Parameters
    ----------
    features : pandas.DataFrame
        One row per customer, features in their natural units.
    labels : array-like of int
        Segment of each row (row order).
    columns : sequence of str
        Features to draw, one panel each.
    names : mapping of int to str, optional
        Segment names (``profile.names`` or ``profile.display_names()``); segments show as
        "S01 Champions".
    sample : int, default 5000
        Rows drawn at most. Every segment keeps at least 30 rows (or all it has).
    seed : int, default 0
        Seed of the sample.
    log : sequence of str or bool, default ()
        Features drawn on a log axis (True = all): use it for skewed money features. Features with
        zero or negative values get a symmetric log axis.
    kind : {"box", "violin"}, default "box"
    feature_labels : mapping of str to str, optional
        Plain-language feature labels for the panel titles.
    ncols : int, default 3
        Panels per row.
    percent : sequence of str, default ()
        Features that are shares (0-1), labelled in percent.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if kind not in ("box", "violin"):
        raise DataValueError(f"kind must be 'box' or 'violin', not {kind!r}", fix="use kind='box'")
    cols = list(columns)
    if not cols:
        raise ColumnError("columns is empty", fix="name at least one feature to draw")
    missing = [c for c in cols if c not in features.columns]
    if missing:
        raise ColumnError(f"columns {missing} are not in the features", column=str(missing[0]),
                          fix=f"use columns from: {', '.join(map(str, features.columns))}")
    seg = _labels_array(labels, len(features))
    segments = sorted(set(seg.tolist()))
    display = _display_names(segments, names)
    rows = sample_positions(seg, sample, seed)
    data = features.iloc[rows][cols].reset_index(drop=True)
    data["Segment"] = pd.Categorical([display[s] for s in seg[rows]], categories=list(display.values()))
    palette = dict(zip(display.values(), segment_palette(len(segments))))
    log_cols = set(cols) if log is True else set(log or ())
    labels_ = dict(feature_labels or {})

    ncols = max(1, min(ncols, len(cols)))
    nrows = -(-len(cols) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.8 * ncols, nrows * (0.45 * len(segments) + 1.6)),
                             squeeze=False, sharey=True, constrained_layout=True)
    members = [seg[rows] == s for s in segments]  # each segment's sampled rows, once for every panel
    for ax, col in zip(axes.flat, cols):
        if kind == "box":
            values = data[col].to_numpy(dtype=float)
            _boxes(ax, [values[m] for m in members], list(display.values()), list(palette.values()))
        else:
            with warnings.catch_warnings():  # seaborn 0.13 + matplotlib 3.11: keep reports free of it
                warnings.filterwarnings("ignore", message=r".*vert: bool was deprecated", category=DeprecationWarning)
                sns.violinplot(data=data, x=col, y="Segment", hue="Segment", palette=palette, legend=False,
                               dodge=False, ax=ax, cut=0, inner="quart", density_norm="width")
        if col in log_cols:
            _log_axis(ax, data[col].to_numpy(dtype=float))
        elif col in set(percent):
            ax.xaxis.set_major_formatter(PercentFormatter(1.0))  # decimals as the range needs
        else:
            grouped_ticks(ax.xaxis, data[col].to_numpy(dtype=float))  # "40k", never "40000"
        ax.set_title(labels_.get(col, col))
        ax.set_xlabel(labels_.get(col, col))
        ax.set_ylabel("")
    for ax in list(axes.flat)[len(cols):]:
        ax.set_visible(False)
    return fig


def plot_segment_map(coords: np.ndarray | pd.DataFrame, labels: Sequence[int] | np.ndarray | pd.Series, *,
                     names: Mapping[int, str] | None = None, highlight: Sequence[bool] | np.ndarray | None = None,
                     ax: Axes | None = None, sample: int = 5000, seed: int = 0,
                     explained: Sequence[float] | None = None, highlight_label: str | None = None,
                     x_label: str | None = None, entity: str = "customers") -> Axes:
    """A 2-D map of the rows coloured by segment, with segment codes at the segment centres.

    Parameters
    ----------
    coords : array-like of shape (n, 2)
        Map coordinates, e.g. from :func:`segkit.profile.project_2d`.
    labels : array-like of int
        Segment of each row.
    names : mapping of int to str, optional
        Segment names (``profile.names`` or ``profile.display_names()``), for the legend.
    highlight : array-like of bool or of row positions, optional
        Rows to draw larger with a black edge (new customers, for instance).
    ax : matplotlib Axes, optional
    sample : int, default 5000
        Points drawn at most (highlighted points: at most as many again). Centres use every row.
    seed : int, default 0
        Seed of the sample.
    explained : pair of float, optional
        Share of variation per map axis (from ``project_2d``), shown in the axis labels.
    highlight_label : str, optional
        Legend entry of the highlighted points (default: "New " and ``entity``).
    x_label : str, optional
        The horizontal axis's label (default: map axis 1 and its share of the differences). Where the second
        coordinate is the same for every row (segments of a single measure), each segment gets a row of its own,
        its dots spread a little up and down, so that the segments and their codes do not lie on one line.
    entity : str, default "customers"
        What a row is, in the plural, in the title and the highlighted points' legend entry.

    Returns
    -------
    matplotlib.axes.Axes
        One scatter collection per segment, plus one for highlighted points.
    """
    xy = np.asarray(coords, dtype=float)
    if xy.ndim != 2 or xy.shape[1] != 2:
        raise DataValueError(f"coords must have 2 columns, got shape {xy.shape}",
                             fix="pass the output of project_2d (n rows x 2)")
    seg = _labels_array(labels, len(xy))
    segments = sorted(set(seg.tolist()))
    display = _display_names(segments, names)
    codes = {s: text.split(" ", 1)[0] for s, text in display.items()}
    colours = dict(zip(segments, segment_palette(len(segments))))
    ax = new_axes(ax, (7, 6))
    lanes = bool(np.ptp(xy[:, 1]) == 0)  # one direction only: a row per segment, the first on top
    if lanes:
        lane = {s: len(segments) - 1 - i for i, s in enumerate(segments)}
        spread = np.random.default_rng(seed).uniform(-0.3, 0.3, len(xy))
        xy = np.column_stack([xy[:, 0], np.array([lane[s] for s in seg.tolist()], dtype=float) + spread])

    rows = sample_positions(seg, sample, seed)
    for s in segments:
        pts = xy[rows[seg[rows] == s]]
        ax.scatter(pts[:, 0], pts[:, 1], s=8, alpha=0.5, color=colours[s], linewidths=0, label=display[s])
    if highlight is not None:
        mask = _highlight_mask(highlight, len(xy))
        pos = np.flatnonzero(mask)
        if len(pos) > sample:
            pos = np.sort(np.random.default_rng(seed + 1).choice(pos, sample, replace=False))
        ax.scatter(xy[pos, 0], xy[pos, 1], s=45, color=[colours[s] for s in seg[pos]], edgecolors="black",
                   linewidths=1.0, zorder=3)
    centres = np.array([xy[seg == s].mean(axis=0) for s in segments])
    if lanes:  # each code on its own row, at its segment's centre
        centres[:, 1] = [lane[s] + 0.45 for s in segments]  # above its row, not over a column of one value
    _write_codes(ax, seg, dict(zip(segments, centres if lanes else _apart(ax, centres))), codes, colours, lanes)
    for i, axis in enumerate("xy"):
        text = f"Map axis {i + 1}"
        if explained is not None:
            text += f" ({100 * float(explained[i]):.0f}% of the differences)"
        getattr(ax, f"set_{axis}label")(x_label if axis == "x" and x_label else text)
    if lanes:
        ax.set_yticks([lane[s] for s in segments], [codes[s] for s in segments])
        ax.set_ylim(-0.6, len(segments) - 0.2)  # room for the top row's code above it
        ax.set_ylabel("Segment")
    ax.set_title(f"Segment map: {entity} close together are alike")
    # below the map, never over its points (a legend inside covered points wherever matplotlib put it)
    handles = ax.get_legend_handles_labels()[0]
    if highlight is not None:  # in no segment's colour (it took the first point's, S02's): outlined, as they are
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=6, markerfacecolor="white",
                              markeredgecolor="black", label=highlight_label or f"New {entity}"))
    legend = ax.legend(handles=handles, title="Segment", loc="upper center", bbox_to_anchor=(0.5, -0.12),
                       ncol=2 if len(segments) > 4 else 1, fontsize="small", markerscale=1.5, frameon=False)
    for handle in legend.legend_handles[:len(segments)]:  # solid keys: the Mall's pale S04, S06 and S07 read alike
        handle.set_alpha(1.0)
    return ax


# -------------------------------------------------------------------------------------- helpers
def _write_codes(ax: Axes, seg: np.ndarray, at: Mapping, codes: Mapping, colours: Mapping, lanes: bool) -> None:
    """Each segment's code in a box of its colour, ``at`` its place on the map; a segment of one or two rows has its
    code above its dots, which a box at its centre covered (Delaware's campus)."""
    sizes = dict(zip(*np.unique(seg, return_counts=True)))
    for s, (cx, cy) in at.items():
        box = {"ha": "center", "fontsize": 10, "fontweight": "bold", "zorder": 4,
               "bbox": {"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": colours[s], "alpha": 0.9}}
        if sizes.get(s, 0) <= 2 and not lanes:
            ax.annotate(codes[s], (cx, cy), xytext=(0, 9), textcoords="offset points", va="bottom", **box)
        else:
            ax.text(cx, cy, codes[s], va="center", **box)


#: The room a segment's code ("S08" in its box) takes on the map, as a share of the axes' width and height.
_CODE_BOX = (0.085, 0.05)


def _apart(ax: Axes, centres: np.ndarray, rounds: int = 50) -> np.ndarray:
    """Where to write each segment's code on the map: at its centre, moved up or down just enough that no two codes
    cover each other (the Mall's men and women Affluent Savers share a centre on the map: one code hid the other)."""
    ax.autoscale_view()
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    span = np.array([x1 - x0 or 1.0, y1 - y0 or 1.0])
    at = (centres - [x0, y0]) / span  # in the axes' fractions, where the code boxes have one size
    width, height = _CODE_BOX
    at[:, 1] = np.clip(at[:, 1], height / 2, 1 - height / 2)  # inside the map
    for _ in range(rounds):
        moved = False
        for i in range(len(at)):
            for j in range(i + 1, len(at)):
                dx, dy = at[j] - at[i]
                if abs(dx) < width and abs(dy) < height:
                    push = (height - abs(dy)) / 2 + 1e-3
                    sign = 1.0 if dy >= 0 else -1.0  # the later one up when they coincide
                    at[i, 1] -= sign * push
                    at[j, 1] += sign * push
                    moved = True
        # back inside the map after each round, so the next one parts what the edge pushed together again
        at[:, 1] = np.clip(at[:, 1], height / 2, 1 - height / 2)
        if not moved:
            break
    return at * span + [x0, y0]


def _boxes(ax: Axes, groups: Sequence[np.ndarray], names: Sequence[str], colours: Sequence) -> None:
    """One horizontal box per group, the first on top, drawn as seaborn's ``boxplot`` draws them (its quartiles
    and 1.5 IQR whiskers are matplotlib's, its colours the palette's at 75% saturation, its lines a grey as dark as
    60% of the lightest fill's lightness) in one matplotlib call: a third of seaborn's time, which on a wide table's
    twelve panels was most of the figure's."""
    import colorsys

    from matplotlib import cbook
    from matplotlib.colors import to_rgb

    fills = [sns.desaturate(c, 0.75) for c in colours]
    grey = (0.6 * min(colorsys.rgb_to_hls(*to_rgb(c))[1] for c in fills),) * 3
    values = [g[np.isfinite(g)] for g in groups]  # seaborn leaves out infinite values as it does missing ones
    drawn = [i for i, v in enumerate(values) if v.size]
    if drawn:
        boxes = ax.bxp(cbook.boxplot_stats([values[i] for i in drawn], whis=1.5), positions=drawn, widths=0.8,
                       capwidths=0.4, orientation="horizontal", patch_artist=True, manage_ticks=False,
                       boxprops={"edgecolor": grey}, medianprops={"color": grey, "solid_capstyle": "butt"},
                       whiskerprops={"color": grey, "solid_capstyle": "butt"}, capprops={"color": grey},
                       flierprops={"markeredgecolor": grey, "markersize": 1.5})["boxes"]
        for box, i in zip(boxes, drawn):
            box.set_facecolor(fills[i])
    ax.set_yticks(range(len(names)), labels=list(names))
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.yaxis.grid(False)


def _log_axis(ax: Axes, values: np.ndarray) -> None:
    """Log x axis; a symmetric log axis (linear around 0) when some values are 0 or negative. Ticks in plain
    numbers."""
    values = values[np.isfinite(values)]  # a value left out (missing): neither below nor above zero
    if (values > 0).all():
        ax.set_xscale("log")
    else:
        nonzero = np.abs(values[values != 0])
        linthresh = float(10 ** np.floor(np.log10(np.percentile(nonzero, 10)))) if nonzero.size else 1.0
        ax.set_xscale("symlog", linthresh=linthresh)
        ax.xaxis.set_major_locator(FixedLocator(symlog_ticks(values, linthresh)))
    plain_log_ticks(ax.xaxis)


def symlog_ticks(values: np.ndarray, linthresh: float, most: int = 4) -> list[float]:
    """Ticks of a symmetric log axis over ``values`` (``linthresh`` a power of ten): 0 and powers of ten on each
    side that holds data, every k-th decade so that no side has more than ``most``. When both sides hold data, none
    at ±``linthresh`` unless it is a side's only one: the linear part around 0 is narrow, and "-1", "0" and "1"
    printed over each other.

    >>> symlog_ticks(np.array([-150.0, 0.5, 20.0, 90_000.0]), 1.0)
    [-100.0, -10.0, 0.0, 10.0, 100.0, 1000.0, 10000.0]
    >>> symlog_ticks(np.array([0.0, 0.0, 1.0, 3.0, 7.0]), 1.0)  # a count that is mostly 0
    [0.0, 1.0]
    """
    finite = values[np.isfinite(values)]
    lo, hi = (float(min(finite.min(), 0.0)), float(max(finite.max(), 0.0))) if finite.size else (0.0, 0.0)
    first = int(np.floor(np.log10(linthresh)))
    last = {side: int(np.floor(np.log10(top))) for side, top in ((-1, -lo), (1, hi)) if top >= linthresh}

    def decades(side: int) -> list[int]:
        kept = list(range(first, last[side] + 1))
        kept = kept[1:] if len(last) == 2 and len(kept) > 1 else kept
        step = max(1, -(-len(kept) // most))
        return kept[::-1][::step][::-1]  # the largest decade always, which frames the tail

    ticks = [-(10.0 ** e) for e in reversed(decades(-1))] if -1 in last else []
    return ticks + [0.0] + ([10.0 ** e for e in decades(1)] if 1 in last else [])


def _display_names(segments: list[int], names: Mapping[int, str] | None) -> dict[int, str]:
    """Segment -> "S01 Champions"; names that already start with a code (``display_names()``, whose codes may
    follow an earlier run) are kept."""
    names = dict(names or {})
    out = {}
    for s, code in zip(segments, segment_codes(len(segments))):
        name = str(names.get(s) or "")
        out[s] = name if _CODED.match(name) else f"{code} {name}" if name else code
    return out


def _labels_array(labels: Sequence[int] | np.ndarray | pd.Series, n: int) -> np.ndarray:
    arr = np.asarray(labels)
    if arr.ndim != 1 or len(arr) != n:
        raise DataValueError(f"there are {arr.size} labels for {n} rows",
                             fix="pass one segment label per row, in the same order")
    if arr.dtype.kind not in "iu":
        try:
            as_float = arr.astype(float)
        except (TypeError, ValueError):
            as_float = np.array([np.nan])
        if np.isnan(as_float).any() or (as_float != np.round(as_float)).any():
            raise DataValueError("segment labels must be integers", fix="pass the labels from the clustering step")
        arr = as_float
    return arr.astype(np.int64)


def _highlight_mask(highlight: Sequence[bool] | np.ndarray, n: int) -> np.ndarray:
    arr = np.asarray(highlight)
    if arr.dtype == bool:
        if len(arr) != n:
            raise DataValueError(f"highlight has {len(arr)} values for {n} rows",
                                 fix="pass one True/False per row, or the row positions to highlight")
        return arr
    mask = np.zeros(n, dtype=bool)
    if arr.size and (arr.min() < 0 or arr.max() >= n):
        raise DataValueError("highlight has row positions outside the data",
                             fix=f"use positions from 0 to {n - 1}")
    mask[arr.astype(int)] = True
    return mask


def sample_positions(seg: np.ndarray, sample: int, seed: int) -> np.ndarray:
    """Sorted row positions: a seeded random sample, topped up so each segment keeps some rows."""
    n = len(seg)
    if n <= sample:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    chosen = np.zeros(n, dtype=bool)
    chosen[rng.choice(n, sample, replace=False)] = True
    for s in np.unique(seg):
        members = np.flatnonzero(seg == s)
        short = min(len(members), _MIN_PER_SEGMENT) - int(chosen[members].sum())
        if short > 0:
            chosen[rng.choice(members[~chosen[members]], short, replace=False)] = True
    return np.flatnonzero(chosen)
