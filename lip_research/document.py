"""One file in, its cleaned and sectioned document(s) out: the work of an ingest worker.

:func:`read_one` runs in a worker process (see :mod:`lip_research.pool`). It checks what
the file really is, reads it with the right reader, cleans it, labels its sections and
returns plain data (dicts and lists) that can be cached and sent between processes.
A table file gives one document per row.
"""

from __future__ import annotations

import pickle
import re
import time
from pathlib import Path

from lip_research import io
from lip_research.clean import clean_pages, normalise, sentence_keys
from lip_research.extract import (
    DESCRIPTIONS,
    OTHER_FORMATS,
    TABULAR,
    YEAR,
    BadInput,
    check_kind,
    read_pdf,
    read_text,
)
from lip_research.markup import read_docx, read_html
from lip_research.paragraphs import ends_sentence
from lip_research.segment import label_sections
from lip_research.tabular import read_table

READERS = {
    "pdf": read_pdf,
    "docx": read_docx,
    "html": read_html,
    "text": lambda path: read_text(path, markdown=False),
    "markdown": lambda path: read_text(path, markdown=True),
}


def read_one(task: dict) -> dict:
    """Read, clean and section one file: ``{status, reason, docs, pages, characters, seconds}``."""
    start = time.perf_counter()
    try:
        result = _read(Path(task["path"]), task.get("claimed"), task.get("text_column"))
    except BadInput as exc:
        result = failure(str(exc), cacheable=exc.cacheable)
    result["seconds"] = round(time.perf_counter() - start, 3)
    return result


def read_and_store(task: dict) -> bytes:
    """:func:`read_one`, pickled, and saved to ``task["cache"]`` when the result may be reused.

    Workers do this so that the parent neither pickles nor writes the per-file caches.
    """
    result = read_one(task)
    blob = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    if result["cacheable"] and task.get("cache"):
        try:
            io.write_bytes(blob, task["cache"])
        except OSError as exc:  # a full or read-only disk: the file was read all the same
            result["cache_error"] = exc.strerror or str(exc)
            blob = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    return blob


SHORT_REPORT_WORDS = 100  # a report file with less text is noted: a page saved, not the report?


def _read(path: Path, claimed: str | None, text_column: str | None) -> dict:
    if claimed is None:
        hint = (
            "hidden or system file"
            if path.name.startswith((".", "~$"))
            else "unsupported file type"
        )
        suffix = path.suffix.lower()
        raise BadInput(OTHER_FORMATS.get(suffix, f"{hint} ({suffix or 'no extension'}): not read"))
    with open(path, "rb") as fh:
        head = fh.read(8192)
    kind = check_kind(path, claimed, head)
    warnings: list[str] = []
    notes: list[str] = []
    if kind != claimed:
        warnings.append(
            f"the name says {path.suffix or 'nothing'} but the file is {DESCRIPTIONS[kind]}; read as {kind}"
        )
    if kind in TABULAR:
        table = read_table(path, kind, text_column)
        notes += table.notes
        docs = [
            _document([row["text"]], False, row["title"], f"{kind} row", row=row)
            for row in table.rows
        ]
    else:
        extracted = READERS[kind](path)
        warnings += extracted.warnings
        notes += extracted.notes
        docs = [_document(extracted.pages, extracted.structured, extracted.title, kind)]
        docs[0]["year_hint"] = extracted.year or docs[0]["year_hint"]
        words = sum(len(b["text"].split()) for b in docs[0]["blocks"])
        if 0 < words < SHORT_REPORT_WORDS:
            notes.append(f"only {words} words of text: check that the file holds the whole report")
    docs = [d for d in docs if d["blocks"]]
    if not docs:
        raise BadInput("no text found in the file")
    return {
        "status": "warning" if warnings else "ok",
        "reason": "; ".join(warnings + notes),
        "docs": docs,
        "pages": sum(d["pages"] for d in docs),
        "characters": sum(d["characters"] for d in docs),
        "cacheable": True,
    }


def _document(
    pages: list[str], structured: bool, title: str | None, fmt: str, row: dict | None = None
) -> dict:
    cleaned = clean_pages(pages, structured)
    blocks = label_sections(cleaned.blocks)
    for block in blocks:
        block.pop("single", None)
        block.pop("lines", None)
        # numbers count: text repeated across reports is dropped, but not their own figures
        block["keys"] = (
            sentence_keys(block["text"], numbers=True) if block["kind"] == "text" else []
        )
    first_page = " ".join(b["text"] for b in blocks if b["page_start"] == 1)[:3000]
    return {
        "blocks": blocks,
        "removed": cleaned.removed,
        "pages": len(pages),
        "characters": sum(len(p) for p in pages),
        "format": fmt,
        "title_hint": (
            _sensible_title(title)
            or _title_page_words(blocks)
            or _running_title(pages[0] if pages else "", cleaned.removed)
        ),
        "year_hint": _year_from(first_page),
        "row": row,
    }


_JUNK_TITLE = re.compile(
    r"draft|template|untitled|^microsoft|\.(docx?|pdf|html?)$|^(report|document|title)$", re.I
)
# a template's blanks left in a mixed-case title: "LA NAME - standard-short inspection report"
_PLACEHOLDER = re.compile(r"\b(?:NAME|DATE|INSERT|TBC)\b")
TITLE_WORDS = 20  # a title read from the text is cut to this many words, marked …


def _sensible_title(title: str | None) -> str | None:
    """A metadata title worth showing: three words or more, not a draft or file name, and no
    template blanks."""
    title = " ".join(str(title or "").split())
    if len(title.split()) < 3 or _JUNK_TITLE.search(title):
        return None
    return None if not title.isupper() and _PLACEHOLDER.search(title) else title


def _running_title(first_page: str, removed: list[tuple[int, str, str]]) -> str | None:
    """The running header the title page opens with ("Inspection of Westmoor local authority
    children's services"), which cleaning removed from it too as furniture; the longest,
    where the title page's own lines hold more than one. Only when the title page's words
    give no title: a running header may be the publisher's name."""
    head = re.sub(r"^\d+ ", "", " ".join(normalise(first_page).split()))  # no page number
    running = {
        text
        for _, kind, text in removed
        if kind == "running header/footer" and len(text.split()) >= 3
    }
    opening = [text for text in running if head.lower().startswith(text.lower())]
    # the longest; of equal ones, as the title page writes it
    return max(opening, key=lambda t: (len(t), head.startswith(t), t)) if opening else None


# a title page's fields, which end its title: "Inspection dates:", "Lead inspector:", "Author:",
# "Published by ..."
_FIELD = re.compile(
    r"\b(?:(?:(?:inspection|publication|review|report) dates?|dates? of \w+|date"
    r"|(?:lead |independent )?(?:inspectors?|authors?|reviewers?)|published|version|status)\s*:"
    r"|(?:published|prepared|written|commissioned) by\b)",
    re.I,
)
TITLE_LINE = 5  # a title page's line this short (a place name) is joined to the next
_MONTH = re.compile(
    r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b",
    re.I,
)


def _title_page_words(blocks: list[dict]) -> str | None:
    """The title page's opening lines, up to its first field ("Inspection dates: ..."), a
    date, a sentence or a numbered heading, and at most ``TITLE_WORDS``; lines are joined only
    while the title is short, so a place name over it joins it ("Harrow Inspection of
    children's social care services") and a subtitle does not."""
    words: list[str] = []
    for block in blocks[:6]:
        if block["page_start"] != 1:
            break
        text, *field = _FIELD.split(block["text"], maxsplit=1)
        if not re.search(r"[A-Za-z]{2}", _MONTH.sub("", text)):  # a date, or nothing
            if words or field:
                break
            continue
        if words and (
            len(words) > TITLE_LINE or ends_sentence(text) or re.match(r"\d+(\.\d+)*\.? ", text)
        ):
            break  # a subtitle, the body or the first heading
        words += text.split()
        if field or len(words) >= TITLE_WORDS:
            break
    if not words:
        return None
    title = " ".join(words[:TITLE_WORDS]).rstrip(" -,;:")
    return title + (" …" if len(words) > TITLE_WORDS else "")


def _year_from(text: str) -> int | None:
    published = re.search(r"publish\w*\D{0,40}?" + YEAR.pattern, text, re.I)
    if published:
        return int(published.group(1))
    years = [int(y) for y in YEAR.findall(text)]
    return max(years) if years else None


def failure(reason: str, cacheable: bool = True) -> dict:
    """The result of a file that could not be read."""
    return {
        "status": "failed",
        "reason": reason,
        "docs": [],
        "pages": 0,
        "characters": 0,
        "cacheable": cacheable,
    }
