"""The ingested corpus as tables: document ids, titles, years, manifest metadata, the summary.

Split from :mod:`lip_research.ingest` so that module reads as its steps. Everything here
is a pure function of per-document results already cleaned and cut into passages.
"""

from __future__ import annotations

import numbers
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

import pandas as pd

from lip_research import io
from lip_research.document import YEAR
from lip_research.runtime import counted

FILE_COLUMNS = ("file", "filename", "file_name", "path", "name", "document")
CORE = ("doc_id", "title", "path", "sha256", "pages", "year", "format", "words")
PASSAGE_EXTRA = ["heading", "n_words"]


# Letters with no accent-free form under Unicode decomposition.
_UNACCENTED = str.maketrans(
    {"ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "ł": "l",
     "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ı": "i"}
)  # fmt: skip


def slug(text: str) -> str:
    """Lower-case words joined by hyphens, accents dropped: ``"Child A (2019)" ->
    "child-a-2019"``, ``"Révision Harrowmère" -> "revision-harrowmere"``; letters of other
    scripts are kept (``"סקירה 2" -> "סקירה-2"``)."""
    plain = "".join(map(_plain_letter, unicodedata.normalize("NFC", str(text))))
    return re.sub(r"[\W_]+", "-", plain.lower()).strip("-")[:80] or "document"


def _plain_letter(char: str) -> str:
    if char.isascii():
        return char
    latin = unicodedata.normalize("NFKD", char.translate(_UNACCENTED))
    latin = latin.encode("ascii", "ignore").decode()
    if latin:
        return latin
    return "" if unicodedata.category(char).startswith("M") else char  # marks go, letters stay


def humanise(stem: str) -> str:
    return re.sub(r"[-_]+", " ", stem).strip().capitalize()


def build_tables(
    prepared: list[tuple],
    manifest: pd.DataFrame | None,
    notes: list[str],
    set_aside: Sequence[Path] = (),
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """documents, passages and removed-text tables from ``(path, sha, doc, text, passages,
    removed)``; ``set_aside``: files kept out as copies, whose manifest rows are not unmatched."""
    by_name, file_col = _manifest_index(manifest)
    shared_rows: dict[str, list[int]] = {}  # a file that several rows fit equally: those rows
    if file_col is not None and str(file_col).lower() not in FILE_COLUMNS:
        notes.append(
            f"the manifest has no file column ({', '.join(FILE_COLUMNS[:3])}): its first column "
            f"{file_col!r} was matched against the file names"
        )
    bad_years: list[str] = []
    renamed: list[str] = []  # table rows whose id another document has already
    matched = {i for path in set_aside for i, *_ in _manifest_rows(Path(path), by_name)}
    placed = _placed([Path(path) for path, *_ in prepared], by_name)
    no_row: list[str] = []  # files the manifest does not list
    taken: set[str] = set()
    doc_rows, passage_rows, removed_rows = [], [], []
    for path, sha, doc, doc_text, passages, removed in prepared:
        path = Path(path)
        row = doc.get("row")
        rows_for = _manifest_rows(path, by_name, placed)
        entry_index, entry = rows_for[0][:2] if rows_for else (None, {})
        if entry_index is not None and row is None:
            matched.update(i for i, *_ in rows_for)
            if len(rows_for) > 1:
                shared_rows[path.name] = [i for i, *_ in rows_for]
        elif row is None and manifest is not None:
            no_row.append(path.name)
        base = _base_id(path, row, entry)
        doc_id, n = base, 1
        while doc_id in taken:
            n += 1
            doc_id = f"{base}-{n}"
        taken.add(doc_id)
        if n > 1 and row is not None and row.get("id") is not None:
            renamed.append(f"{path.name} row {row['row']} ({row['id']!r}) is {doc_id}")
        meta = dict(row["meta"]) if row else {}
        meta.update({k: v for k, v in entry.items() if k != file_col})
        record = {
            "doc_id": doc_id,
            "title": (row or {}).get("title") or doc["title_hint"] or humanise(path.stem),
            "path": str(path),
            "sha256": sha,
            "pages": doc["pages"],
            "year": _year(path, doc),
            "format": doc["format"],
            "words": sum(p["n_words"] for p in passages),
        }
        if row is not None:
            record["row"] = row["row"]
        for key, value in meta.items():
            if key == "doc_id":
                continue
            if key in ("path", "sha256", "pages", "words", "row"):
                key = f"meta_{key}"
            if str(key).strip().lower() == "year" and "year" not in meta:
                key = "year"  # 'Year', 'YEAR': the year, as file columns are matched
            if key == "year" and _present(value):
                year = _as_year(value)
                if year is None:
                    bad_years.append(f"{path.name}: {value!r}")  # keep the year the file gave
                    continue
                value = year
            if value is not None and not (isinstance(value, float) and value != value):
                record[key] = value
            else:
                record.setdefault(key, None)
        record["text"] = doc_text
        doc_rows.append(record)
        # A text, web page, table row or Word file without rendered page breaks has no pages
        # a reader could turn to: page 0, so that no citation names a "p. 1" that isn't there.
        unpaged = doc["pages"] <= 1 and doc["format"] != "pdf"
        for number, passage in enumerate(passages, start=1):
            row_ = {"passage_id": f"{doc_id}-p{number:04d}", "doc_id": doc_id, **passage}
            if unpaged:
                row_["page_start"] = row_["page_end"] = 0
            passage_rows.append(row_)
        removed_rows += [(doc_id, page, kind, text) for page, kind, text in removed]
    if manifest is not None:
        unmatched = [
            str(entry[file_col])
            for i, entry in enumerate(manifest.to_dict("records"))
            if i not in matched
        ]
        if unmatched:
            shown = ", ".join(unmatched[:5]) + (" ..." if len(unmatched) > 5 else "")
            rows = (
                "1 manifest row matches"
                if len(unmatched) == 1
                else f"{len(unmatched)} manifest rows match"
            )
            notes.append(f"{rows} no ingested file: {shown}")
        where = manifest.attrs.get("rows") or [f"row {i + 2}" for i in range(len(manifest))]
        for name, rows in shared_rows.items():
            notes.append(
                f"{len(rows)} manifest rows name {name} ({', '.join(where[i] for i in rows)}): "
                "the first was used; remove the others"
            )
        if no_row:
            shown = ", ".join(no_row[:5]) + (" ..." if len(no_row) > 5 else "")
            which = (
                f"{shown} has no manifest row: it is a document"
                if len(no_row) == 1
                else f"{len(no_row)} files have no manifest row ({shown}): they are documents"
            )
            notes.append(
                f"{which} with no metadata (move a file that is not a report, such as a "
                "README, out of the folder)"
            )
    if renamed:
        shown = "; ".join(renamed[:5]) + (" ..." if len(renamed) > 5 else "")
        notes.append(
            f"ids that are not unique were numbered: {shown} (give each row its own id to join "
            "results back to your table)"
        )
    if bad_years:
        shown = "; ".join(bad_years[:5]) + (" ..." if len(bad_years) > 5 else "")
        notes.append(
            f"year values that are not years (the file name's or first page's kept): {shown}"
        )
    return (
        _documents_frame(doc_rows),
        _passages_frame(passage_rows),
        pd.DataFrame(removed_rows, columns=["doc_id", "page", "kind", "text"]),
    )


def _placed(paths: Sequence[Path], by_name: dict) -> set[int]:
    """Rows whose folders name their own file: no last resort for another file."""
    return {
        row[0]
        for path in paths
        for row in _manifest_rows(path, by_name)
        if _agree(row[2], path) > 0
    }


def listed(paths: Sequence[Path], manifest: pd.DataFrame | None) -> list[bool]:
    """Whether the manifest has a row for each file (as :func:`build_tables` matches them)."""
    by_name, _ = _manifest_index(manifest)
    if not by_name:
        return [False] * len(paths)
    placed = _placed(paths, by_name)
    return [bool(_manifest_rows(path, by_name, placed)) for path in paths]


def _file_column(manifest: pd.DataFrame):
    lower = {str(c).lower(): c for c in manifest.columns}
    return next((lower[c] for c in FILE_COLUMNS if c in lower), manifest.columns[0])


def _manifest_index(
    manifest: pd.DataFrame | None,
) -> tuple[dict[str, list[tuple[int, dict, tuple[str, ...]]]], str | None]:
    """Manifest rows by file name and by stem (lower case): each with its row number, its
    values and the path it gives, in parts ('/' or '\\' between folders)."""
    if manifest is None or manifest.empty:
        return {}, None
    file_col = _file_column(manifest)
    scoped = manifest.attrs.get("scoped") or [False] * len(manifest)
    index: dict[str, list[tuple[int, dict, tuple[str, ...]]]] = {}
    for i, entry in enumerate(manifest.to_dict("records")):
        parts = PurePosixPath(_name_key(str(entry[file_col]).strip().replace("\\", "/"))).parts
        if not parts:
            continue
        row = (i, entry, parts, scoped[i])
        index.setdefault(parts[-1], []).append(row)
        stem = PurePosixPath(parts[-1]).stem
        if stem != parts[-1]:
            index.setdefault(stem, []).append(row)
    return index, file_col


def _name_key(name: str) -> str:
    """A file name as compared: lower case, accents composed (macOS writes 'é' as e + ´)."""
    return unicodedata.normalize("NFC", name).lower()


def _manifest_rows(path: Path, index: dict, placed: set[int] = frozenset()) -> list[tuple]:
    """The rows naming ``path`` (by file name, else by stem) that fit it best. A row that
    gives folders fits a file in a folder of that name best, the more of the folders above it
    agree (a path written on another computer, 'C:\\Users\\…\\elmsford\\report.md', fits by
    its last folders); a bare name fits any folder, after those. A row naming another folder
    fits no file, unless no row's folders name a file's (``placed`` is empty): the manifest
    then describes another computer's folders, and names alone match. A sub-folder's
    manifest names the files of that folder only."""
    rows = index.get(_name_key(path.name)) or index.get(_name_key(path.stem)) or []
    scored = [(_agree(row[2], path), row) for row in rows]
    best = max((n for n, _ in scored), default=-1)
    if best < 0:
        return [] if placed else [row for _, row in scored if not row[3]]
    return [row for n, row in scored if n == best]


def _agree(given: tuple[str, ...], path: Path) -> int:
    """How many of the folders a manifest row gives agree with the file's, from the file
    upwards; 0 for a bare name, -1 when the nearest folder differs."""
    folders = given[-2::-1]
    if not folders:
        return 0
    above = PurePosixPath(_name_key(path.as_posix())).parts[-2::-1]
    agree = 0
    for name, actual in zip(folders, above, strict=False):
        if name != actual:
            break
        agree += 1
    return agree or -1


def _base_id(path: Path, row: dict | None, entry: dict) -> str:
    if row is not None:
        if row.get("id") is not None:
            return slug(row["id"])
        if row.get("title"):
            return slug(row["title"])
        return f"{slug(path.stem)}-{row['row']:04d}"
    if entry.get("doc_id"):
        return slug(entry["doc_id"])
    return slug(path.stem)


def _present(value) -> bool:
    return value is not None and not (isinstance(value, float) and value != value) and value != ""


def _as_year(value) -> int | None:
    """A year from a whole number or from text holding one ("2019", "2019-03-01", "March 2019"),
    in the range file names are read in (1980-2049)."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        whole = float(value).is_integer()
        return int(value) if whole and YEAR.fullmatch(str(int(value))) else None
    found = YEAR.search(str(value))
    return int(found.group(1)) if found else None


def read_manifests(paths, folders: list[str] | None = None) -> pd.DataFrame:
    """Manifest files as one table: CSV (comma, semicolon or tab; any common encoding) or .xlsx.

    A manifest in a sub-folder (``folders``: each one's folder below its source, or '') names
    files there: its bare file names take that folder in front ("2019/report.md"). With
    several, each one's file column is named ``file`` so that all rows match.
    ``attrs["rows"]`` says where each row is written ("row 3", or "<file> row 3").
    """
    paths = [Path(p) for p in paths]
    frames, where, scoped = [], [], []
    for path, folder in zip(paths, folders or [""] * len(paths), strict=True):
        frame = _read_manifest(path)
        column = _file_column(frame)
        if folder:
            names = frame[column].astype(str).str.strip()
            bare = ~names.str.contains(r"[/\\]", regex=True)
            frame[column] = frame[column].astype(object).where(~bare, folder + "/" + names)
        scoped += [bool(folder)] * len(frame)
        if len(paths) > 1:
            frame = frame.rename(columns={column: "file"})
        frames.append(frame)
        where += [
            f"{path} row {n}" if len(paths) > 1 else f"row {n}" for n in range(2, len(frame) + 2)
        ]
    out = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    out.attrs["rows"] = where
    out.attrs["scoped"] = scoped  # rows of a sub-folder's manifest: files there only
    return out


def _read_manifest(path: Path) -> pd.DataFrame:
    from lip_research.extract import BadInput
    from lip_research.tabular import load_table

    fix = "save it as a CSV with a header row: a file column and one row per report"
    if path.stat().st_size == 0:
        raise io.CorpusError(f"manifest {path} is empty: {fix}")
    kind = "xlsx" if path.suffix.lower() in (".xlsx", ".xls") else "csv"
    try:  # read as documents tables are: any common encoding and delimiter
        frame = load_table(path, kind)
    except BadInput as exc:
        raise io.CorpusError(f"manifest {path}: {exc}; {fix}") from None
    if frame.empty:
        raise io.CorpusError(f"manifest {path} has a header but no rows: {fix}")
    return frame


def _year(path: Path, doc: dict) -> int | None:
    found = YEAR.search(path.stem)
    if found:
        return int(found.group(1))
    return doc.get("year_hint")


def _documents_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=[*CORE, "text"])
    order = (
        [c for c in CORE if c in frame]
        + [c for c in frame if c not in CORE and c != "text"]
        + ["text"]
    )
    frame = frame[order]
    frame["year"] = pd.to_numeric(frame["year"], errors="coerce").astype("Int64")
    for column in frame.columns:
        if column not in CORE and column != "text" and frame[column].dtype != object:
            frame[column] = frame[column].convert_dtypes()  # manifest ints stay ints
        elif frame[column].dtype == object:
            kinds = {type(v) for v in frame[column] if v is not None and v == v}
            if len(kinds) > 1:  # mixed types across files: Parquet needs one
                frame[column] = frame[column].map(lambda v: None if v is None or v != v else str(v))
    return frame


def _passages_frame(rows: list[dict]) -> pd.DataFrame:
    columns = [*io.PASSAGE_COLUMNS, *PASSAGE_EXTRA]
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("page_start", "page_end", "char_start", "char_end", "n_words"):
        frame[column] = frame[column].astype("int64")
    return frame


def reason_kind(reason: str) -> str:
    """The short form of a ledger reason, for counting: ``"not a PDF"``, ``"empty file"``."""
    short = re.sub(r"\s*\([^)]*\)", "", str(reason)).split(":")[0].split(";")[0].strip()
    return short or "unknown"


def summary_line(corpus: io.Corpus, notes: list[str] = ()) -> str:
    """One line: files found, ok, with warnings, failed by reason, duplicates; documents, passages."""
    ledger = corpus.ledger
    counts = Counter(ledger["status"])
    parts = [f"{counted(len(ledger), 'file')}: {counts.get('ok', 0)} ok"]
    for status, label in (("warning", "with warnings"), ("failed", "failed")):
        if counts.get(status):
            reasons = Counter(
                reason_kind(r) for r in ledger.loc[ledger["status"] == status, "reason"]
            )
            detail = "; ".join(f"{k} ×{n}" if n > 1 else k for k, n in reasons.most_common())
            parts.append(f"{counts[status]} {label} ({detail})")
    if counts.get("duplicate"):
        parts.append(
            f"{counts['duplicate']} duplicate{'s' if counts['duplicate'] > 1 else ''} kept once"
        )
    line = (
        ", ".join(parts)
        + f" -> {counted(len(corpus.documents), 'document')}, "
        + f"{counted(len(corpus.passages), 'passage')}"
    )
    columns = [
        f"text column {m.group(1)} auto-detected in {Path(p).name}"
        for p, r in zip(ledger["path"], ledger["reason"], strict=True)
        for m in [re.search(r"text column ('[^']*') auto-detected", str(r))]
        if m
    ]
    extra = [*columns, *notes]
    return line + (". " + "; ".join(extra) if extra else "") + "."
