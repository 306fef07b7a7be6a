"""Sections and passages: which part of a review each paragraph belongs to, and chunks of it.

:func:`label_sections` walks a document's paragraph blocks, recognises headings (short
standalone lines, Markdown/Word headings, numbered and upper-case headings) and maps the
usual review-report headings onto canonical section ids; a heading it does not know is a
sub-heading that keeps the current section. :func:`chunk_passages` cuts each section into
paragraph-aware passages of about ``min_words``–``max_words`` words that never cross a
section boundary and carry their page range and character offsets.
"""

from __future__ import annotations

import re

from lip_research.paragraphs import (
    INSPECTION_JUDGEMENT,
    JUDGEMENT_HEADING_LINES,
    JUDGEMENT_HEADING_WORDS,
    NUMBERING,
    is_heading_line,
    judgement_sentence,
)

SECTIONS = (
    "executive_summary",
    "introduction",
    "terms_of_reference",
    "methodology",
    "family_involvement",
    "background",
    "chronology",
    "analysis",
    "findings",
    "good_practice",
    "recommendations",
    "board_response",
    "appendix",
    "contents",
    "front_matter",
    "other",
)

_THE = r"(?:the |a |our |key |main )*"
# First match wins, so the more specific phrasings come first ("summary of events" is a
# chronology, "summary" alone an executive summary). Patterns see a lower-case heading
# without its numbering ("2.3", "Section 4:") and without trailing punctuation.
SECTION_PATTERNS: list[tuple[str, str]] = [
    ("contents", r"(?:table of )?contents$"),
    (
        "appendix",
        r"(?:appendi(?:x|ces)|annex|glossary|references$|bibliography|abbreviations|acronyms"
        r"|(?:foot|end)notes$)",
    ),
    (
        "chronology",
        _THE + r"(?:(?:key )?practice episodes$|key episodes$|chronolog|narrative"
        r"|(?:brief )?summary of (?:key |the )?(?:events|agency involvement|involvement)"
        r"|(?:sequence|timeline) of events|timeline|case (?:history|summary)|what happened"
        r"|events (?:leading|prior|before))",
    ),
    (
        "executive_summary",
        _THE
        + r"(?:executive summary|summary(?: of (?:the )?(?:review|report|case|learning|findings))?$"
        r"|summary for\b|overview$)",
    ),
    (
        "terms_of_reference",
        _THE + r"(?:scope|terms of reference|key lines of enquiry|lines of enquiry"
        r"|review questions|research questions|questions for the review)",
    ),
    (
        "methodology",
        _THE + r"(?:method|review (?:process|methodology|method|model|team|panel|approach)"
        r"|process of the review|approach$|approach (?:to|of) (?:the|this) review"
        r"|how (?:the|this) review|learning together)",
    ),
    (
        "family_involvement",
        _THE
        + r"(?:family(?:'s)? (?:involvement|contribution|engagement|participation|views|perspective|voice)"
        r"|involvement (?:of|with) (?:the )?family|contribution (?:of|from) (?:the )?family"
        r"|(?:views|voice|perspective)s? of (?:the )?(?:family|parents)|parents'? (?:views|contribution)"
        r"|engagement (?:with|of) (?:the )?family)",
    ),
    (
        "introduction",
        _THE + r"(?:introduction|reasons? for (?:the |this )?review|preface|foreword"
        r"|circumstances (?:that led|leading) to|purpose of (?:the|this) (?:review|report))",
    ),
    (
        "background",
        _THE + r"(?:background|family (?:background|history|composition|context|structure)"
        r"|family$|pen (?:picture|portrait)|child(?:'s)? (?:history|background)|context$|about (?:the )?(?:child|family))",
    ),
    (
        "analysis",
        _THE + r"(?:analysis|appraisal|themes?\b|discussion|evaluation|contributory factors)",
    ),
    (
        "good_practice",
        _THE + r"(?:(?:examples|areas) of (?:good|effective|positive) practice|good practice"
        r"|effective practice|positive practice|notable practice|strengths|what went well)",
    ),
    (
        "findings",
        _THE + r"(?:findings?|lessons?\b|learning|conclusions?|what (?:we|have we) learn)",
    ),
    # inspection reports (Ofsted and similar): judgements read as findings
    ("findings", INSPECTION_JUDGEMENT),
    ("background", r"information about this local authority"),
    ("methodology", r"information about this inspection"),
    (
        "recommendations",
        _THE + r"(?:recommendations?|what needs to improve|areas? for improvement|next steps)",
    ),
    (
        "board_response",
        _THE
        + r"(?:(?:board|partnership|lscb|lscp|safeguarding partnership|agency|agencies)(?:'s)? responses?"
        r"|responses? (?:of|from|by) (?:the )?(?:board|partnership|lscb|lscp|safeguarding|agencies)"
        r"|(?:multi-agency )?action plan)",
    ),
]
_COMPILED = [(section, re.compile(pattern)) for section, pattern in SECTION_PATTERNS]


def heading_section(heading: str) -> str | None:
    """The canonical section a heading names, or None for a sub-heading it does not know.

    >>> heading_section("3. Key practice episodes"), heading_section("SECTION 4: LESSONS LEARNED")
    ('chronology', 'findings')
    >>> heading_section("Mother's mental health") is None
    True
    """
    text = heading.strip().lstrip("#").strip().lower().replace("’", "'")
    text = re.sub(r"\s+\d{1,3}$", "", text)  # a page number left at the end
    for _ in range(2):  # "Appendix A: Terms of reference" keeps its appendix
        if re.match(r"(?:appendi(?:x|ces)|annex)\b", text):
            return "appendix"
        text = NUMBERING.sub("", text, count=1)
    text = re.sub(r"[\s:.?!\-]+$", "", text)
    for section, pattern in _COMPILED:
        if pattern.match(text):
            return section
    return None


_JUDGEMENT = re.compile(INSPECTION_JUDGEMENT)


def is_heading(block: dict) -> bool:
    """A Markdown/Word heading, a single short line that reads as one, or a heading of a
    known section wrapped onto two lines (an inspection judgement's onto up to six)."""
    text = block["text"]
    if text.startswith("#") or (block.get("single", False) and is_heading_line(text)):
        return True
    lines = block.get("lines", 1)
    judgement = _JUDGEMENT.match(text.lower()) is not None
    wrapped = lines <= 2 or (lines <= JUDGEMENT_HEADING_LINES and judgement)
    return (
        wrapped
        and text.count(" ") < (JUDGEMENT_HEADING_WORDS if judgement else 16)
        and text[-1] not in ".,;"
        and heading_section(text) is not None
    )


def _judgement_sentence_block(block: dict) -> bool:
    """A paragraph that is only a judgement sentence ("... is good."), among the findings."""
    return block.get("lines", 1) <= JUDGEMENT_HEADING_LINES and judgement_sentence(block["text"])


def _judgement_row(block: dict) -> bool:
    """A row of a title page's table of judgements ("3. Leadership, management and governance
    Good"): front matter, not the start of the findings."""
    return (
        block.get("page_start") == 1
        and heading_section(block["text"]) == "findings"
        and _JUDGEMENT.search(block["text"].lower()) is not None
    )


def label_sections(blocks: list[dict]) -> list[dict]:
    """Add ``kind`` ('section', 'subheading' or 'text'), ``section`` and ``heading`` to blocks.

    Text before the first recognised heading (title page, publisher, date) is 'front_matter',
    and so is an inspection's table of judgements on its title page; text under later
    unrecognised headings keeps the section it is in. A document with no
    recognised heading at all is 'other' throughout (its opening is not mere front matter).
    """
    section, heading = "front_matter", None
    paged = any(b.get("page_start", 0) > 1 for b in blocks)
    for block in blocks:
        judged = section == "findings" and _judgement_sentence_block(block)
        if judged or (
            is_heading(block)
            and not (section == "front_matter" and paged and _judgement_row(block))
        ):
            block["text"] = block["text"].lstrip("#").strip()
            named = heading_section(block["text"])
            heading = block["text"]
            if named:
                section = named
            block["kind"] = "section" if named else "subheading"
        else:  # text, a title page's table of judgements among it
            block["kind"] = "text"
        block["section"] = section
        block["heading"] = heading
    if not any(b["kind"] == "section" for b in blocks):
        for block in blocks:
            block["section"] = "other"
    return blocks


# -- passages ---------------------------------------------------------------------------------
_TOKEN = re.compile(r"\S+")
SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(]?[A-Z0-9•])")


def chunk_passages(blocks: list[dict], min_words: int, max_words: int) -> tuple[str, list[dict]]:
    """The document's clean text and its passages (dicts of passage columns, no ids).

    Blocks are joined by blank lines into the document text; each passage is a slice of
    it (``text == doc_text[char_start:char_end]``). A passage holds whole paragraphs where
    it can, splits a long paragraph at sentence ends, starts afresh at a sub-heading once
    it has ``min_words``, and never spans two sections (section headings themselves are
    labels, not passage text). A short last piece of a section is folded into the one
    before when the result stays near ``max_words``.
    """
    starts, pos = [], 0
    for block in blocks:
        starts.append(pos)
        pos += len(block["text"]) + 2
    doc_text = "\n\n".join(block["text"] for block in blocks)
    passages: list[dict] = []
    for run in _section_runs(blocks):
        passages += _chunk_run(run, blocks, starts, min_words, max_words)
    for passage in passages:
        passage["text"] = doc_text[passage["char_start"] : passage["char_end"]]
        passage["n_words"] = len(passage["text"].split())
    return doc_text, passages


def _section_runs(blocks: list[dict]) -> list[list[int]]:
    """The blocks of each section. A sub-heading that ends a section, with no text under it
    ('The local authority' just before 'Information about this local authority area'),
    introduces what follows, so it opens the next section instead (front matter keeps its
    own: a title is no heading of the introduction)."""
    runs: list[list[int]] = [[]]
    for index, block in enumerate(blocks):
        if block["kind"] == "section":
            moved = []
            while (
                runs[-1]
                and blocks[runs[-1][-1]]["kind"] == "subheading"
                and blocks[runs[-1][-1]]["section"] != "front_matter"
            ):
                moved.insert(0, runs[-1].pop())
            for i in moved:
                blocks[i]["section"] = block["section"]
            runs.append(moved)
        else:
            runs[-1].append(index)
    return [run for run in runs if run]


def _chunk_run(
    run: list[int], blocks: list[dict], starts: list[int], min_words: int, max_words: int
) -> list[dict]:
    out: list[dict] = []
    current: list[tuple[int, int, int, int]] = []  # (block index, start, end, words)
    have = 0

    def add(piece: tuple[int, int, int, int]) -> None:
        nonlocal have
        current.append(piece)
        have += piece[3]

    def flush() -> None:
        nonlocal have
        if current:
            out.append(_passage(blocks, starts, current, have))
            current.clear()
            have = 0

    for index in run:
        text, start = blocks[index]["text"], starts[index]
        words = text.count(" ") + 1
        if have >= min_words and (
            blocks[index]["kind"] == "subheading" or have + words > max_words
        ):
            flush()  # a finished passage ends at a sub-heading or before an overflow
        if have + words <= max_words:
            add((index, start, start + len(text), words))
            continue
        for a, b, w in _pieces(text, max_words):  # fill up sentence by sentence
            if current and have + w > max_words:
                flush()
            add((index, start + a, start + b, w))
    flush()
    if len(out) >= 2 and out[-1]["n_words"] < 0.4 * max_words:
        prev, last = out[-2], out[-1]
        if prev["n_words"] + last["n_words"] <= 1.2 * max_words:
            prev.update(char_end=last["char_end"], page_end=last["page_end"])
            prev["n_words"] += last["n_words"]
            out.pop()
    return out


def _page_at(block: dict, offset: int) -> int:
    """The page of the character at ``offset`` in a block's text (see ``page_breaks``)."""
    page = block["page_start"]
    for at, later in block.get("page_breaks", ()):
        if offset >= at:
            page = later
    return page


def _passage(
    blocks: list[dict], starts: list[int], pieces: list[tuple[int, int, int, int]], words: int
) -> dict:
    (i, start, _, _), (j, _, end, _) = pieces[0], pieces[-1]
    first, last = blocks[i], blocks[j]
    return {
        "section": first["section"],
        "heading": first.get("heading"),
        # a piece of a paragraph that runs over a page break cites the pages it is on
        "page_start": _page_at(first, start - starts[i]),
        "page_end": _page_at(last, end - starts[j] - 1),
        "char_start": pieces[0][1],
        "char_end": pieces[-1][2],
        "n_words": words,
    }


def _pieces(text: str, max_words: int) -> list[tuple[int, int, int]]:
    """(start, end, words) of sentences, long sentences cut every ``max_words`` words."""
    out = []
    bounds = [0] + [m.end() for m in SENTENCE_END.finditer(text)] + [len(text)]
    for a, b in zip(bounds, bounds[1:], strict=False):
        words = list(_TOKEN.finditer(text, a, b))
        for i in range(0, len(words), max_words):
            group = words[i : i + max_words]
            out.append((group[0].start(), group[-1].end(), len(group)))
    return out
