"""Lines to paragraphs: rejoin text that PDF extraction broke into lines.

A PDF gives lines, not paragraphs. :func:`to_blocks` joins them back, breaking where a
line ends a sentence well short of the line width, before bullets and numbered
paragraphs, and around short standalone lines (headings); it repairs line-end
hyphenation using the document's own vocabulary and rejoins paragraphs cut by a page
break. Structured text (Word, HTML, Markdown) only breaks at blank lines and ``#``
headings. The line predicates here are shared with :mod:`lip_research.segment`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

PAGE_NUMBER = re.compile(
    r"^(?:page\s*)?[-(]?\s*\d{1,4}\s*[-)]?(?:\s*(?:of|/)\s*\d{1,4})?$|^[ivxlc]{1,6}$", re.I
)
NUMBERING = re.compile(
    r"^(?:(?:section|part|chapter|appendix|annex)\s+[\dA-Za-z]{1,4}\b\s*[:.\-]?\s*"
    r"|\d{1,2}(?:\.\d{1,2})*\.?\s+|[A-Za-z][.)]\s+|[ivx]{1,5}[.)]\s+)",
    re.I,
)
BULLET = re.compile(r"^(?:•|-|\*|\(?[a-z]\)|\(?[ivx]{1,4}\))\s+")
NUMBERED_PARA = re.compile(r"^\(?\d{1,3}(?:\.\d{1,2})*[.)]?\s+\S|^\d{1,3}\.(?=[A-Z][a-z])")
# "10.Direct work with children ...": some PDFs place a paragraph's number with no space
_GLUED_NUMBER = re.compile(r"^(\d{1,3}\.)(?=[A-Z][a-z])")
_LETTERS = re.compile(r"[A-Za-z]{2}")
INSPECTION_JUDGEMENT = (  # an inspection report's judgement headings, read as findings
    r"(?:inspection findings|(?:the )?experiences and progress of|(?:the )?impact of leaders"
    r"|leadership, management and governance|overall effectiveness"
    r"|the graded judgement (?:for|about|on) )"  # "... for adoption performance is that it is good"
)
# an inspection's judgement heading may wrap onto this many lines in its narrow column:
# "The experiences and progress of / children looked after and achieving / permanence /
# Requires improvement / to be good / Summary"; other known headings onto two
JUDGEMENT_HEADING_LINES = 6
# and run to 17 words: "The experiences and progress of children in care and care leavers requires
# improvement to be good"; other headings are under 16
JUDGEMENT_HEADING_WORDS = 24
_JUDGEMENT_START = re.compile(INSPECTION_JUDGEMENT)
_GRADE = r"(?:good|outstanding|inadequate|requires improvement(?: to be good)?)"
_JUDGEMENT_END = re.compile(rf"\b{_GRADE}(?: summary)?$")  # maybe with "Summary" under it
# a judgement written as a sentence says the grade plainly: "... is good.", "...: requires
# improvement to be good.", "... is that it is outstanding." (not "is not yet good")
_JUDGEMENT_SENTENCE_END = re.compile(rf"(?::|\b(?:is|are)(?: that it(?: is)?)?) {_GRADE}$")
_HYPHEN_END = re.compile(r"(\w+)-$")
_WORD_START = re.compile(r"[a-z]+")
_WORDS = re.compile(r"\w+(?:-\w+)*")


def ends_sentence(text: str) -> bool:
    """Does the text end like a finished sentence (., !, ?, : or ;, maybe in quotes), or with
    a short note in brackets after one ("... leaving care. (Recommendation)")?"""
    tail = text[-12:].rstrip().rstrip("\"')]")
    return tail[-1:] in (".", "!", "?", ":", ";") or _NOTE_AFTER_SENTENCE.search(text) is not None


_NOTE_AFTER_SENTENCE = re.compile(r"(?:^|[.!?]\s*)\([A-Za-z][^()]{0,30}\)$")


def is_heading_line(line: str, width: float = 1e9) -> bool:
    """Short, capitalised or numbered, no final full stop or comma, not a page number.

    ``width`` is the document's usual line length: an unnumbered, mixed-case heading must
    be clearly shorter than a full line, or it is the wrapped first line of a paragraph.
    """
    text = line.strip().lstrip("#").strip()
    if not text or len(text) > 100 or text[-1] in ".,;" or _NOTE_AFTER_SENTENCE.search(text):
        return False  # "Agency staff often do not have supervision. (Recommendation)" too
    if text.count(" ") > 11 or PAGE_NUMBER.match(text) or BULLET.match(text):
        return False
    if not _LETTERS.search(text):
        return False
    body = NUMBERING.sub("", text, count=1) or text
    if not (body[0].isupper() or body[0].isdigit()):
        return False
    if text.rsplit(" ", 1)[-1] in _RUNS_ON:  # lower case only: "Child A" is a name
        return False  # "... a significant strength in" runs on to the next line
    if body != text and body.split(" ", 1)[0] in _CLAUSE_OPENERS and text[-1] != "?":
        return False  # "30. When children ... become accommodated under s20" opens a sentence
    if text.upper() == text:
        return True
    return len(text) <= (0.85 if body != text else 0.75) * width


# a numbered line opening with one of these is a paragraph's first line, cut short by the
# layout: a numbered heading is no subordinate clause ("When did agencies know?" aside)
_CLAUSE_OPENERS = {
    "When", "If", "Although", "Though", "Where", "While", "Whilst", "Because", "Since",
    "Once", "Unless", "Until", "As",
}  # fmt: skip
_RUNS_ON = {  # a line ending in one of these runs on to the next: not a heading
    "a", "an", "the", "and", "or", "but", "of", "in", "on", "at", "to", "for", "from", "by",
    "with", "as", "that", "which", "who", "is", "are", "was", "were", "be", "has", "have",
    "had", "this", "these", "their", "its", "his", "her", "our", "not",
}  # fmt: skip


def opens_paragraph(line: str) -> bool:
    """Starts with a capital, a digit or a bullet: could begin a new paragraph."""
    first = line.lstrip("\"'(#").strip()[:1]
    return bool(first) and (first.isupper() or first.isdigit() or first == "•")


def to_blocks(
    pages: list[list[str]], structured: bool, known: Callable[[str], bool] | None = None
) -> list[dict]:
    """Join lines into paragraph blocks ``{text, page_start, page_end, single, lines}``.

    ``single`` marks a block made of one line (a heading candidate). ``known`` tells
    whether a line names a known section: such a line may be longer than other headings
    and may follow a list item that has no final full stop.
    """
    lengths = sorted(len(line) for lines in pages for line in lines if line)
    width = lengths[int(0.9 * (len(lengths) - 1))] if lengths else 80
    vocab = _LazyVocabulary(pages)
    blocks: list[dict] = []
    for page_no, lines in enumerate(pages, start=1):
        for group in _paragraph_lines(lines, structured, width, known):
            blocks.append(
                {
                    "text": _GLUED_NUMBER.sub(r"\1 ", _join(group, vocab)),
                    "page_start": page_no,
                    "page_end": page_no,
                    "single": len(group) == 1,
                    "lines": len(group),
                    "tail": len(group[-1]),  # its last line's length
                }
            )
    return _merge_across_pages(blocks, width)


@dataclass
class _Page:
    """One page's lines and what is known about each, for the line-break decisions."""

    raw: list[str]
    lines: list[str]
    ends: list[bool]
    heads: list[bool]
    named: list[bool]
    wraps: list[bool]
    width: float


def _paragraph_lines(
    raw: list[str], structured: bool, width: float, known: Callable[[str], bool] | None
) -> list[list[str]]:
    lines = [line.strip() for line in raw]
    short = [not structured and 0 < len(line) <= 100 and line.count(" ") < 16 for line in lines]
    heads = [s and is_heading_line(line, width) for s, line in zip(short, lines, strict=True)]
    named = [
        s and not head and known is not None and _named_heading(line, width, known)
        for s, line, head in zip(short, lines, heads, strict=True)
    ]
    ends = [ends_sentence(line) for line in lines]
    wraps = [
        known is not None
        and s
        and i + 1 < len(lines)
        and _wrapped_heading(line, lines[i + 1], width, known)
        for i, (s, line) in enumerate(zip(short, lines, strict=True))
    ]
    page = _Page(raw, lines, ends, heads, named, wraps, width)
    groups: list[list[str]] = [[]]
    for i, line in enumerate(lines):
        current = groups[-1]
        if not line:
            if current:
                groups.append([])
            continue
        if not current:
            breaks = False
        elif structured:
            breaks = line[0] == "#" or current[0][0] == "#" or bool(BULLET.match(line))
        else:
            breaks = _starts_new(i, page, current)
        if breaks:
            groups.append([])
        groups[-1].append(line)
    return [g for g in groups if g]


def _named_heading(line: str, width: float, known: Callable[[str], bool]) -> bool:
    return (
        bool(line)
        and line.count(" ") < 16
        and line[-1] not in ".,;"
        and line.rsplit(" ", 1)[-1] not in _RUNS_ON  # "Recommendations are tracked on the"
        and len(line) < 0.9 * width
        and opens_paragraph(line)
        and known(line)
    )


def _wrapped_heading(line: str, nxt: str, width: float, known: Callable[[str], bool]) -> bool:
    """A known section's heading as wide as the text, ended by a short next line: "The
    experiences and progress of children in care and care leavers requires" / "improvement
    to be good". Prose that opens with the same words goes on, or ends a sentence."""
    return (
        line[-1] not in ".,;:"
        and opens_paragraph(line)
        and 0 < len(nxt) < 0.5 * width
        and not ends_sentence(nxt)
        and not NUMBERED_PARA.match(nxt)
        and known(line)
        and known(f"{line} {nxt}")
    )


def judgement_with_grade(text: str) -> bool:
    """Does the text read as a whole inspection judgement heading, grade and all? ("The
    experiences and progress of children who need help and protection Requires improvement")"""
    text = text.lower().rstrip(" :")
    return (
        text.count(" ") < JUDGEMENT_HEADING_WORDS
        and _JUDGEMENT_START.match(text) is not None
        and _JUDGEMENT_END.search(text) is not None
    )


def judgement_sentence(text: str) -> bool:
    """A judgement written as a sentence of its own: "The impact of leaders on social work
    practice with children and families is good.", "The graded judgement for adoption
    performance is that it is good." (read as a heading only among an inspection's findings)"""
    text = text.lower().strip()
    if not text.endswith(".") or text.count(" ") >= JUDGEMENT_HEADING_WORDS:
        return False
    text = text[:-1].rstrip()
    return (
        _JUDGEMENT_START.match(text) is not None
        and _JUDGEMENT_SENTENCE_END.search(text) is not None
    )


def _judgement_heading(lines: list[str]) -> bool:
    """Do the lines read as a whole inspection judgement heading, grade and all? ("The
    experiences and progress of" / "children who need help and protection Requires
    improvement")"""
    text = " ".join(lines)
    return (
        len(lines) <= JUDGEMENT_HEADING_LINES
        and not text.endswith(".")  # a sentence ends its paragraph only where the lines say
        and judgement_with_grade(text)
    )


def _starts_new(i: int, page: _Page, current: list[str]) -> bool:
    """Does line ``i`` start a new paragraph? (``current`` holds the lines before it)"""
    lines, ends, heads, width = page.lines, page.ends, page.heads, page.width
    prev, line = lines[i - 1], lines[i]
    nxt = lines[i + 1] if i + 1 < len(lines) else ""
    if BULLET.match(line) or (
        NUMBERED_PARA.match(line) and (ends[i - 1] or len(prev) < 0.6 * width)
    ):
        return True
    alone = len(current) == 1 or i < 2 or not lines[i - 2] or ends[i - 2] or heads[i - 2]
    if alone and (heads[i - 1] or page.named[i - 1]) and opens_paragraph(line):
        return True  # prev is a heading on its own line
    if heads[i] and ends[i - 1] and (not nxt or opens_paragraph(nxt)):
        return True  # line is a heading after a finished paragraph
    after_paragraph_or_item = ends[i - 1] or BULLET.match(current[0])
    if (
        page.named[i]
        and after_paragraph_or_item
        and (not nxt or opens_paragraph(nxt) or len(nxt) < 0.5 * width)
    ):
        return True  # a known section's heading, after a paragraph or a list item
    if page.wraps[i] and after_paragraph_or_item:
        return True  # a known heading wrapped onto the next line, after a paragraph or an item
    if opens_paragraph(line) and not heads[i] and _judgement_heading(current):
        return True  # an inspection judgement's heading ends at its grade
    if not ends[i - 1]:
        return False
    soft_wrap = page.raw[i - 1].endswith(" ")  # Word-made PDFs keep the space where a line wrapped
    return len(prev) < 0.8 * width or (not soft_wrap and len(prev) < 0.95 * width)


class _LazyVocabulary:
    """The document's words, collected only if a hyphenation question comes up."""

    def __init__(self, pages: list[list[str]]) -> None:
        self.pages, self.words = pages, None

    def __contains__(self, word: str) -> bool:
        if self.words is None:
            text = "\n".join("\n".join(lines) for lines in self.pages).lower()
            self.words = set(_WORDS.findall(text))
        return word in self.words


def _join(lines: list[str], vocab: _LazyVocabulary) -> str:
    """Join lines with spaces; 'safe-\\nguarding' becomes 'safeguarding' when the document
    uses that word elsewhere and never the hyphenated form, else the hyphen stays."""
    out = lines[0]
    for line in lines[1:]:
        end = (
            _HYPHEN_END.search(out[-40:]) if out.endswith("-") and not out.endswith("--") else None
        )
        start = _WORD_START.match(line) if end else None
        if end and end.group(1)[-1].isdigit() and line[:1].isdigit():
            out = out + line  # a range cut at its dash: "2014-" then "15" is 2014-15
        elif end and start:
            joined = (end.group(1) + start.group(0)).lower()
            hyphenated = f"{end.group(1)}-{start.group(0)}".lower()
            keep = hyphenated in vocab or joined not in vocab
            out = out + line if keep else out[:-1] + line
        else:
            out = f"{out} {line}"
    return out


def _merge_across_pages(blocks: list[dict], width: float) -> list[dict]:
    """A paragraph cut by a page break continues on the next page; ``page_breaks`` records
    where in its text each later page begins ((offset, page) pairs), so a passage cut from it
    cites its own pages. A numbered paragraph after a short last line starts afresh, as
    within a page."""
    out: list[dict] = []
    for block in blocks:
        prev = out[-1] if out else None
        text = block["text"]
        if (
            prev is not None
            and block["page_start"] == prev["page_end"] + 1
            and not ends_sentence(prev["text"])
            and prev["text"][0] != "#"
            and not (prev["single"] and is_heading_line(prev["text"], width))
            and text[0] != "#"
            and not BULLET.match(text)
            and not (NUMBERED_PARA.match(text) and prev["tail"] < 0.6 * width)
            and not (block["single"] and is_heading_line(text, width))
        ):
            prev.setdefault("page_breaks", []).append((len(prev["text"]) + 1, block["page_start"]))
            prev["text"] = f"{prev['text']} {text}"
            prev["page_end"] = block["page_end"]
            prev["single"] = False
            prev["lines"] += block["lines"]
            prev["tail"] = block["tail"]
            continue
        out.append(block)
    return out
