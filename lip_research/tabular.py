"""Tabular collections: one row per document, a text column, the other columns as metadata.

A spreadsheet of case-review summaries (.csv, .tsv, .xlsx, .jsonl, .parquet) becomes one
document per row. The text column is the one named, or else the one with the longest
mean text; which one was used is said in the ledger and the summary.
"""

from __future__ import annotations

import contextlib
import io as _io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from lip_research.extract import BadInput, decode_bytes
from lip_research.runtime import counted

ID_COLUMNS = ("doc_id", "id", "case_id", "review_id", "reference", "ref", "urn")
TITLE_COLUMNS = ("title", "name", "case", "case_name", "review_title")
MIN_MEAN_WORDS = 8  # below this no column reads as running text


@dataclass
class TableRows:
    """The documents of one table and what to say about how they were read."""

    rows: list[dict[str, Any]]  # {"text", "id", "title", "meta"}
    text_column: str
    auto: bool
    notes: list[str] = field(default_factory=list)


def load_table(path: Path, kind: str, text_column: str | None = None) -> pd.DataFrame:
    """Read a table file; encodings of .csv/.jsonl are detected like plain text. Of a
    workbook's sheets, see :func:`_workbook`."""
    try:
        if kind == "xlsx":
            return _workbook(path, text_column)
        if kind == "parquet":
            return pd.read_parquet(path)
        text, _ = decode_bytes(path.read_bytes())
        if kind == "jsonl":
            return _json_lines(text)
        sep = "\t" if path.suffix.lower() == ".tsv" else delimiter(text)
        return pd.read_csv(_io.StringIO(text), sep=sep)
    except (ValueError, OSError, KeyError, ImportError) as exc:
        raise BadInput(
            f"could not read the {kind} table: {str(exc).splitlines()[0][:200]}"
        ) from None


def _workbook(path: Path, text_column: str | None = None) -> pd.DataFrame:
    """The sheets that hold the table: of the groups of sheets sharing one header (a table
    split by year, say), the one whose text runs longest (:func:`_running_text`), among those
    with ``text_column`` where it is named. Other sheets (a read-me, lookups) are not
    documents; ``attrs`` name them."""
    sheets = [(str(n), f) for n, f in pd.read_excel(path, sheet_name=None).items() if not f.empty]
    if not sheets:
        return pd.DataFrame()
    groups: dict[tuple[str, ...], list[tuple[str, pd.DataFrame]]] = {}
    for name, frame in sheets:
        groups.setdefault(tuple(str(c) for c in frame.columns), []).append((name, frame))
    wanted = [
        g
        for header, g in groups.items()
        if text_column is None or text_column.lower() in (c.lower() for c in header)
    ]
    candidates = wanted or list(groups.values())
    same = candidates[0]
    if len(candidates) > 1:
        same = max(
            candidates,
            key=lambda g: _running_text(pd.concat([f for _, f in g], ignore_index=True))[1],
        )
    if len(same) == 1:
        out = same[0][1]
    else:
        column = "sheet" if "sheet" not in same[0][1].columns else "sheet_name"
        out = pd.concat([f.assign(**{column: n}) for n, f in same], ignore_index=True)
        out.attrs["sheets"] = (column, len(same))
    read = {n for n, _ in same}
    out.attrs["left_out"] = [n for n, _ in sheets if n not in read]
    return out


def _json_lines(text: str) -> pd.DataFrame:
    """One row per line that is a JSON object; the numbers of other lines in ``attrs`` (a
    line cut short loses itself, not the file)."""
    import json

    rows, bad = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError:
            row = None
        if isinstance(row, dict):
            rows.append(row)
        else:
            bad.append(number)
    if bad and not rows:
        raise ValueError(f"no line is a JSON object (line {bad[0]} is not)")
    frame = pd.DataFrame(rows)
    frame.attrs["bad_lines"] = bad
    return frame


def _running_text(frame: pd.DataFrame) -> tuple[object, float]:
    """The column with the longest mean text (words per row), and that mean."""
    best, best_words = None, 0.0
    for column in frame.columns:
        values = frame[column].dropna()
        values = values[values.map(lambda v: isinstance(v, str))]
        if values.empty:
            continue
        words = float(values.str.split().str.len().sum()) / max(len(frame), 1)
        if words > best_words:
            best, best_words = column, words
    return best, best_words


def delimiter(text: str) -> str:
    """The delimiter of a CSV: comma, or semicolon or tab (Excel in many locales), by its header."""
    header = re.sub(r'"[^"]*"', "", text.split("\n", 1)[0])  # quoted names may hold any of them
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def pick_text_column(frame: pd.DataFrame, named: str | None) -> tuple[str, bool]:
    """The named column (case-insensitive), or the text column with the longest mean text."""
    columns = [str(c) for c in frame.columns]
    if named:
        match = [c for c in frame.columns if str(c).lower() == named.lower()]
        if not match:
            raise BadInput(f"no column named '{named}'; the columns are: {', '.join(columns)}")
        return match[0], False
    best, best_words = _running_text(frame)
    if best is None or best_words < MIN_MEAN_WORDS:
        raise BadInput(
            "no column of running text found (columns: "
            f"{', '.join(columns)}); name it with --text-column"
        )
    return best, True


SHORT_ROW_WORDS = 10  # a text column of shorter values is noted: an id or a label column?


def read_table(path: Path, kind: str, text_column: str | None) -> TableRows:
    """One entry per row with text; empty rows are counted in the notes, not dropped silently."""
    frame = load_table(path, kind, text_column)
    if frame.empty:
        raise BadInput(f"the {kind} table has no rows")
    column, auto = pick_text_column(frame, text_column)
    lower = {str(c).lower(): c for c in frame.columns}
    id_col = next((lower[c] for c in ID_COLUMNS if c in lower and lower[c] != column), None)
    title_col = next((lower[c] for c in TITLE_COLUMNS if c in lower and lower[c] != column), None)
    rows, empty = [], 0
    for number, record in enumerate(frame.to_dict("records"), start=1):
        text = record.pop(column)
        if not isinstance(text, str) or not text.strip():
            empty += 1
            continue
        meta = {str(k): _plain(v) for k, v in record.items()}
        rows.append(
            {
                "text": text,
                "row": number,
                "id": _plain(record.get(id_col)) if id_col is not None else None,
                "title": _plain(record.get(title_col)) if title_col is not None else None,
                "meta": meta,
            }
        )
    if not rows:
        values = frame[column].dropna()
        if len(values):
            what = "numbers" if pd.api.types.is_numeric_dtype(values) else "values"
            raise BadInput(
                f"the column '{column}' holds {what} (such as {_plain(values.iloc[0])!r}), not text; "
                "name the text column with --text-column"
            )
        raise BadInput(f"every row of the text column '{column}' is empty")
    how = "auto-detected (longest mean text)" if auto else "as named"
    notes = [f"{counted(len(rows), 'row')} read as documents; text column '{column}' {how}"]
    words = sorted(len(str(r["text"]).split()) for r in rows)
    if words[len(words) // 2] < SHORT_ROW_WORDS:
        notes.append(
            f"half the rows hold {counted(words[len(words) // 2], 'word')} of text or fewer: "
            f"check that '{column}' is the column with the summaries (--text-column names it)"
        )
    if "sheets" in frame.attrs:
        name, count = frame.attrs["sheets"]
        notes.append(f"rows from {count} sheets with the same columns (column '{name}')")
    if frame.attrs.get("bad_lines"):
        bad = frame.attrs["bad_lines"]
        shown = ", ".join(map(str, bad[:10])) + (" ..." if len(bad) > 10 else "")
        notes.append(
            f"{counted(len(bad), 'line')} not read (not a JSON object; cut short?): line {shown}"
        )
    if frame.attrs.get("left_out"):
        shown = ", ".join(f"'{n}'" for n in frame.attrs["left_out"])
        notes.append(f"sheets with other columns not read: {shown}")
    if empty:
        notes.append(f"{counted(empty, 'row')} with empty text skipped")
    return TableRows(rows=rows, text_column=str(column), auto=auto, notes=notes)


def _plain(value: Any) -> Any:
    """Scalars that Parquet stores without surprises; anything else as text."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        with contextlib.suppress(ValueError, AttributeError):
            value = value.item()
    if isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return re.sub(r"\s+", " ", str(value))
