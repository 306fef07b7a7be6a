"""Tokens and lemmas shared by the lenses (search, theme coding, 'why' cues).

NLTK's ``RegexpTokenizer`` (no downloaded data) cuts words; ``simplemma`` (bundled
dictionaries) lemmatises English, so "bruising", "bruised" and "bruises" meet at "bruise".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from nltk.tokenize import RegexpTokenizer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from lip_research.preprocess import LETTER

if TYPE_CHECKING:
    import pandas as pd

WORD_PATTERN = rf"{LETTER}(?:{LETTER}|['\-])*{LETTER}|{LETTER}|\d+"
STOPWORDS = frozenset(ENGLISH_STOP_WORDS) | {"child", "s", "review"}
_TOKENIZER = RegexpTokenizer(WORD_PATTERN)
_PLAIN = re.compile(r"[a-z0-9]+")


def tokens(text: str) -> list[str]:
    """Words and numbers in order, punctuation dropped, case kept."""
    return _TOKENIZER.tokenize(text)


def spans(text: str) -> list[tuple[int, int]]:
    """Character spans of `tokens(text)`, for quoting the original wording."""
    return list(_TOKENIZER.span_tokenize(text))


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """Lower-cased English lemma of one token (``'Injuries'`` -> ``'injury'``)."""
    import simplemma

    low = word.lower().strip("'")
    return simplemma.lemmatize(low, lang="en").lower() if low.isalpha() else low


def lemmas(text: str) -> list[str]:
    return [lemma(t) for t in tokens(text)]


def content_lemmas(text: str) -> list[str]:
    """Lemmas without stop words or one-letter tokens (order kept, duplicates kept)."""
    return [m for m in lemmas(text) if len(m) > 1 and m not in STOPWORDS and not m.isdigit()]


def shingles(text: str, n: int = 4) -> set[tuple[str, ...]]:
    """Word n-grams of lower-cased letters and digits (for matching and near-duplicates)."""
    words = _PLAIN.findall(str(text).lower())
    if len(words) < n:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def near_duplicate(a: set, b: set, share: float = 0.5) -> bool:
    """True when the smaller shingle set shares at least `share` of itself with the other."""
    small = min(len(a), len(b))
    return bool(small) and len(a & b) / small >= share


# -- quoting and citing ---------------------------------------------------------------------
MAX_QUOTE_WORDS = 40


def excerpt(text: str, max_words: int = MAX_QUOTE_WORDS, around: str | None = None) -> str:
    """At most `max_words` words of `text` (privacy: short quotes only), marked with '…'.

    With `around`, the window is centred on the first case-insensitive occurrence.
    """
    words = str(text).split()
    if len(words) <= max_words:
        return " ".join(words)
    start = 0
    if around:
        low = [w.lower() for w in words]
        key = around.lower().split()[0] if around.split() else ""
        hits = [i for i, w in enumerate(low) if key and key in w]
        if hits:
            start = max(0, min(hits[0] - max_words // 3, len(words) - max_words))
    return _window(words, start, max_words)


def _window(words: list[str], start: int, max_words: int) -> str:
    body = " ".join(words[start : start + max_words])
    return ("… " if start else "") + body + (" …" if start + max_words < len(words) else "")


_SENTENCE_END = (".", "?", "!", '."', ".'", ".)")


def excerpt_with(text: str, terms: Sequence[str], max_words: int = MAX_QUOTE_WORDS) -> str:
    """:func:`excerpt` at the sentence whose window of `max_words` holds the most of `terms`
    (a topic's words): the part of a passage that puts it in its topic, which a passage of
    two joined paragraphs may not start with. Of windows that hold as many, the earliest
    whose first sentence has one of them wins (else the one whose first such word is
    soonest)."""
    words = str(text).split()
    if len(words) <= max_words or not terms:
        return excerpt(text, max_words)
    low = [re.sub(r"[^a-z0-9'-]", "", w.lower()) for w in words]
    found: list[tuple[int, int]] = []  # (term, word position) of every occurrence
    for t, term in enumerate(str(x).lower().split() for x in terms):
        for i in range(len(low) - len(term) + 1):
            if term and all(low[i + j].startswith(part) for j, part in enumerate(term)):
                found.append((t, i))
    starts = [0] + [i for i in range(1, len(words)) if words[i - 1].endswith(_SENTENCE_END)]

    ends = [*starts[1:], len(words)]  # where each start's sentence ends

    def score(k: int) -> tuple[int, bool, int, int]:
        start = starts[k]
        inside = [(t, i) for t, i in found if start <= i < start + max_words]
        first = min((i for _, i in inside), default=start + max_words)
        opens = first < ends[k]  # its first sentence holds a topic word
        return len({t for t, _ in inside}), opens, -(start if opens else first - start), -start

    return _window(words, starts[max(range(len(starts)), key=score)], max_words)


def citation(
    doc_id: object, section: object = None, page_start: object = None, page_end: object = None
) -> str:
    """``'doc_id, section, p. 3'`` (or ``pp. 3-4``); parts that are missing are left out."""
    parts = [str(doc_id)]
    if section is not None and str(section) not in ("", "nan", "None", "<NA>"):
        parts.append(str(section))
    page = _page(page_start, page_end)
    if page:
        parts.append(page)
    return ", ".join(parts)


def citations(frame: pd.DataFrame) -> list[str]:
    """:func:`citation` for every row of a table with ``doc_id`` and any of section / page columns."""

    def col(name: str) -> list[object]:
        return list(frame[name]) if name in frame else [None] * len(frame)

    return [
        citation(*row)
        for row in zip(
            frame["doc_id"], col("section"), col("page_start"), col("page_end"), strict=True
        )
    ]


def _page(start: object, end: object) -> str:
    def as_int(v: object) -> int | None:
        try:
            f = float(v)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
        return None if f != f else int(f)

    a, b = as_int(start), as_int(end)
    if a is None or a < 1:  # page 0: the source has no pages (see corpus_tables)
        return ""
    return f"p. {a}" if b is None or b == a else f"pp. {a}-{b}"
