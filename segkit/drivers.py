"""The driver sentences: what sets a segment apart, in words, with its value beside the whole's.

"Set apart mostly by more orders (typically 5.0 vs 2.0 overall), higher net spend (typically £1,777 vs £647 overall)
and fewer days since last purchase (typically 16 days vs 51 days overall)." :func:`segkit.explain.explain_segments`
ranks each segment's measures by how much shuffling them blurs it; :class:`_Sentences` says the first few that the
segment visibly differs in, each by one statistic across a page (:class:`_Measure`), and a category by its level
(:class:`_Levels`).

Examples
--------
>>> import pandas as pd
>>> table = pd.DataFrame({"orders": [1, 2, 2, 5, 6, 7]})
>>> driver_sentence(table, [0, 0, 0, 1, 1, 1], 1, ["orders"], units={"orders": "count"})
'Set apart mostly by more orders (typically 6 vs 3.5 overall).'
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from .featureset import in_index
from .format import YES_NO, capitalised, format_value, in_thousands, joined, without_unit, yes_no
from .forest import _MISSING
from .naming.masking import MIN_OBSERVED_SHARE
from .naming.people import absent, share_words
from .naming.words import feature_phrase, phrase, with_said
from .parse.numbers import CURRENCY_SIGNS
from .separability import MIN_MEMBERS

__all__ = ["driver_sentence"]

#: A column "differs" in a segment when its mean is at least this many standard deviations from the overall
#: mean, or its top level's share as many standard deviations of the level's indicator (the fallback ranking,
#: when no single measure's shuffling blurs the segment).
_DIFFERS = 0.25
#: A driver whose segment mean lies closer than this many standard deviations to the overall mean, and closer
#: than this share of it, is not named: the forest may lean on it, but a reader would not call the segment
#: different in it. A median counts against the spread of the middle half (interquartile range / 1.349).
_NEGLIGIBLE = 0.1
#: Nor is a difference under this many of those standard deviations that is also under :data:`_NEGLIGIBLE` of the
#: whole's value (a date's days have no true zero: not for dates): on Delaware's areas, whose shares of young adults
#: vary little, "typical area 20% vs 19% overall".
_SMALL = 0.25


def _aligned(table: pd.DataFrame, labels):
    """``labels`` in the rows' order: a Series indexed by the entity ids is aligned to ``table``, anything else is
    read in order."""
    if isinstance(labels, pd.Series) and len(labels) == len(table) and labels.index.is_unique \
            and (labels.index.equals(table.index) or in_index(labels.index, table.index).all()):
        return labels.reindex(table.index)
    return labels


# ------------------------------------------------------------------------------------------- words
def _comparative(label: str, more: bool, unit: str | None = None) -> str:
    """"more orders", "higher visit frequency" (:func:`segkit.naming.words.feature_phrase`); money is always
    higher or lower ("lower spend, last 30 days", not "fewer"); a note in brackets in the label ("(log)")
    stays, since the values are in its terms."""
    note = label[label.rindex("("):] if label.endswith(")") and "(" in label else ""
    if note[1:-1] == unit:  # "(mm)": the values say it ("38.9 mm"), not "(mm; 38.9 mm vs ...)"
        label, note = without_unit(label, unit), ""
    if unit == "money" or unit in CURRENCY_SIGNS or in_thousands(unit):
        text = f"{'higher' if more else 'lower'} {phrase(label[:len(label) - len(note)].strip())}"
    else:
        text = feature_phrase(label, high=more, comparative=True)
    return text + (f" {note}" if note else "")


class _Levels:
    """One category column of a page's sentences: its levels as a sentence writes them and their shares overall,
    computed once for all segments."""

    def __init__(self, s: pd.Series, coded: bool = False, entity: str | None = None):
        self.entity = entity
        text = s.astype("object").where(s.notna(), _MISSING)
        self.text = text if coded else _levels(text)  # codes as written: "sex: more often 1", never "yes"
        self.overall = self.text.value_counts(normalize=True)
        known = {str(v).strip().lower(): v for v in self.overall.index if v != _MISSING}
        pair = next((p for p in YES_NO if set(known) == set(p)), None) if not coded else None
        self.answers = {known[pair[0]]: "yes", known[pair[1]]: "no"} if pair else {}  # Telco's Yes/No, a 0/1's yes/no

    def top(self, in_seg: np.ndarray) -> tuple[Any, float, float] | None:
        """The level the segment holds most above the whole, its share in the segment and overall."""
        if not in_seg.any():
            return None
        seg_shares = self.text[in_seg].value_counts(normalize=True)
        level = seg_shares.sub(self.overall, fill_value=0.0).idxmax()
        return level, float(seg_shares.get(level, 0.0)), float(self.overall.get(level, 0.0))

    def gap(self, in_seg: np.ndarray) -> float:
        """How far the top level's share in the segment lies from its share overall (:func:`_level_gap`)."""
        top = self.top(in_seg)
        return 0.0 if top is None else _level_gap(top[1], top[2])

    def effect(self, in_seg: np.ndarray) -> float:
        """How much more often the segment holds its top level than the other rows do (0 to 1), as
        :meth:`_Measure.effect` measures a number."""
        top = self.top(in_seg)
        if top is None or in_seg.all():
            return 0.0
        return abs(top[1] - float((self.text[~in_seg] == top[0]).mean()))

    def clause(self, in_seg: np.ndarray, label: str) -> str | None:
        """"contract: more often Two year (33% vs 12% overall)", "a higher share of women (64% vs 56% overall)" (a
        gender's level, as the people it stands for: :func:`~segkit.naming.people.people`), "a higher share with no cr
        card" or "who are married" (a yes or no, as names say it: :func:`~segkit.naming.words.had`); None when the
        share barely differs."""
        top = self.top(in_seg)
        if top is None:
            return None
        level, share_seg, share_all = top
        if f"{100 * share_seg:.0f}" == f"{100 * share_all:.0f}" or _level_gap(share_seg, share_all) < _NEGLIGIBLE:
            return None  # "a higher share of women (52% vs 50% overall)" sets nothing apart
        shares = f"({100 * share_seg:.0f}% vs {100 * share_all:.0f}% overall)"
        of = share_words(label, level, self.entity)  # "of female penguins", "in 3rd class" (not "p class: ... 3rd")
        if of:
            return f"a higher share {of} {shares}"
        missing = absent(label, level, self.overall.index)  # "with no internet service", not "more often No"
        if missing:
            return f"a higher share with {missing} {shares}"
        if level in self.answers:  # as the cards and names say it: "with no cr card", "who are married"
            said = feature_phrase(f"{label}: {self.answers[level]}", high=True)
            return f"a higher share {with_said(said)} {shares}"
        return f"{phrase(label)}: more often {level} {shares}"


def _level_gap(share_seg: float, share_all: float) -> float:
    """How far a level's share in the segment lies from its share overall, in the standard deviations of the
    level's 0/1 indicator: the measure :meth:`_Measure.distance` takes of a number."""
    sd = np.sqrt(share_all * (1 - share_all))
    return abs(share_seg - share_all) / sd if sd > 0 else 0.0


#: The statistics a sentence compares a measure by, as :class:`_Measure` indexes them.
_MEDIAN, _MEAN = 0, 1


def _stat_words(per: str | None = None) -> dict[str, str]:
    """How a sentence names its statistics: the typical and the average member ("typically", "on average"), or,
    where a row is not a person, the typical and the average ``per``: a census card's areas ("typical area 22% vs
    29% overall", "average area")."""
    if per is None:
        return {"how": ("typically", "on average"), "on average": "on average", "than": "than typical",
                "close": "close to typical", "same": "typically the same"}
    return {"how": (f"typical {per}", f"average {per}"), "on average": f"in the average {per}",
            "than": f"than in the typical {per}", "close": f"close to the typical {per}",
            "same": f"the same in the typical {per}"}


class _Measure:
    """One number or date column of a page's sentences: its medians and means by segment and overall, in words.

    Every sentence of a page compares a measure by the same statistic, so that the page gives one overall value
    for it: the median ("typically"), or the mean ("on average") when the medians of a segment of at least
    :data:`~segkit.separability.MIN_MEMBERS` observed values read the same as the whole's while its mean does
    not (a measure most rows hold at zero: "spend, last 30 days"). A difference counts from :data:`_NEGLIGIBLE`
    of the measure's scale: its standard deviation for a mean, the spread of its middle half for a median.

    A segment whose median and mean differ from the whole's on different sides is *split* on the measure: steady
    buyers above the median customer but below the mean that a few big spenders raise, or areas below the typical
    income lifted above the average by one top-coded area. Neither statistic alone tells how it compares, so a
    sentence names the measure only with both (:meth:`fallback`), as it does for a segment at the typical value
    but far from the average on a page of medians.
    """

    def __init__(self, s: pd.Series, segments: np.ndarray, word, text, per: str | None = None):
        self.words = _stat_words(per)
        self.dates = dates = pd.api.types.is_datetime64_any_dtype(s)  # days since the first: no true zero
        values = pd.Series((_days(s) if dates else s.astype("float64")).to_numpy()).replace([np.inf, -np.inf], np.nan)
        first = s.min() if dates else None
        self.word, self.text = word, (lambda d: text(first + pd.Timedelta(days=d))) if dates else text
        by = values.groupby(segments)
        self.median, self.mean, self.size = by.median(), by.mean(), by.count()
        self._values, self.segments = values, np.asarray(segments)  # for effect(), ranked only when asked
        self.observed = self.size / by.size()  # the share of each segment's members with a value
        self.whole = (values.median(), values.mean())
        sd, iqr = values.std(ddof=0), values.quantile(0.75) - values.quantile(0.25)
        # a median's difference counts against the spread of the middle half (as a standard deviation), which the
        # few largest values that widen the standard deviation leave alone
        self.scale = (iqr / 1.349 if iqr > 0 else sd, sd)
        only_means = [seg for seg in self.median.index if self.size[seg] >= MIN_MEMBERS
                      and self._differs(seg, _MEAN) and not self._reads(seg, _MEDIAN)]
        self.stat = _MEAN if only_means else _MEDIAN

    def distance(self, segment) -> float:
        """How far the segment lies from the whole: its mean in standard deviations or its median in the scale
        of the middle half, whichever is further (NaN without spread)."""
        gaps = [abs((self.median, self.mean)[stat].get(segment, np.nan) - self.whole[stat]) / self.scale[stat]
                for stat in (_MEDIAN, _MEAN) if self.scale[stat] > 0]
        return float(np.nanmax(gaps)) if gaps and not np.isnan(gaps).all() else np.nan

    def effect(self, segment) -> float:
        """How clearly the segment's values lie above or below the other rows' (0 to 1): the rank-biserial
        correlation, 2 x the chance that a member's value is above another row's - 1, in size. It orders the
        differences a sentence lists: a share of returns at 1.92% against 1.68% overall, on a narrow middle half, is
        far in :meth:`distance` but hardly sets a segment apart."""
        ranks = self._ranks
        seen, member = ~np.isnan(ranks), self.segments == segment  # ranks among the rows with a value
        n_in = int((seen & member).sum())
        n_out = int(seen.sum()) - n_in
        if not n_in or not n_out:
            return 0.0
        u = ranks[seen & member].sum() - n_in * (n_in + 1) / 2  # Mann-Whitney's U of the segment
        return float(abs(2 * u / (n_in * n_out) - 1))

    @cached_property
    def _ranks(self) -> np.ndarray:
        """The rows' ranks (NaN without a value), once per measure: only sentences without a driver need them."""
        return self._values.rank().to_numpy()

    def differs(self, segment) -> bool:
        """Whether the segment's median or mean differs from the whole's (:meth:`_differs`)."""
        return self._differs(segment, _MEDIAN) or self._differs(segment, _MEAN)

    def _reads(self, segment, stat: int) -> bool:
        """Whether the segment's median or mean reads differently from the whole's."""
        seg = (self.median, self.mean)[stat].get(segment, np.nan)
        return not pd.isna(seg) and self.text(seg) != self.text(self.whole[stat])

    def _differs(self, segment, stat: int) -> bool:
        """Whether the segment's median or mean reads differently from the whole's, by at least :data:`_NEGLIGIBLE`
        of its scale or of the whole's value ("typically 51 days vs 53 days" sets nothing apart; "typically €350 vs
        €864" does, although segments far apart widen the middle half, and so does a mean at index 68, although a
        few big spenders widen the standard deviation), and by :data:`_SMALL` of its scale or :data:`_NEGLIGIBLE` of
        the whole's value ("typical area 20% vs 19% overall" sets nothing apart, however little the areas vary)."""
        seg, whole = (self.median, self.mean)[stat].get(segment, np.nan), self.whole[stat]
        gap, scale = abs(seg - whole), self.scale[stat]
        return self._reads(segment, stat) and gap >= _NEGLIGIBLE * min(scale, abs(whole)) \
            and (self.dates or gap >= _SMALL * scale or gap >= _NEGLIGIBLE * abs(whole))

    def split(self, segment) -> bool:
        """The segment's median and mean differ from the whole's on different sides."""
        if not (self._differs(segment, _MEDIAN) and self._differs(segment, _MEAN)):
            return False
        return (self.median[segment] > self.whole[_MEDIAN]) != (self.mean[segment] > self.whole[_MEAN])

    def clause(self, segment) -> str | None:
        """"more orders (typically 5.0 vs 2.0 overall)" by the page's statistic; None when the segment's value
        barely differs from the whole's, or when the segment is split on the measure."""
        if self.split(segment) or not self._differs(segment, self.stat):
            return None
        seg, whole = (self.median, self.mean)[self.stat][segment], self.whole[self.stat]
        word, note = _noted(self.word(seg > whole))
        return f"{word} ({note}{self.words['how'][self.stat]} {self.text(seg)} vs {self.text(whole)} overall)"

    def fallback(self, segment) -> str | None:
        """Both statistics, for a sentence that has no :meth:`clause` to give: "more orders than typical (3.0 vs
        2.0) but fewer on average (3.1 vs 4.2 overall)" for a segment split on the measure, "lower net spend on
        average (€850 vs €5,020 overall), though close to typical (€850 vs €825)" for one at about the typical
        value but far from the average on a page of medians; else None."""
        med, mean = self.median.get(segment, np.nan), self.mean.get(segment, np.nan)
        (all_med, all_mean), text, words = self.whole, self.text, self.words
        on_average = words["on average"]
        if self.split(segment):
            (by_median, note), by_mean = _noted(self.word(med > all_med)), _noted(self.word(mean > all_mean))[0]
            if by_median.split(" ", 1)[1:] == by_mean.split(" ", 1)[1:]:
                by_mean = by_mean.split(" ", 1)[0]  # "more orders than typical (...) but fewer on average (...)"
            return (f"{by_median} {words['than']} ({note}{text(med)} vs {text(all_med)}) but {by_mean} {on_average} "
                    f"({text(mean)} vs {text(all_mean)} overall)")
        if self.stat == _MEDIAN and self._differs(segment, _MEAN) and not self._differs(segment, _MEDIAN):
            typical = (f"{words['same']} ({text(med)})" if not self._reads(segment, _MEDIAN) else
                       f"{words['close']} ({text(med)} vs {text(all_med)})")
            word, note = _noted(self.word(mean > all_mean))
            return f"{word} {on_average} ({note}{text(mean)} vs {text(all_mean)} overall), though {typical}"
        return None


def _noted(word: str) -> tuple[str, str]:
    """A measure's words without the note of its label, and the note as the opening of the numbers' bracket:
    ("higher annual income", "k$; ") for "higher annual income (k$)", so that one bracket holds both."""
    if word.endswith(")") and " (" in word:
        cut = word.rindex(" (")
        return word[:cut], f"{word[cut + 2:-1]}; "
    return word, ""


def _measure(s: pd.Series, segments: np.ndarray, label: str, unit: str | None, currency: str,
             per: str | None = None) -> _Measure:
    """A number or date column as :class:`_Measure`, with its words ("more orders", "later signup date") and how
    its values read ("£4,100", "3 Oct 2023")."""
    if pd.api.types.is_datetime64_any_dtype(s):
        name = phrase(label.split(" (")[0])  # the label's note ("(as days since)", how the model reads it) is dropped
        return _Measure(s, segments, lambda more: f"{'later' if more else 'earlier'} {name}",
                        lambda d: f"{d.day} {d:%b %Y}", per)
    return _Measure(s, segments, lambda more: _comparative(label, more, unit),
                    lambda v: format_value(v, unit, currency), per)


def _levels(text: pd.Series) -> pd.Series:
    """Levels as a sentence writes them: a 0/1 or true/false column reads yes and no ("is active member: more
    often yes", not "more often 1")."""
    words = yes_no(text.unique(), keep={_MISSING})
    return text if words is None else text.map(words)


def _days(s: pd.Series) -> pd.Series:
    """A date column as days since its earliest date (NaN where missing)."""
    return (s - s.min()).dt.total_seconds() / 86_400


def _twin(name: str) -> str:
    """A date column's days-since measure, or the date of a days-since measure (one fact, said once)."""
    return name.removeprefix("days_since_") if name.startswith("days_since_") else f"days_since_{name}"


class _Sentences:
    """The driver sentences of one labelling of ``table``: each column's statistics are computed once for all
    segments (:class:`_Measure`, :class:`_Levels`)."""

    def __init__(self, table: pd.DataFrame, labels, labels_text: Mapping[str, str] | None = None,
                 units: Mapping[str, str] | None = None, currency: str = "£", n_top: int = 3,
                 per: str | None = None, coded: Collection[str] = (), entity: str | None = None):
        self.table, self.segments, self.coded, self.entity = table, np.asarray(labels), set(coded), entity
        self.labels_text, self.units = dict(labels_text or {}), dict(units or {})
        self.currency, self.n_top, self.per = currency, n_top, per
        self._columns: dict[str, _Measure | _Levels] = {}

    def column(self, feature) -> _Measure | _Levels:
        name = str(feature)
        if name not in self._columns:
            s = self.table[feature]
            numeric = pd.api.types.is_datetime64_any_dtype(s) or pd.api.types.is_numeric_dtype(s) \
                or pd.api.types.is_bool_dtype(s)
            self._columns[name] = (_measure(s, self.segments, self.label(feature), self.units.get(feature),
                                            self.currency, self.per) if numeric
                                   else _Levels(s, name in self.coded, self.entity))
        return self._columns[name]

    def label(self, feature) -> str:
        return self.labels_text.get(feature, str(feature).replace("_", " "))

    def clauses(self, segment, features, split: list | None = None) -> list[str]:
        """What the segment differs in, of ``features`` in order: up to ``n_top`` clauses, leaving out measures the
        segment barely differs in, those fewer than :data:`~segkit.naming.masking.MIN_OBSERVED_SHARE` of its members
        have a value of (as names do), and those it is split on (listed in ``split``, when given, up to the last
        clause); only when no other remains, the measures' :meth:`_Measure.fallback` clauses."""
        in_seg = self.segments == segment
        out, later, said, said_later = [], [], set(), set()
        for f in features:
            name, c = str(f), self.column(f)
            if _twin(name) in said:
                continue  # a date and the days since it (a measure of its own in a customer table): one fact, said once
            if isinstance(c, _Levels):
                clause = c.clause(in_seg, self.label(f))
            elif not c.differs(segment):  # "younger age (typically 39 vs 40)" sets nothing apart
                continue
            elif not c.observed.get(segment, 0.0) >= MIN_OBSERVED_SHARE:  # what a few members show says little
                continue
            else:
                clause = c.clause(segment)
                if split is not None and c.split(segment) and _twin(name) not in said | {str(s) for s in split}:
                    split.append(f)  # a date and the days since it: one fact
                extra = None if clause or _twin(name) in said_later else c.fallback(segment)
                if extra:
                    later.append(extra)
                    said_later.add(name)
            if clause:
                out.append(clause)
                said.add(name)
            if len(out) == self.n_top:
                break
        if not out and split:
            split.clear()  # said with both statistics, as the sentence's own clauses
        return out or later[:self.n_top]

    def _split_tail(self, segment, split: list) -> str:
        """The drivers the sentence left out because the segment is split on them, said without numbers, so that a
        figure ranking them first is not contradicted: Online Retail's At Risk customers, who bought more than the
        typical customer but less than the average, on net spend and orders."""
        sides: dict[bool, list[str]] = {}
        for f in split:
            c = self.column(f)
            sides.setdefault(bool(c.median[segment] > c.whole[_MEDIAN]), []).append(phrase(self.label(f)))
        how = {True: "above the typical (median) value but below the average, which a few large values raise",
               False: "below the typical (median) value but above the average, which a few large values of its own "
                      "raise"}  # "above typical but below average" left a business reader to guess
        return "".join(f" {capitalised(joined(labels))} set{'s' if len(labels) == 1 else ''} it "
                       f"apart too, {how[above]}." for above, labels in sides.items())

    def by_difference(self, segment) -> list[str]:
        """Every column in which the segment lies at least :data:`_DIFFERS` from the whole (a number by
        :meth:`_Measure.distance`; a category by its top level's share, :func:`_level_gap`), the clearest first:
        by how cleanly the segment's values stand apart from the other rows' (``effect``, 0 to 1, in tenths), then,
        among those as clean (a segment of one or two areas stands apart on every extreme value), by the gap."""
        in_seg = self.segments == segment
        order = {}
        for f in self.table.columns:
            c = self.column(f)
            levels = isinstance(c, _Levels)
            gap = c.gap(in_seg) if levels else c.distance(segment)
            if gap >= _DIFFERS:
                order[f] = (-round(c.effect(in_seg) if levels else c.effect(segment), 1), -gap)
        return sorted(order, key=order.get)

    def sentence(self, segment, ranked: Sequence[str] | None, distinct: bool = False) -> str:
        """``distinct``: the model recognises the segment, so where no one measure is needed for that (measures
        that tell the same story: shuffling one leaves the others), several set it apart at once."""
        split: list = []
        clauses = self.clauses(segment, ranked or [], split)
        if clauses:
            return f"Set apart mostly by {joined(clauses)}.{self._split_tail(segment, split)}"
        differs = self.clauses(segment, self.by_difference(segment))
        if differs and distinct and ranked is not None:
            return f"Set apart by several measures at once; it differs most in {joined(differs)}."
        opening = ("Too few members for the model to test" if ranked is None else
                   "No single measure sets it apart on its own")
        if not differs:
            return f"{opening}; it is close to the average on every measure."
        return f"{opening}; it differs most in {joined(differs)}."


def driver_sentence(table: pd.DataFrame, labels, segment, ranked: Sequence[str] | None, *,
                    labels_text: Mapping[str, str] | None = None, units: Mapping[str, str] | None = None,
                    currency: str = "£", n_top: int = 3, per: str | None = None, distinct: bool = False,
                    coded: Collection[str] = (), entity: str | None = None) -> str:
    """One sentence on what sets a segment apart, with the segment's typical values.

    ``ranked`` lists the segment's drivers, strongest first (features whose shuffling blurs it); numeric
    drivers read "more orders (typically 5.0 vs 2.0 overall)": the segment median against the overall
    median, or the means for a measure whose medians read the same for some segment (one statistic per measure
    across all segments, so a page gives one overall value: :class:`_Measure`). A measure on which the segment's
    median and mean lie on different sides of the whole's is named only when nothing else is, with both.
    Categorical drivers name the segment's most common level and its share in the segment and overall. With no
    driver (``ranked`` empty), or for a segment left out of the model (``ranked`` None), the sentence names the
    columns the segment differs most in, and says so: "Set apart by several measures at once" when the model
    recognises the segment all the same (``distinct``), "No single measure sets it apart on its own" otherwise.
    ``labels`` is aligned to ``table`` by index when it is a Series of the table's rows, and read in order
    otherwise. ``per`` names what a row is ("area") where the page's other numbers are not per row: the statistics
    then read "typical area", "average area". The levels of a 0/1 or true/false column read yes and no, but for the
    columns in ``coded``, whose levels are codes (a sex coded 0/1: :attr:`~segkit.featureset.FeatureSet.coded`); a
    sex reads women and men for rows ``entity`` of grown people, else "female penguins"
    (:func:`~segkit.naming.people.sexed`).
    """
    words = _Sentences(table, _aligned(table, labels), labels_text=labels_text, units=units, currency=currency,
                       n_top=n_top, per=per, coded=coded, entity=entity)
    return words.sentence(segment, ranked, distinct)
