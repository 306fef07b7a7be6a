"""Analyses over fitted topics: over time, by class, hierarchy, similarity, merging and renaming.

All functions take tables (``passage_topics``, ``topics``, ``documents``) and return tables,
so the same code serves notebooks, figures and tests.
"""

from __future__ import annotations

import numbers
import re
import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from lip_research.io import CorpusError


class AnalysisError(ValueError):
    """A requested column or topic does not exist; the message lists what does."""


# Columns of the documents table that identify or hold a document rather than describe it.
NOT_METADATA = ("doc_id", "passage_id", "text", "path", "sha256", "title", "row")


UNKNOWN = "unknown"  # the class of documents with no value in a metadata column


def group_values(values: pd.Series) -> pd.Series:
    """Class labels as text: whole numbers without '.0' (years), missing -> 'unknown'."""
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.notna().sum() == values.notna().sum() and (numbers.dropna() % 1 == 0).all():
        values = numbers.astype("Int64")
    text = values.astype("string").fillna(UNKNOWN).str.strip()
    return text.replace("", UNKNOWN).astype(str)


def class_order(value: str) -> tuple:
    """Sort key for class labels (:func:`group_values`): numbers by value, then text, then
    ``unknown``: 1, 2, 10, 'lcspr', 'scr', 'unknown'."""
    try:
        return (value == UNKNOWN, 0, float(value), "")
    except ValueError:
        return (value == UNKNOWN, 1, 0.0, value)


def metadata_columns(documents: pd.DataFrame) -> list[str]:
    """The documents table's columns that describe documents (year, review_model ...)."""
    return [c for c in documents.columns if c not in NOT_METADATA]


def with_metadata(
    passage_topics: pd.DataFrame, documents: pd.DataFrame, column: str
) -> pd.DataFrame:
    if column not in documents.columns:
        raise AnalysisError(
            f"unknown metadata column {column!r}; this corpus has: "
            f"{', '.join(metadata_columns(documents)) or 'none'}. "
            "Add it with a manifest (`lip ingest ... --manifest file.csv`)."
        )
    meta = documents[["doc_id", column]].drop_duplicates("doc_id")
    return passage_topics.merge(meta, on="doc_id", how="left")


def topics_by(
    passage_topics: pd.DataFrame,
    documents: pd.DataFrame,
    column: str,
    topics: pd.DataFrame | None = None,
    include_outliers: bool = False,
    unknown: bool = True,
) -> pd.DataFrame:
    """Passages per topic within each value of a metadata column, with shares and denominators.

    Columns: <column>, topic, label, passages, total (passages in that class), share, documents.
    Reports with no value form the class ``unknown`` (last), as in theme prevalence; with
    ``unknown=False`` (years) they are left out.
    """
    frame = with_metadata(passage_topics, documents, column)
    if unknown:  # classes as text, as theme prevalence has them
        frame[column] = group_values(frame[column])
    else:
        frame = frame[frame[column].notna() & (frame[column].astype(str).str.strip() != "")]
    if not include_outliers:
        frame = frame[frame["topic"] != -1]
    if frame.empty:
        raise CorpusError(f"no passages have a value for {column!r}")
    counts = frame.groupby([column, "topic"]).agg(
        passages=("passage_id", "size"), documents=("doc_id", "nunique")
    )
    # every topic in every class, 0 where it has no passage: a missing row would read (and
    # plot) as if the class said nothing about the topic, rather than zero
    ids = set(frame["topic"])
    if topics is not None:
        ids |= {t for t in topics["topic"] if include_outliers or t != -1}
    classes = sorted(frame[column].unique(), key=class_order if unknown else None)
    grid = pd.MultiIndex.from_product([classes, sorted(ids)], names=[column, "topic"])
    counts = counts.reindex(grid, fill_value=0)
    totals = frame.groupby(column)["passage_id"].size().rename("total")
    out = counts.reset_index().merge(totals.reset_index(), on=column)
    out["share"] = (out["passages"] / out["total"]).round(6)
    if topics is not None:
        out = out.merge(topics[["topic", "label"]], on="topic", how="left")
    else:
        out["label"] = out["topic"].astype(str)
    order = {c: i for i, c in enumerate(classes)}
    out = out.sort_values([column, "topic"], key=lambda c: c.map(order) if c.name == column else c)
    return out.reset_index(drop=True)[
        [column, "topic", "label", "passages", "total", "share", "documents"]
    ]


def topics_over_time(
    passage_topics: pd.DataFrame,
    documents: pd.DataFrame,
    topics: pd.DataFrame,
    time_col: str = "year",
) -> pd.DataFrame:
    """:func:`topics_by` over a year (or any date) column; dates are reduced to years."""
    docs = documents.copy()
    if time_col in docs:
        docs[time_col] = years_of(docs[time_col], time_col, documents).round().astype("Int64")
    return topics_by(passage_topics, docs, time_col, topics, unknown=False)


def time_columns(documents: pd.DataFrame) -> list[str]:
    """Metadata columns that :func:`as_years` reads years from."""
    return [c for c in metadata_columns(documents) if as_years(documents[c]).notna().any()]


YEAR_RANGE = (1800, 2200)


# A financial or academic year: "2016/17", "2016-17", "2016–2017", "FY 2016/17".
_SPAN_YEAR = re.compile(r"^(?:FY\s*)?(\d{4})\s*[/\-\u2013]\s*(\d{2}|\d{4})$", re.IGNORECASE)


def _span_start(text: str) -> float:
    """The first year of a year span ('2016/17' -> 2016), else NaN."""
    match = _SPAN_YEAR.match(text.strip())
    if not match:
        return np.nan
    first, second = int(match[1]), match[2]
    following = first + 1 if len(second) == 4 else (first + 1) % 100
    return float(first) if int(second) == following else np.nan


def as_years(values: pd.Series) -> pd.Series:
    """Years from a year column or a date column (anything else becomes missing).

    A numeric column counts as years only when nearly all its values (90%) are whole numbers
    from 1800 to 2200: a word count or a score is not a year column. A financial or academic
    year ('2016/17', '2016-17') counts as the year it starts in, never as a month ('2010/11'
    is not November 2010).
    """
    if pd.api.types.is_bool_dtype(values):
        return pd.Series(np.nan, index=values.index)
    if pd.api.types.is_numeric_dtype(values):
        known = values.notna()
        year = (values % 1 == 0) & values.between(*YEAR_RANGE)
        if known.any() and year[known].mean() >= 0.9:
            return values.where(year | ~known)
        return pd.Series(np.nan, index=values.index)
    text = values.astype("string").str.strip()
    spans = pd.Series(
        [_span_start(t) if isinstance(t, str) else np.nan for t in text], index=values.index
    )
    dates = pd.to_datetime(values.where(spans.isna()), errors="coerce", format="mixed").dt.year
    return spans.fillna(dates).where(lambda y: y.between(*YEAR_RANGE))


# what a manifest writes for a date it does not know: missing, not a stray value
PLACEHOLDERS = frozenset(
    {"", "unknown", "not known", "n/a", "na", "nan", "none", "null", "tbc", "tbd", "-", "--", "?"}
)


class YearsWarning(UserWarning):
    """Some values of a year or date column are not years: their documents are left out."""


def years_of(values: pd.Series, column: str, documents: pd.DataFrame | None = None) -> pd.Series:
    """:func:`as_years` of a column given as a year or date column, checked: an
    ``AnalysisError`` when more than a tenth of its values are not years or dates (naming the
    ``documents`` columns that are); a ``YearsWarning`` naming the others otherwise."""
    years = as_years(values)
    text = values.astype(str).str.strip().str.lower()
    given = values[values.notna() & ~text.isin(PLACEHOLDERS)]  # 'n/a', 'unknown': missing
    if pd.api.types.is_numeric_dtype(given) and not pd.api.types.is_bool_dtype(given):
        readable = (given % 1 == 0) & given.between(*YEAR_RANGE)  # each value judged alone
    else:
        readable = years.loc[given.index].notna()
    bad = given[~readable]
    if bad.empty:
        return years
    shown = [int(v) if isinstance(v, float) and v.is_integer() else v for v in bad.tolist()]
    examples = ", ".join(repr(v) for v in list(dict.fromkeys(shown))[:3])
    if len(bad) > 0.1 * len(given):
        usable = [] if documents is None else time_columns(documents)
        usable = [c for c in usable if c != column]
        what = (
            "no years or dates"
            if len(bad) == len(given)
            else f"{len(bad)} values of {len(given)} that are not years or dates"
        )
        raise AnalysisError(
            f"metadata column {column!r} holds {what} (such as {examples}), so it gives no "
            f"trend over time; columns of years or dates in this corpus: "
            f"{', '.join(usable) or 'none'}. Give one of those (years such as 2016, financial "
            "years such as 2016/17, or dates), or correct the values with a manifest "
            "(`lip ingest ... --manifest file.csv`)."
        )
    warnings.warn(  # from this line, so that a notebook shows it once, not per check
        f"metadata column {column!r}: {len(bad)} of its {len(given)} values are not years or "
        f"dates ({examples}); their documents are left out of the trend",
        YearsWarning,
        stacklevel=1,
    )
    return years


def crosstab(by: pd.DataFrame, column: str, value: str = "share") -> pd.DataFrame:
    """Wide topic × class table (rows: topic labels) for heatmaps; a label two topics share
    names each with its id ('neglect (topic 3)'), so no row mixes two topics."""
    wide = by.pivot_table(index="topic", columns=column, values=value, fill_value=0.0)
    wide = wide[sorted(wide.columns, key=lambda c: class_order(str(c)))]  # 2 before 10
    labels = by.drop_duplicates("topic").set_index("topic")["label"].astype(str)
    shared = labels[labels.duplicated(keep=False)].index
    wide.index = [f"{labels[t]} (topic {t})" if t in shared else labels[t] for t in wide.index]
    wide.index.name = "label"
    return wide.loc[wide.sum(axis=1).sort_values(ascending=False, kind="stable").index]


def similarity(centroids: pd.DataFrame) -> pd.DataFrame:
    """Cosine similarity between topic centroids (index and columns: topic ids)."""
    m = centroids.to_numpy()
    sims = m @ m.T
    return pd.DataFrame(sims, index=centroids.index, columns=centroids.index).round(6)


def hierarchy(centroids: pd.DataFrame, method: str = "average") -> np.ndarray:
    """Linkage matrix over topic centroids (cosine distance), deterministic."""
    from scipy.cluster.hierarchy import linkage
    from scipy.spatial.distance import pdist

    inliers = centroids.loc[[t for t in centroids.index if t != -1]]
    return linkage(pdist(inliers.to_numpy(), metric="cosine"), method=method)


OUTLIER_TOPIC = -1  # topics.OUTLIER, without importing BERTopic here
MERGE_EXAMPLE = "e.g. merge: [[4, 9], [2, 7, 11]]"


def _topic_id(value: object, what: str) -> int:
    """A topic id written as a whole number (numpy's too, or 3.0) or as text ('3')."""
    if isinstance(value, bool | np.bool_):
        raise AnalysisError(f"{what} must be topic ids (whole numbers), not {value!r}")
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real) and float(value).is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise AnalysisError(f"{what} must be topic ids (whole numbers), not {value!r}")


def check_edits(
    merge: object = None, labels: object = None
) -> tuple[list[list[int]], dict[int, str]]:
    """``merge`` and ``labels`` as written in a notebook's parameters, checked for shape.

    Returns them as lists of int groups and an int -> label dict. Whether the ids exist is
    checked against the fitted topics (:func:`merge_topics`, :func:`relabel`).
    """
    merge = [] if merge is None else merge
    if not isinstance(merge, list | tuple) or not all(isinstance(g, list | tuple) for g in merge):
        raise AnalysisError(
            f"merge must be a list of groups of topic ids, {MERGE_EXAMPLE}; got {merge!r}"
        )
    groups = [[_topic_id(t, "merge groups") for t in g] for g in merge]
    seen: dict[int, list[int]] = {}
    for group in groups:
        if len(set(group)) < 2:
            raise AnalysisError(
                f"merge group {group} needs at least two different topics ({MERGE_EXAMPLE})"
            )
        if OUTLIER_TOPIC in group:
            raise AnalysisError(
                f"merge group {group} holds topic {OUTLIER_TOPIC} (outliers and template text), which "
                "cannot be merged with a topic"
            )
        for t in group:
            if t in seen and seen[t] is not group:
                raise AnalysisError(
                    f"topic {t} is in two merge groups, {seen[t]} and {group}: write topics that "
                    f"belong together as one group, e.g. {sorted(set(seen[t]) | set(group))}"
                )
            seen[t] = group
    labels = {} if labels is None else labels
    if not isinstance(labels, dict):
        raise AnalysisError(
            f'labels must map topic ids to labels, e.g. labels: {{3: "Safer sleep"}}; got {labels!r}'
        )
    out: dict[int, str] = {}
    for key, label in labels.items():
        topic = _topic_id(key, "label keys")
        if (
            not isinstance(label, str | int | float)
            or isinstance(label, bool)
            or not str(label).strip()
        ):
            raise AnalysisError(f"the label for topic {topic} is empty or not text: {label!r}")
        out[topic] = str(label).strip()
    return groups, out


def merge_topics(passage_topics: pd.DataFrame, groups: Sequence[Sequence[int]]) -> pd.DataFrame:
    """Merge each group of topics into its first (smallest id) topic; returns new assignments."""
    groups, _ = check_edits([list(g) for g in groups])
    known = set(passage_topics["topic"])
    mapping: dict[int, int] = {}
    for group in groups:
        missing = [t for t in group if t not in known]
        if missing:
            raise AnalysisError(
                f"cannot merge unknown topics {missing}; topics are {sorted(known)}"
            )
        target = min(group)
        mapping.update({int(t): int(target) for t in group})
    left = {mapping.get(int(t), int(t)) for t in known} - {OUTLIER_TOPIC}
    if len(left) < 2 <= len(known - {OUTLIER_TOPIC}):
        raise AnalysisError(
            f"merging {groups} would leave one topic: there would be nothing to tell apart; "
            "merge fewer topics"
        )
    out = passage_topics.copy()
    out["topic"] = out["topic"].map(lambda t: mapping.get(int(t), int(t)))
    return out


def relabel(topics: pd.DataFrame, labels: Mapping[int, str]) -> pd.DataFrame:
    """Apply researcher-chosen labels (topic id -> label); unknown ids are an error."""
    unknown = set(labels) - set(topics["topic"])
    if unknown:
        ids = sorted(int(t) for t in topics["topic"] if t != -1)
        raise AnalysisError(
            f"cannot relabel unknown topics {sorted(unknown)}; topics are {ids} "
            "(after a merge, the merged topic keeps its smallest id)"
        )
    out = topics.copy()
    out["label"] = [
        labels.get(int(t), lab) for t, lab in zip(out["topic"], out["label"], strict=True)
    ]
    for label, ids in out.groupby("label")["topic"]:
        given = [int(t) for t in ids if int(t) in labels]
        if len(ids) > 1 and given:
            both = sorted(int(t) for t in ids)
            raise AnalysisError(
                f"topics {' and '.join(map(str, both))} would both be labelled {label!r}: a "
                "label must tell its topic apart; to read them as one topic, merge them "
                f"(merge: [{both}]) and label the merged topic (it keeps id {both[0]})"
            )
    return out


def projection_2d(embeddings: np.ndarray, seed: int) -> np.ndarray:
    """2-D coordinates for the passage map (UMAP, seeded: the same map every time)."""
    from lip_research.topics import DistinctRowsUMAP

    if len(embeddings) < 5:
        return np.zeros((len(embeddings), 2))
    reducer = DistinctRowsUMAP(n_components=2, n_neighbors=min(15, len(embeddings) - 1),
                               min_dist=0.1, metric="cosine", random_state=seed, n_jobs=1)  # fmt: skip
    return reducer.fit_transform(embeddings)
