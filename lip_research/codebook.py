"""Codebooks as data: load, validate and look up the Learning into Practice frameworks.

A codebook is a YAML file (format documented at the top of
``lip_research/codebooks/practice_issues.yaml``)::

    codebook: my_codebook          # id, same as the file name without .yaml
    title: ...
    version: "1.0"
    description: ...
    sources: [{id: src1, citation: "..."}]
    entries:
      - id: my_theme               # lower_snake_case, unique across loaded codebooks
        label: ...
        group: ...
        description: ...           # 1-3 sentences a reader (and a model) can recognise
        seed_phrases: [...]        # typical wording in reports
        sources: [src1]
        # optional: number, evidence (quality markers), any other key is kept as-is

The three built-in codebooks are ``practice_issues``, ``scie_typology`` and
``quality_markers``; a researcher passes their own file by path. Errors name the file,
the entry and the fix.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

PACKAGE_DIR = Path(__file__).resolve().parent
BUILTIN = ("practice_issues", "scie_typology", "quality_markers")
REQUIRED_TOP = ("codebook", "title", "version", "description", "sources", "entries")
REQUIRED_ENTRY = ("id", "label", "group", "description", "seed_phrases", "sources")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class CodebookError(ValueError):
    """A codebook file is missing or malformed, or an id is unknown; the message says which."""


@dataclass(frozen=True)
class Entry:
    """One codebook entry: a theme, a systemic pattern or a quality marker."""

    id: str
    label: str
    group: str
    description: str
    seed_phrases: tuple[str, ...]
    sources: tuple[str, ...]
    codebook: str
    number: int | None = None
    evidence: tuple[str, ...] = ()

    @property
    def prompts(self) -> tuple[str, ...]:
        """Texts that stand for the entry when embedded: description, seeds, evidence."""
        return (self.description, *self.seed_phrases, *self.evidence)


@dataclass(frozen=True)
class Codebook:
    """A validated codebook."""

    id: str
    title: str
    version: str
    description: str
    sources: dict[str, str]
    entries: tuple[Entry, ...]
    path: str | None = field(default=None, compare=False)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(e.id for e in self.entries)

    def get(self, entry_id: str) -> Entry:
        for entry in self.entries:
            if entry.id == entry_id:
                return entry
        raise CodebookError(_unknown_message([entry_id], self.ids, f"codebook {self.id!r}"))

    def citations(self, entry: Entry) -> list[str]:
        return [self.sources[s] for s in entry.sources]


def builtin_path(name: str) -> Path:
    """Where a built-in codebook lives inside the package."""
    if name not in BUILTIN:
        raise CodebookError(f"{name!r} is not a built-in codebook; built-in: {', '.join(BUILTIN)}")
    return PACKAGE_DIR / "codebooks" / f"{name}.yaml"


def load_codebook(name_or_path: str | Path) -> Codebook:
    """A built-in codebook by name, or a user codebook from a YAML path."""
    text = str(name_or_path)
    path = builtin_path(text) if text in BUILTIN else Path(text)
    if path.is_dir():
        raise CodebookError(f"{path} is a folder: give a codebook YAML file")
    if not path.exists():
        hint = (
            f"built-in codebooks: {', '.join(BUILTIN)}"
            if path.suffix not in (".yaml", ".yml")
            else "check the path"
        )
        raise CodebookError(f"codebook {text!r} not found ({hint})")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CodebookError(f"{path} is not valid YAML: {exc}") from exc
    return parse_codebook(data, origin=str(path))


def load_codebooks(
    names: Iterable[str | Path], extra: Iterable[str | Path] = ()
) -> tuple[Codebook, ...]:
    """Several codebooks at once; entry ids must be unique across all of them."""
    books = tuple(load_codebook(n) for n in (*names, *extra))
    ids = [book.id for book in books]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise CodebookError(
            f"codebook {', '.join(map(repr, repeated))} is loaded twice (a built-in codebook is "
            "always loaded; a codebook of your own needs an id of its own)"
        )
    seen: dict[str, str] = {}
    for book in books:
        for entry_id in book.ids:
            if entry_id in seen:
                raise CodebookError(
                    f"entry id {entry_id!r} appears in both {seen[entry_id]!r} and {book.id!r}; "
                    "rename it in your codebook (ids must be unique across loaded codebooks)"
                )
            seen[entry_id] = book.id
    return books


def parse_codebook(data: Any, origin: str = "<codebook>") -> Codebook:
    """Validate a codebook mapping (as read from YAML) and build it."""
    if not isinstance(data, dict):
        raise CodebookError(
            f"{origin}: a codebook must be a mapping with keys {', '.join(REQUIRED_TOP)}"
        )
    missing = [k for k in REQUIRED_TOP if k not in data]
    if missing:
        raise CodebookError(f"{origin}: missing top-level keys {missing}")
    book_id = str(data["codebook"])
    _require(
        _ID.match(book_id) is not None,
        f"{origin}: codebook id {book_id!r} must be lower_snake_case",
    )
    sources = _parse_sources(data["sources"], origin)
    entries_raw = data["entries"]
    _require(
        isinstance(entries_raw, list) and entries_raw,
        f"{origin}: 'entries' must be a non-empty list",
    )
    entries = tuple(
        _parse_entry(raw, i, book_id, sources, origin) for i, raw in enumerate(entries_raw)
    )
    dupes = sorted({e.id for e in entries if sum(x.id == e.id for x in entries) > 1})
    _require(not dupes, f"{origin}: duplicate entry ids {dupes}")
    return Codebook(
        id=book_id,
        title=str(data["title"]),
        version=str(data["version"]),
        description=" ".join(str(data["description"]).split()),
        sources=sources,
        entries=entries,
        path=origin,
    )


def _parse_sources(raw: Any, origin: str) -> dict[str, str]:
    _require(isinstance(raw, list), f"{origin}: 'sources' must be a list of {{id, citation}}")
    out: dict[str, str] = {}
    for i, src in enumerate(raw):
        ok = isinstance(src, dict) and src.get("id") and src.get("citation")
        _require(bool(ok), f"{origin}: sources[{i}] needs both 'id' and 'citation'")
        out[str(src["id"])] = str(src["citation"])
    return out


def _parse_entry(raw: Any, i: int, book_id: str, sources: dict[str, str], origin: str) -> Entry:
    _require(isinstance(raw, dict), f"{origin}: entries[{i}] must be a mapping")
    where = f"{origin}: entry {raw.get('id', f'#{i}')!r}"
    missing = [k for k in REQUIRED_ENTRY if k not in raw]
    _require(not missing, f"{where} is missing {missing}")
    entry_id = str(raw["id"])
    _require(_ID.match(entry_id) is not None, f"{where}: id must be lower_snake_case")
    seeds = _strings(raw["seed_phrases"], f"{where}: seed_phrases")
    _require(bool(seeds), f"{where}: give at least one seed phrase")
    src = _strings(raw["sources"], f"{where}: sources")
    unknown = [s for s in src if s not in sources]
    _require(not unknown, f"{where} cites unknown sources {unknown}; declared: {sorted(sources)}")
    description = " ".join(str(raw["description"]).split())
    _require(bool(description), f"{where}: description is empty")
    number = raw.get("number")
    _require(number is None or isinstance(number, int), f"{where}: number must be an integer")
    return Entry(
        id=entry_id,
        label=str(raw["label"]),
        group=str(raw["group"]),
        description=description,
        seed_phrases=seeds,
        sources=src,
        codebook=book_id,
        number=number,
        evidence=_strings(raw.get("evidence", []) or [], f"{where}: evidence"),
    )


def _strings(value: Any, where: str) -> tuple[str, ...]:
    _require(isinstance(value, list), f"{where} must be a list of strings")
    out = tuple(" ".join(str(v).split()) for v in value)
    _require(all(out), f"{where} holds an empty string")
    return out


# -- lookups ------------------------------------------------------------------------------
def all_entries(books: Sequence[Codebook]) -> tuple[Entry, ...]:
    return tuple(e for b in books for e in b.entries)


def find_entry(books: Sequence[Codebook], entry_id: str) -> Entry:
    """The entry with this id in any of the codebooks, or a clear error with suggestions."""
    check_ids([entry_id], books)
    return next(e for e in all_entries(books) if e.id == entry_id)


def check_ids(ids: Iterable[str], books: Sequence[Codebook]) -> None:
    """Raise `CodebookError` naming every unknown id, with the closest known ids."""
    known = [e.id for e in all_entries(books)]
    unknown = [i for i in dict.fromkeys(ids) if i not in known]
    if unknown:
        names = ", ".join(b.id for b in books)
        raise CodebookError(_unknown_message(unknown, known, f"codebooks {names}"))


def entries_frame(books: Sequence[Codebook]) -> pd.DataFrame:
    """One row per entry: codebook, id, label, group, number, description, seeds, sources."""
    rows = [
        {
            "codebook": e.codebook,
            "entry_id": e.id,
            "label": e.label,
            "group": e.group,
            "number": e.number,
            "description": e.description,
            "seed_phrases": "; ".join(e.seed_phrases),
            "sources": "; ".join(e.sources),
        }
        for e in all_entries(books)
    ]
    return pd.DataFrame(rows).astype({"number": "Int64"})


def _unknown_message(unknown: list[str], known: Sequence[str], where: str) -> str:
    parts = []
    for u in unknown:
        close = difflib.get_close_matches(u, known, n=3, cutoff=0.5)
        parts.append(f"{u!r}" + (f" (did you mean {', '.join(close)}?)" if close else ""))
    return f"unknown id(s) {', '.join(parts)} in {where}"


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise CodebookError(message)
