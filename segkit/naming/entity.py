"""A run's pages and names in the words of what its rows are.

The notebooks' narrative and the transactions kind's texts (the RFM names, the churn and value pages, the cleaning
log) speak of *customers*, the kind's own rows. A run whose ``entity`` says otherwise ("member", "cardholder",
"subscriber") reads in its words: :func:`speak_of` rewrites a text, :func:`speak_of_html` the text of a page (never
its markup, data cells or code). "Loyal Customers" becomes "Loyal Members", "a customer who stays" "a member who
stays", "an account who ..." keeps its article right.

>>> speak_of("Loyal Customers: a customer's last purchase, per customer", "member", title=True)
"Loyal Members: a member's last purchase, per member"
>>> speak_of("Customers who stay, an estimate for a customer", "account holders")
'Account holders who stay, an estimate for an account holder'
"""

from __future__ import annotations

import html
import re

from ..format import capitalised
from .words import plural, singular

__all__ = ["speak_of", "speak_of_html", "speaks_otherwise"]

_WORD = re.compile(r"\b(?:(?P<article>[Aa]n?) )?(?P<word>[Cc]ustomers?)\b")
_AN = re.compile(r"(?i)^(?:[aeio]|u(?!n[iy]|s|ti|r[aeiou]))")  # "an account", "an owner"; "a user", "a union member"
#: Elements whose text is data or code, not narrative: table cells, code, scripts and styles.
_KEEP = ("td", "pre", "code", "script", "style", "textarea")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>|<!--.*?-->", re.DOTALL)
_SAID_ATTR = re.compile(r'(\s(?:alt|title|aria-label)=")([^"]*)(")')
#: A name quoted in a sentence ("column 'customer' has gaps"): the data's words, kept as written. An apostrophe inside
#: or after a word ("the customer's", "customers' value") opens no quote.
_QUOTED = re.compile(r"""(?<!\w)(['"])[^'"\n]*\1(?!\w)""")


def speaks_otherwise(entity: str | None) -> bool:
    """Whether a run's ``entity`` differs from the customers the texts speak of (and does not contain the word: a
    "customer account" would otherwise become a "customer account account" on a second pass)."""
    return bool(entity and entity.strip()) and not re.search(r"(?i)\bcustomers?\b", entity)


def speak_of(text: str, entity: str | None, *, title: bool = False) -> str:
    """``text`` with each "customer", "customers" (and a capital "Customer(s)") said as ``entity``, its article
    ("a", "an") agreeing; ``title`` capitalises every word of a capital one ("Loyal Pizza Types", for names). A name
    in quotes is the data's, kept as written ("column 'customer'"). Unchanged when :func:`speaks_otherwise` is
    false."""
    if not speaks_otherwise(entity) or not text:
        return text
    one, many = singular(entity.strip()), plural(entity.strip())

    def said(m: re.Match) -> str:
        word = m.group("word")
        new = many if word.lower().endswith("s") else one
        if word[0].isupper():
            new = " ".join(capitalised(w) for w in new.split(" ")) if title else capitalised(new)
        article = m.group("article")
        if not article:
            return new
        an = "an" if _AN.match(new) else "a"
        return f"{an.capitalize() if article[0].isupper() else an} {new}"

    out, at = [], 0
    for quoted in _QUOTED.finditer(text):
        out += [_WORD.sub(said, text[at:quoted.start()]), quoted.group(0)]
        at = quoted.end()
    return "".join(out) + _WORD.sub(said, text[at:])


def speak_of_html(page: str, entity: str | None) -> str:
    """A page's narrative said as ``entity`` (:func:`speak_of`): the text between tags and the alt texts and titles,
    never the markup itself, a table's data cells, code or scripts."""
    if not speaks_otherwise(entity) or not page:
        return page
    out, depth, at = [], 0, 0
    for m in _TAG.finditer(page):
        out.append(_text(page[at:m.start()], entity, depth))
        tag, closing = (m.group(2) or "").lower(), m.group(1) == "/"
        markup = m.group(0)
        if tag in _KEEP:
            depth = max(0, depth - 1) if closing else depth + (not markup.endswith("/>"))
        elif not depth and not closing:
            markup = _SAID_ATTR.sub(lambda a: a.group(1) + _attr(a.group(2), entity) + a.group(3), markup)
        out.append(markup)
        at = m.end()
    out.append(_text(page[at:], entity, depth))
    return "".join(out)


def _text(text: str, entity: str, depth: int) -> str:
    return text if depth or not text.strip() else speak_of(text, entity)


def _attr(value: str, entity: str) -> str:
    text = html.unescape(value)
    said = speak_of(text, entity)
    return value if said == text else html.escape(said, quote=True)
