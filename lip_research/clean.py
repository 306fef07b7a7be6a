"""Cleaning: from raw page text to paragraphs, with everything removed kept for audit.

Steps, in order (see :func:`clean_pages`): normalise Unicode; drop page numbers and running
headers/footers (lines repeating across a document's pages); drop contents pages; join
broken lines into paragraphs, repairing line-end hyphenation; drop licence and contact
blocks. :func:`shared_boilerplate` then finds text repeated across many documents of a
batch. Every removal is a row ``(page, kind, text)`` so a researcher can audit it.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from lip_research.paragraphs import (
    NUMBERING,
    PAGE_NUMBER,
    ends_sentence,
    is_heading_line,
    to_blocks,
)
from lip_research.segment import SENTENCE_END, heading_section

# -- Unicode ----------------------------------------------------------------------------------
_CHAR_MAP = {
    **{chr(c): "" for c in range(32) if chr(c) not in "\t\n\f"},
    **dict.fromkeys("‘’‚‛′`", "'"),
    **dict.fromkeys("“”„‟″", '"'),
    **dict.fromkeys("‐‑‒–—―−\x02", "-"),
    **dict.fromkeys("◼▪●◦‣∙■□➢➤✓✔○◆◇►▶", "•"),
    **dict.fromkeys("\xad\u200b\ufeff\ufffe", ""),  # joiners (\u200c, \u200d) spell words
    "\t": " ",
}
_ODD_SET = frozenset(_CHAR_MAP)
_PUA_BULLET = re.compile(r"^[ \t]*[\ue000-\uf8ff]+[ \t]*", re.M)
_SPACES = re.compile(r" {2,}")
_PUA = re.compile(r"[\ue000-\uf8ff]")
# A year alone on a line (a title page's "2024", a wrapped "(Rushcombe, 2012)") is no page
# number; a year on every page is still a running footer.
_YEAR_ALONE = re.compile(r"^\(?(?:19|20)\d\d\)?$")


def normalise(text: str) -> str:
    """NFKC (ligatures, odd spaces), straight quotes, plain dashes and bullets, no controls."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():
        text = _PUA.sub("", _PUA_BULLET.sub("• ", text))  # symbol-font bullets
        text = unicodedata.normalize("NFKC", text)
    for char in _ODD_SET.intersection(text):
        text = text.replace(char, _CHAR_MAP[char])
    return _SPACES.sub(" ", text) if "  " in text else text


_DIGITS = re.compile(r"\d+")


def line_key(line: str) -> str:
    """A line's identity for repetition counts: lower case, digits as '#', spaces squeezed."""
    key = _DIGITS.sub("#", line.lower())
    return (" ".join(key.split()) if "  " in key else key).strip(" .,-|")


# -- page furniture ---------------------------------------------------------------------------
@dataclass
class Cleaned:
    """One document after cleaning: its paragraphs and what was removed."""

    blocks: list[dict]
    removed: list[tuple[int, str, str]] = field(default_factory=list)  # (page, kind, text)


def strip_furniture(pages: list[list[str]], zone: int = 3) -> list[tuple[int, str, str]]:
    """Blank out page numbers and running headers/footers in place; return what went.

    A running line repeats (digits ignored) at the top or bottom of at least a quarter of
    the pages, or anywhere on at least half of them; never fewer than three pages. A line
    some page holds twice is a table's cell, not a running line.
    """
    n = len(pages)
    removed: list[tuple[int, str, str]] = []
    zone_count: Counter[str] = Counter()  # digits ignored: "Page 3 of 9" repeats
    any_count: Counter[str] = Counter()  # exact lines, anywhere on the page
    twice: set[str] = set()  # lines some page holds twice: a table's cells, not a header
    layout = []
    for lines in pages:
        filled = {i: line.strip() for i, line in enumerate(lines) if line and not line.isspace()}
        order = list(filled)
        edge = {i: line_key(filled[i]) for i in order[:zone] + order[-zone:]}
        zone_count.update(set(edge.values()))
        on_page = Counter(filled.values())
        any_count.update(on_page.keys())
        twice.update(line for line, n in on_page.items() if n > 1)
        layout.append((filled, edge))
    zone_min, any_min = max(3, math.ceil(0.25 * n)), max(3, math.ceil(0.5 * n))
    for page_no, (lines, (filled, edge)) in enumerate(zip(pages, layout, strict=True), start=1):
        for i, line in filled.items():
            year = _YEAR_ALONE.match(line)
            if i in edge and PAGE_NUMBER.match(line) and not year:
                kind = "page number"
            elif (
                len(line) >= 4
                and line not in twice
                and (
                    any_count[line] >= any_min
                    or (i in edge and zone_count[edge[i]] >= zone_min and not year)
                )
            ):
                kind = "running header/footer"
            else:
                continue
            removed.append((page_no, kind, line))
            lines[i] = ""
    return removed


def strip_contents(pages: list[list[str]]) -> list[tuple[int, str, str]]:
    """Blank out a table of contents: after a 'Contents' line, or a page mostly of entries."""
    removed: list[tuple[int, str, str]] = []
    for page_no, lines in enumerate(pages, start=1):
        filled = [i for i, line in enumerate(lines) if line.strip()]
        entries = [i for i in filled if _toc_entry(lines[i])]
        start = next(
            (i for i in filled if len(lines[i]) < 30 and line_key(lines[i]) in CONTENTS_TITLES),
            None,
        )
        if start is None and len(entries) >= 3 and len(entries) >= 0.5 * len(filled):
            numbers = [int(_toc_entry(lines[i]).group("page")) for i in entries]
            rising = sum(a <= b for a, b in zip(numbers, numbers[1:], strict=False))
            if rising >= 0.8 * (len(numbers) - 1):
                before = [i for i in filled if i < entries[0]]
                title = before[-1] if before and len(lines[before[-1]].split()) <= 3 else None
                start = title if title is not None else entries[0]
        if start is None:
            continue
        seen: set[str] = set()
        rest = [i for i in filled if i >= start]
        for n, i in enumerate(rest):
            line = lines[i].strip()
            entry = _toc_entry(line)
            title = line_key(
                NUMBERING.sub("", (entry.group("title") if entry else line).lstrip("# "))
            )
            wrapped = n + 1 < len(rest) and _toc_entry(lines[rest[n + 1]]) and line.count(" ") < 12
            if (
                i > start
                and not entry
                and (title in seen or not (wrapped or is_heading_line(line)))
            ):
                break  # body text, or a real heading that repeats an entry
            seen.add(title)
            removed.append((page_no, "contents page", line))
            lines[i] = ""
    return removed


TOC_ENTRY = re.compile(r"^(?P<title>\S.{2,}?)(?:\s*\.{2,}\s*|\s+)(?P<page>\d{1,3})$")
CONTENTS_TITLES = {"contents", "table of contents", "contents page", "# contents", "## contents"}


def _toc_entry(line: str) -> re.Match[str] | None:
    line = line.strip()
    if not line[-1:].isdigit():
        return None
    entry = TOC_ENTRY.match(line)
    if (
        entry
        and re.search(r"[A-Za-z]{3}", entry.group("title"))
        and not ends_sentence(entry.group("title"))
    ):
        return entry
    return None


# -- boilerplate --------------------------------------------------------------------------
LICENCE = re.compile(
    r"open government licen[cs]e|crown copyright|creative commons|all rights reserved"
    r"|reuse this (information|publication)|free of charge in any format",
    re.I,
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PHONE = re.compile(r"(?<![\d.])(?:\+44\s?|0)\d{2,4}[ -]?\d{3,4}[ -]?\d{3,4}(?![\d.])")
CONTACT_START = re.compile(r"^(tel|telephone|phone|email|e-mail|fax|textphone|[TEWF])\s*:", re.I)
# Where the publication can be found, or a newsletter to subscribe to (a back page's lines)
PUBLISHER = re.compile(
    r"^(?:this|the) (?:publication|report|document)\b[^.]{0,40}\b(?:available|downloaded)\b"
    r"|^interested in our work\b|^(?:\w+ ){0,4}subscribe to (?:our|the)\b[^.]{0,40}\bnewsletter",
    re.I,
)
URL = re.compile(r"(?:https?://|www\.)\S", re.I)


def boilerplate_kind(text: str) -> str | None:
    """'licence', 'contact details' or 'publisher notice' for a short block of publisher
    text, else None."""
    words = text.count(" ") + 1
    if words > 120:
        return None
    lower = text.lower()
    if any(sign in lower for sign in _LICENCE_SIGNS) and LICENCE.search(text):
        return "licence"
    if words <= 40 and PUBLISHER.search(text) and URL.search(text):
        return "publisher notice"
    if words <= 60 and (
        ("@" in text and EMAIL.search(text))
        or (_THREE_DIGITS.search(text) and PHONE.search(text))
        or CONTACT_START.match(text)
    ):
        return "contact details"
    return None


_LICENCE_SIGNS = (
    "licen",
    "copyright",
    "creative commons",
    "rights reserved",
    "reuse this",
    "free of charge",
)
_THREE_DIGITS = re.compile(r"\d{3}")


def clean_pages(raw_pages: list[str], structured: bool) -> Cleaned:
    """Normalise, strip furniture and contents, build paragraphs, drop licence/contact text."""
    pages = [normalise(page).split("\n") for page in raw_pages]
    removed = [] if structured else strip_furniture(pages)
    removed += strip_contents(pages)
    running = {
        text
        for _, kind, text in removed
        if kind == "running header/footer" and text.count(" ") >= 2
    }
    blocks = []
    for block in to_blocks(pages, structured, known=_names_a_section):
        kind = boilerplate_kind(block["text"])
        if kind:
            removed.append((block["page_start"], kind, block["text"]))
            continue
        if block["text"][-1:].isupper() and POSTCODE.search(block["text"][-12:]):
            _drop_address(block, blocks, removed)
            continue
        if block["page_start"] == 1 and running:
            text = _drop_running_text(block["text"], running, removed)
            if text != block["text"]:
                block.pop("page_breaks", None)  # offsets moved: cite the block's pages
            block["text"] = text
        if block["text"]:
            blocks.append(block)
    return Cleaned(blocks=blocks, removed=removed)


POSTCODE = re.compile(
    r"(?:^|\s)[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$"
)  # on a block's last 12 characters


def _drop_address(block: dict, kept: list[dict], removed: list[tuple[int, str, str]]) -> None:
    """A postal address: the postcode line and the short lines just before it."""
    lines = [block["text"]]
    while (
        kept
        and len(lines) < 6
        and kept[-1]["page_end"] == block["page_start"]
        and kept[-1]["text"].count(" ") < 5
        and not ends_sentence(kept[-1]["text"])
    ):
        lines.insert(0, kept.pop()["text"])
    removed.append((block["page_start"], "contact details", "\n".join(lines)))


def _names_a_section(line: str) -> bool:
    return heading_section(line) is not None


def _drop_running_text(text: str, running: set[str], removed: list[tuple[int, str, str]]) -> str:
    """The title page often repeats the running header inside other lines; cut it there too,
    as written, where a line of its own would stand: at the start or after a sentence. Not
    inside a sentence ("This is the first inspection of Westmoor children's services.", "...
    commissioned by Westmoor Safeguarding Children Partnership in March") nor as a field's
    value ("Inspection dates: 22 to 26 July 2024", when the footer is the dates)."""
    for line in sorted(running, key=len, reverse=True):
        start = 0
        while (at := text.find(line, start)) >= 0:
            before = text[:at].rstrip()
            if before and before[-1] not in ".!?":
                start = at + len(line)
                continue
            removed.append((1, "running header/footer", text[at : at + len(line)]))
            text = " ".join((text[:at] + " " + text[at + len(line) :]).split())
            start = 0
    return text


# -- boilerplate shared across documents --------------------------------------------------
_NOT_LETTERS = str.maketrans(
    {c: " " for c in map(chr, range(128)) if not c.isalpha()} | {"•": " ", "©": " "}
)
NAME_MASK_KEEPS = 2 / 3  # a name-free key needs this share of the sentence's words left
SHARED_SIGNS = re.compile(  # publisher text: licences, web and e-mail addresses
    r"licen[cs]e\b|copyright|©|www\.|https?://|[\w.+-]+@[\w-]+\.\w", re.I
)


_NOT_ALNUM = {k: v for k, v in _NOT_LETTERS.items() if not chr(k).isdigit()}  # digits kept


@lru_cache(maxsize=1 << 16)  # topic fitting asks three times per passage
def keyed_sentences(text: str, numbers: bool = False) -> tuple[tuple[str, int | None, int], ...]:
    """(sentence, hash, words) for every sentence; the hash is None below four words.

    Only letters count and case is ignored, so numbers and dates do not hide a repeat; with
    ``numbers``, numbers count too, so that a report's own figures ("in primary schools is
    15.1% (the national average is 15.6%)") are not another's template.
    """
    out = []
    for sentence in SENTENCE_END.split(text):
        low = sentence.lower()
        words = low.translate(_NOT_LETTERS).split()
        tokens = low.translate(_NOT_ALNUM).split() if numbers else words
        out.append((sentence, _key(tokens) if len(words) >= 4 else None, len(words)))
    return tuple(out)


def name_masked_key(sentence: str) -> int | None:
    """The sentence's key (:func:`keyed_sentences`) without its capital letters standing alone
    and its capitalised words after the first ('Child E', 'Elmsford', 'March'; acronyms such
    as 'CAMHS' stay), so that "To protect the privacy of Child E, ..." and "... of Child K,
    ..." share one. None when fewer than four words, or under ``NAME_MASK_KEEPS`` of the
    sentence's words, are left: "The Police made a referral to Children's Social Care" is no
    template of "The School made a referral to Early Help"."""
    tokens = sentence.translate(_NOT_LETTERS).split()
    kept = [
        t.lower()
        for i, t in enumerate(tokens)
        if not (len(t) == 1 and t.isupper()) and (i == 0 or not t.istitle())
    ]
    return _key(kept) if len(kept) >= NAME_MASK_KEEPS * len(tokens) else None


def _key(tokens: list[str]) -> int | None:
    if len(tokens) < 4:
        return None
    digest = hashlib.blake2b(" ".join(tokens).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def sentence_keys(text: str, numbers: bool = False) -> list[tuple[int, int]]:
    """(hash, words) per sentence of at least four words (see :func:`keyed_sentences`)."""
    return [(key, n) for _, key, n in keyed_sentences(text, numbers) if key is not None]


def repeat_threshold(n_docs: int, share: float, min_docs: int) -> int:
    """In how many of ``n_docs`` documents a sentence must recur: ``share`` of them, and
    ``min_docs`` at least."""
    return max(min_docs, math.ceil(share * n_docs))


def shared_boilerplate(
    doc_keys: list[set[int]], share: float = 0.4, min_docs: int = 3
) -> tuple[set[int], set[int]]:
    """Sentences repeated across documents: (in a large share of them, in a few of them).

    The first set is boilerplate on its own; the second only counts inside a block that
    looks like publisher text (licence, contact, web address), so that a paragraph that
    a handful of reports share by chance survives.
    """
    counts: Counter[int] = Counter()
    for keys in doc_keys:
        counts.update(keys)
    n = len(doc_keys)
    strong = repeat_threshold(n, share, min_docs)
    weak = max(min_docs, math.ceil(0.02 * n))
    return (
        {k for k, c in counts.items() if c >= strong},
        {k for k, c in counts.items() if weak <= c < strong},
    )


def is_shared(block: dict, strong: set[int], weak: set[int]) -> bool:
    """At least half of the block's words sit in sentences repeated across documents."""
    keys = block.get("keys") or ()
    if not keys:
        return False
    total = sum(w for _, w in keys)
    shared = sum(w for k, w in keys if k in strong)
    if (
        shared < 0.5 * total
        and any(k in weak for k, _ in keys)
        and SHARED_SIGNS.search(block["text"])
    ):
        shared += sum(w for k, w in keys if k in weak)
    return shared >= 0.5 * total


def copies(
    doc_keys: list[set[int]],
    files: list[object],
    share: float = 0.9,
    min_sentences: int = 20,
    preferred: Sequence[bool] | None = None,
) -> dict[int, tuple[int, float]]:
    """Documents whose text is (almost) all in another file's document: a truncated download
    of a report, or the same report saved twice. ``{copy: (kept, share)}``, ``share`` being the
    part of the copy's sentences (``doc_keys``, see :func:`sentence_keys`) found in the one
    kept. The one with more sentences is kept; of two equal, a ``preferred`` one (the one a
    manifest lists, which carries the metadata), else the first. Documents of one file
    (the rows of a table) are not compared with each other, nor is one a copy (the table
    stays whole), and one of fewer than ``min_sentences`` sentences is never a copy: short
    texts share sentences by chance."""
    per_file = Counter(files)
    holders: dict[int, list[int]] = {}
    for i, keys in enumerate(doc_keys):
        for key in keys:
            holders.setdefault(key, []).append(i)
    order = sorted(  # kept ones first
        range(len(doc_keys)),
        key=lambda i: (-len(doc_keys[i]), not (preferred and preferred[i]), i),
    )
    rank = {i: r for r, i in enumerate(order)}
    found: dict[int, tuple[int, float]] = {}
    for i in order:
        keys = doc_keys[i]
        if len(keys) < min_sentences or per_file[files[i]] > 1:
            continue
        hits = Counter(j for key in keys for j in holders[key] if files[j] != files[i])
        for j, n in hits.most_common():
            bigger = rank[j] < rank[i]
            if n < share * len(keys):
                break
            if bigger and j not in found:
                found[i] = (j, n / len(keys))
                break
    return found
