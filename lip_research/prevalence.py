"""How often each theme appears across reports, by any metadata column, always with n / N.

Every table carries the count (``n_present``), the denominator (``denominator``: reports
in that group) and the percentage, so a reader never sees a percentage of an unknown base.
`national_comparison` sets the corpus beside the published national analyses (shipped in
``lip_research/data/national_prevalence.csv``) and labels them as different samples.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from lip_research.analysis import UNKNOWN, as_years, class_order, group_values
from lip_research.codebook import Entry

COMPARISON_CAVEAT = (
    "Different samples: the national figures come from other reviews, periods, definitions "
    "and coding by people; this corpus is coded automatically. Not a like-for-like comparison."
)


def _labels(entries: Sequence[Entry] | None) -> dict[str, str]:
    return {e.id: e.label for e in entries or ()}


def with_period(documents: pd.DataFrame, width: int, column: str = "year") -> pd.DataFrame:
    """Add ``period`` (e.g. ``'2012-2014'``) grouping `column` into `width`-year bins."""
    out = documents.copy()
    year = pd.to_numeric(out[column], errors="coerce")
    start = (year // width) * width
    out["period"] = [UNKNOWN if pd.isna(s) else f"{int(s)}-{int(s) + width - 1}" for s in start]
    return out


def prevalence(
    presence: pd.DataFrame,
    documents: pd.DataFrame,
    by: str | None = None,
    entries: Sequence[Entry] | None = None,
) -> pd.DataFrame:
    """Reports in which each theme is present, overall or per value of `by`.

    Columns: [by], theme_id, label, n_present, denominator, percent. Reports with no value
    for `by` form their own ``unknown`` group, last; groups are sorted (numbers by value),
    themes keep their order.
    """
    if by is not None and by not in documents.columns:
        raise KeyError(
            f"no metadata column {by!r}; columns: {', '.join(map(str, documents.columns))}"
        )
    docs = documents[["doc_id"] + ([by] if by else [])].copy()
    docs["doc_id"] = docs["doc_id"].astype(str)
    key = by or "_all"
    if by:
        docs[key] = group_values(docs[by])
    else:
        docs[key] = "all"
    pres = presence.assign(doc_id=presence["doc_id"].astype(str)).merge(docs, on="doc_id")
    denominators = docs.groupby(key).size()
    denominators = denominators.loc[sorted(denominators.index, key=class_order)]
    themes = list(dict.fromkeys(presence["theme_id"]))
    counts = pres[pres["present"]].groupby([key, "theme_id"]).size()
    index = pd.MultiIndex.from_product([denominators.index, themes], names=[key, "theme_id"])
    out = pd.DataFrame(index=index).reset_index()
    out["label"] = out["theme_id"].map(_labels(entries)).fillna(out["theme_id"])
    out["n_present"] = counts.reindex(index, fill_value=0).to_numpy().astype(int)
    out["denominator"] = denominators.loc[out[key]].to_numpy().astype(int)
    out["percent"] = (100 * out["n_present"] / out["denominator"]).round(1)
    return out.drop(columns=["_all"]) if not by else out


def theme_summary(
    presence: pd.DataFrame, documents: pd.DataFrame, entries: Sequence[Entry] | None = None
) -> pd.DataFrame:
    """Per theme: n_present, denominator, percent, first_year, last_year, coded passages."""
    table = prevalence(presence, documents, entries=entries)
    if "year" in documents.columns:
        years = documents.assign(doc_id=documents["doc_id"].astype(str))[["doc_id", "year"]]
        pres = (
            presence[presence["present"]]
            .assign(doc_id=lambda f: f["doc_id"].astype(str))
            .merge(years, on="doc_id")
        )
        year = pd.to_numeric(pres["year"], errors="coerce")
        span = pres.assign(year=year).groupby("theme_id")["year"].agg(["min", "max"])
        table["first_year"] = table["theme_id"].map(span["min"]).astype("Int64")
        table["last_year"] = table["theme_id"].map(span["max"]).astype("Int64")
    passages = presence[presence["present"]].groupby("theme_id")["n_passages"].sum()
    table["n_passages"] = table["theme_id"].map(passages).fillna(0).astype(int)
    return table.sort_values(["n_present", "theme_id"], ascending=[False, True], ignore_index=True)


def cooccurrence(presence: pd.DataFrame, theme_id: str) -> pd.DataFrame:
    """Themes present in the same reports as `theme_id`: other_theme, n_both, share (of its reports)."""
    present = presence[presence["present"]]
    docs = set(present.loc[present["theme_id"] == theme_id, "doc_id"])
    if not docs:
        return pd.DataFrame(columns=["other_theme", "n_both", "share"])
    both = present[present["doc_id"].isin(docs) & (present["theme_id"] != theme_id)]
    counts = both.groupby("theme_id").size().rename("n_both").reset_index()
    counts = counts.rename(columns={"theme_id": "other_theme"})
    counts["share"] = (counts["n_both"] / len(docs)).round(3)
    return counts.sort_values(["n_both", "other_theme"], ascending=[False, True], ignore_index=True)


# -- national figures ----------------------------------------------------------------------------
def national_data_path(name: str = "national_prevalence.csv") -> Path:
    return Path(__file__).resolve().parent / "data" / name


def load_national() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The shipped national prevalence figures and their sources (source_id, citation...)."""
    figures, sources = national_data_path(), national_data_path("national_prevalence_sources.csv")
    if not figures.exists():
        raise FileNotFoundError(f"national figures not found at {figures}; reinstall lip_research")
    src = pd.read_csv(sources) if sources.exists() else pd.DataFrame(columns=["source_id"])
    return pd.read_csv(figures), src


def national_comparison(
    summary: pd.DataFrame, national: pd.DataFrame, sources: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Corpus prevalence next to each published national figure for the same theme.

    Columns: theme_id, label, corpus_n, corpus_denominator, corpus_percent, study, period,
    national_percent, national_denominator, sample_description, source_id, [citation],
    base (what the national figure is a share of), qualifier, national_figure (as written:
    "about 75% of reviews", "31% of deaths"), comparison_note, difference_points, caveat.
    The corpus figure is a share of reports, so ``difference_points`` is given only beside
    exact national shares of reviews; ``comparison_note`` says why it is blank elsewhere.
    Only themes with a national figure appear.
    """
    corpus = summary[["theme_id", "label", "n_present", "denominator", "percent"]].rename(
        columns={
            "n_present": "corpus_n",
            "denominator": "corpus_denominator",
            "percent": "corpus_percent",
        }
    )
    nat = national.rename(
        columns={"percent": "national_percent", "denominator": "national_denominator"}
    )
    out = corpus.merge(nat, on="theme_id", how="inner")
    if sources is not None and not sources.empty and "source_id" in sources.columns:
        extra = [c for c in sources.columns if c != "source_id" and c not in out.columns]
        out = out.merge(sources[["source_id", *extra]], on="source_id", how="left")
    percent = pd.to_numeric(out["national_percent"], errors="coerce")
    base = _words(out.get("base"), out.index, "reviews")
    qualifier = _words(out.get("qualifier"), out.index, "")
    out["base"], out["qualifier"] = base, qualifier
    out["national_figure"] = [
        "not given" if pd.isna(p) else f"{q + ' ' if q else ''}{p:g}% of {b}"
        for p, b, q in zip(percent, base, qualifier, strict=True)
    ]
    out["comparison_note"] = [
        "no national figure given" if pd.isna(p) else _not_comparable(b, q)
        for p, b, q in zip(percent, base, qualifier, strict=True)
    ]
    # a difference only where both figures are exact shares of reviews (reports)
    like_for_like = (base == "reviews") & (qualifier == "")
    out["difference_points"] = (out["corpus_percent"] - percent).round(1).where(like_for_like)
    out["caveat"] = COMPARISON_CAVEAT
    return out.sort_values(["theme_id", "period"], ignore_index=True)


def _words(column: pd.Series | None, index: pd.Index, default: str) -> pd.Series:
    """A text column of a user's figures table, lower-case and trimmed; blanks are `default`."""
    if column is None:
        return pd.Series(default, index=index)
    text = column.fillna("").astype(str).str.strip().str.lower()
    return text.mask(text == "", default)


def _not_comparable(base: str, qualifier: str) -> str:
    """Why no difference is given beside a national figure ('' when one is)."""
    if base != "reviews":
        return f"a share of {base}, not of reviews: no difference given"
    if qualifier in ("at least", "over"):
        return f"a lower bound ({qualifier}): no difference given"
    if qualifier:
        return f"an approximate figure ({qualifier}): no difference given"
    return ""


def trend(
    presence: pd.DataFrame, documents: pd.DataFrame, theme_id: str, by: str = "year"
) -> pd.DataFrame:
    """One theme's prevalence per `by` value (year by default): by, n_present, denominator, percent."""
    table = prevalence(presence[presence["theme_id"] == theme_id], documents, by=by)
    if by in ("year", "period"):
        first = table[by].astype(str).str[:4]
        table = (
            table.assign(_k=pd.to_numeric(first, errors="coerce"))
            .sort_values(["_k", by])
            .drop(columns="_k")
        )
    return table[[by, "n_present", "denominator", "percent"]].reset_index(drop=True)


SKIP_COLUMNS = {
    "doc_id",
    "title",
    "path",
    "sha256",
    "pages",
    "text",
    "words",
    "meta_words",
    "format",
    "area",
}


def metadata_columns(documents: pd.DataFrame, max_levels: int = 12) -> list[str]:
    """Columns worth a prevalence table: ``year`` and any metadata with 2..`max_levels` values
    that some reports share (ids, titles, paths, free text, dates, and names that each report
    has its own of, such as places, are left out)."""
    has_years = "year" in documents.columns and documents["year"].notna().any()
    out = ["year"] if has_years else []
    for col in documents.columns:
        if col in SKIP_COLUMNS or col in out or col.endswith(("_name", "_description")):
            continue
        values = documents[col].dropna()
        if not (
            values.map(lambda v: isinstance(v, str)).all() and 2 <= values.nunique() <= max_levels
        ):
            continue
        if values.nunique() == len(values) or as_years(values).notna().mean() >= 0.9:
            continue  # each report its own class, or dates: a time, not a class
        out.append(col)
    return out


def unusable_classes_note(what: str, column: str, usable: Sequence[str]) -> str:
    """Why a breakdown by ``column`` is left out, and the columns that would work."""
    return (
        f"Note: {what} by {column!r} is left out: classes must be text with 2 to 12 values, "
        "some shared by several reports (ids, titles, dates, place names, free text and `area` "
        "are not used). Columns that work "
        f"here: {', '.join(usable) or 'none'}."
    )


def value_names(documents: pd.DataFrame, column: str) -> dict[str, str]:
    """Readable names for a class column's codes, from its ``<column>_name`` (or
    ``<column>_description``) column ("lcspr" -> "Local Child Safeguarding Practice Review");
    {} without one, or where a code has several names."""
    named = next(
        (f"{column}{end}" for end in ("_name", "_description") if f"{column}{end}" in documents),
        None,
    )
    if column not in documents.columns or named is None:
        return {}
    pairs = documents[[column, named]].dropna().astype(str).drop_duplicates()
    if pairs[column].duplicated().any():
        return {}
    return dict(zip(pairs[column], pairs[named], strict=True))


def names_key(documents: pd.DataFrame, column: str) -> str:
    """' Key: chapter8 = Serious Case Review ...; lcspr = ...' for a caption ('' without names)."""
    names = value_names(documents, column)
    if not names:
        return ""
    return " Key: " + "; ".join(f"{code} = {name}" for code, name in sorted(names.items())) + "."
