"""Comparing two runs: what changed in parameters, corpus, quality figures, topics and themes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from lip_research import io
from lip_research.pipeline import TOPIC_KEYS
from lip_research.runs import (
    CORE_TABLES,
    RERUN,
    TABLES,
    RunError,
    corpus_record,
    error_reason,
    lens_run_error,
    not_a_run,
    read_record,
    read_status,
    saved_edits,
    status_warning,
)


def _flatten(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out


def parameter_changes(a: dict[str, Any], b: dict[str, Any]) -> pd.DataFrame:
    """Every flattened key whose value differs; values keep their type (7 stays 7, unset None)."""
    fa, fb = _flatten(a), _flatten(b)
    rows = [
        {"parameter": k, "run_a": fa.get(k), "run_b": fb.get(k)}
        for k in sorted(set(fa) | set(fb))
        if fa.get(k) != fb.get(k)
    ]
    return pd.DataFrame(rows, columns=["parameter", "run_a", "run_b"], dtype=object)


def _changes(rec_a: dict[str, Any], rec_b: dict[str, Any]) -> pd.DataFrame:
    """What differs between two run records: the config as given (a topic setting left to
    'auto' shows what it became), what 'auto' resolved to (``resolved.``), and the corpus
    (``corpus.``: source, documents, passages, and the passages' text as a hash)."""

    def corpus(record: dict[str, Any]) -> dict[str, Any]:
        c = corpus_record(record)
        text = c.get("content_hash")
        return {
            "source": c.get("source") or c.get("path"),
            "documents": c.get("documents"),
            "passages": c.get("passages"),
            "text": f"sha256 {text[:12]}" if isinstance(text, str) else None,
        }

    def resolved(record: dict[str, Any]) -> dict[str, Any]:
        r = record.get("resolved_topics")
        return r if isinstance(r, dict) else {}

    def shown(key: str, value: Any, became: dict[str, Any]) -> Any:
        """A topic setting left to auto, as 'auto: <what it became>'."""
        chosen = became.get(key.removeprefix("topics.")) if key.startswith("topics.") else None
        return (
            f"auto: {chosen}" if value in (None, "auto") and chosen not in (None, "auto") else value
        )

    given = parameter_changes(_config(rec_a), _config(rec_b))
    for side, record in (("run_a", rec_a), ("run_b", rec_b)):
        became = resolved(record)
        given[side] = [
            shown(k, v, became) for k, v in zip(given["parameter"], given[side], strict=True)
        ]
    auto = parameter_changes(resolved(rec_a), resolved(rec_b))
    given_topics = {k.removeprefix("topics.") for k in given["parameter"]}
    auto = auto[~auto["parameter"].isin(given_topics).astype(bool)]
    auto = auto.assign(parameter="resolved." + auto["parameter"])
    text = parameter_changes(corpus(rec_a), corpus(rec_b))
    text = text.assign(parameter="corpus." + text["parameter"])
    # defaults filled in only where both runs recorded them (runs before 2026-11-28 did not)
    both = all(isinstance((r.get("report") or {}).get("defaults"), dict) for r in (rec_a, rec_b))
    notebook = parameter_changes(
        _notebook_parameters(rec_a, both), _notebook_parameters(rec_b, both)
    )
    notebook = notebook.assign(parameter="report." + notebook["parameter"])
    code = parameter_changes(_code(rec_a), _code(rec_b))
    code = code.assign(parameter="code." + code["parameter"])
    return pd.concat([given, auto, text, notebook, code], ignore_index=True).astype(object)


# notebook parameters compared as what they become: the config, the corpus, the topic edits
_COMPARED_AS_SUCH = {"corpus", "config_yaml", "seed", "reduction", "labels", "merge", *TOPIC_KEYS}


def _notebook_parameters(record: dict[str, Any], defaults: bool = True) -> dict[str, Any]:
    """A report's notebook and the parameters it ran with that the config does not record
    (``class_column``, ``briefing_themes`` ...): those given, and with ``defaults`` the
    defaults of those left out."""
    report = record.get("report")
    if not isinstance(report, dict):
        return {}
    given = report.get("parameters") if isinstance(report.get("parameters"), dict) else {}
    recorded = report.get("defaults")
    defaults = recorded if defaults and isinstance(recorded, dict) else {}
    used = {**defaults, **given}  # a parameter left out ran at its default
    kept = {k: v for k, v in used.items() if k not in _COMPARED_AS_SUCH and k != "run_dir"}
    return {"notebook": report.get("notebook"), **kept}


def _code(record: dict[str, Any]) -> dict[str, Any]:
    """The code a run ran on: its git commit and package versions."""
    packages = record.get("packages")
    return {
        "git_commit": record.get("git_commit"),
        **(packages if isinstance(packages, dict) else {}),
    }


def _edit_changes(run_a: Path, run_b: Path) -> pd.DataFrame:
    """Topic edits (``topic_edits.yaml``: merges, labels) that differ, as ``edits.`` rows."""
    edits = parameter_changes(saved_edits(run_a), saved_edits(run_b))
    return edits.assign(parameter="edits." + edits["parameter"])


SHARED_PASSAGES = 0.5  # runs sharing this share of their passages are matched by passages


def match_topics(
    topics_a: pd.DataFrame,
    topics_b: pd.DataFrame,
    min_similarity: float = 0.2,
    passages_a: pd.DataFrame | None = None,
    passages_b: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One-to-one topic matching (Hungarian assignment) by the passages two topics share
    (Jaccard of their passage sets) when both runs' ``passage_topics`` are given and hold
    mostly the same passages, else by their top words (Jaccard). Both overlaps are columns
    (``passage_overlap`` blank when words matched); ``attrs["matched_by"]`` says which
    matched, and a pair below ``min_similarity`` in it is no match (one lost, one gained)."""
    from lip_research.evaluate import word_jaccard

    a = topics_a[topics_a["topic"] != -1].reset_index(drop=True)
    b = topics_b[topics_b["topic"] != -1].reset_index(drop=True)
    words = word_jaccard(
        [str(w).split(";") for w in a["words"]], [str(w).split(";") for w in b["words"]]
    )
    shared = _passage_jaccard(a["topic"], b["topic"], passages_a, passages_b)
    by = "passages" if shared is not None else "words"
    sim = shared if shared is not None else words
    rows: list[dict[str, Any]] = []
    matched_a, matched_b = set(), set()
    if sim.size:
        from scipy.optimize import linear_sum_assignment

        for i, j in zip(*linear_sum_assignment(-sim), strict=True):
            if sim[i, j] >= min_similarity:
                matched_a.add(i)
                matched_b.add(j)
                rows.append(
                    {
                        "status": "matched",
                        "topic_a": int(a["topic"][i]),
                        "label_a": a["label"][i],
                        "topic_b": int(b["topic"][j]),
                        "label_b": b["label"][j],
                        "passage_overlap": None
                        if shared is None
                        else round(float(shared[i, j]), 4),
                        "word_overlap": round(float(words[i, j]), 4),
                        "size_a": int(a["size"][i]),
                        "size_b": int(b["size"][j]),
                    }
                )
    for i in set(range(len(a))) - matched_a:
        rows.append(
            {
                "status": "lost",
                "topic_a": int(a["topic"][i]),
                "label_a": a["label"][i],
                "size_a": int(a["size"][i]),
            }
        )
    for j in set(range(len(b))) - matched_b:
        rows.append(
            {
                "status": "gained",
                "topic_b": int(b["topic"][j]),
                "label_b": b["label"][j],
                "size_b": int(b["size"][j]),
            }
        )
    out = pd.DataFrame(
        rows,
        columns=[
            "status",
            "topic_a",
            "label_a",
            "topic_b",
            "label_b",
            "passage_overlap",
            "word_overlap",
            "size_a",
            "size_b",
        ],
    )
    for column in ("topic_a", "topic_b", "size_a", "size_b"):  # ids stay whole beside blanks
        out[column] = out[column].astype("Int64")
    if not out.empty:
        total_a, total_b = topics_a["size"].sum(), topics_b["size"].sum()
        out["share_shift"] = (
            out["size_b"].fillna(0) / total_b - out["size_a"].fillna(0) / total_a
        ).round(4)
    out.attrs["matched_by"] = by
    return out


def _passage_jaccard(
    topics_a: pd.Series,
    topics_b: pd.Series,
    passages_a: pd.DataFrame | None,
    passages_b: pd.DataFrame | None,
):
    """Jaccard of each pair of topics' passage sets, over the passages both runs hold; None
    when either run's passages are unknown or the runs share under half of them."""
    import numpy as np

    if passages_a is None or passages_b is None:
        return None
    both = passages_a.merge(passages_b, on="passage_id", suffixes=("_a", "_b"))
    if len(both) < SHARED_PASSAGES * max(len(passages_a), len(passages_b), 1):
        return None
    counts = both.groupby(["topic_a", "topic_b"]).size()
    size_a = both.groupby("topic_a").size()
    size_b = both.groupby("topic_b").size()
    out = np.zeros((len(topics_a), len(topics_b)))
    for i, ta in enumerate(topics_a):
        for j, tb in enumerate(topics_b):
            common = counts.get((ta, tb), 0)
            if common:
                out[i, j] = common / (size_a.get(ta, 0) + size_b.get(tb, 0) - common)
    return out


def identical_tables(run_a: Path, run_b: Path) -> dict[str, bool | None]:
    """Per table: True if byte-identical, False if different, None if absent from either run."""
    out: dict[str, bool | None] = {}
    for name in TABLES:
        pa, pb = run_a / name, run_b / name
        out[name] = (
            io.sha256_file(pa) == io.sha256_file(pb) if pa.exists() and pb.exists() else None
        )
    return out


def missing_tables(run_a: Path, run_b: Path) -> dict[str, list[Path]]:
    """Tables a comparison lacks, with the runs that lack them: a table written by every run
    (CORE_TABLES) missing from either run, or any other table present in only one of them."""
    out: dict[str, list[Path]] = {}
    for name in TABLES:
        lacking = [run for run in (run_a, run_b) if not (run / name).exists()]
        if lacking and (name in CORE_TABLES or len(lacking) == 1):
            out[name] = lacking
    return out


def _read_csv(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    try:
        table = pd.read_csv(path)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise RunError(f"{path} is unreadable ({error_reason(exc)}): {RERUN}") from None
    lacking = [c for c in columns if c not in table.columns]
    if lacking:
        raise RunError(f"{path} is unreadable (no column {', '.join(lacking)}): {RERUN}")
    return table


def saved_passage_topics(run: Path) -> pd.DataFrame | None:
    """The run's passage_topics.parquet (passage_id, topic); None where it has none or it
    cannot be read (topics are then matched by their words)."""
    path = run / "passage_topics.parquet"
    try:
        table = pd.read_parquet(path, columns=["passage_id", "topic"])
        return table.astype({"passage_id": str, "topic": int})
    except Exception:  # missing, damaged or foreign: pyarrow raises several kinds
        return None


def theme_shifts(run_a: Path, run_b: Path) -> pd.DataFrame | None:
    """Each theme's prevalence in both runs, in percent of reports as in
    ``theme_prevalence.csv``, and the shift in percentage points."""
    pa, pb = run_a / "theme_documents.csv", run_b / "theme_documents.csv"
    if not (pa.exists() and pb.exists()):
        return None

    def percent(path: Path) -> pd.Series:
        t = _read_csv(path, ("doc_id", "theme_id", "present"))
        n_docs = t["doc_id"].nunique()
        present = t[t["present"].astype(bool)].groupby("theme_id")["doc_id"].nunique()
        return 100 * present / max(n_docs, 1)

    both = pd.concat({"percent_a": percent(pa), "percent_b": percent(pb)}, axis=1).fillna(0.0)
    both["shift_points"] = both["percent_b"] - both["percent_a"]
    return both.round(1).reset_index().rename(columns={"index": "theme_id"})


def _corpus_hashes(rec_a: dict[str, Any], rec_b: dict[str, Any]) -> tuple[str | None, ...]:
    """The two runs' whole-corpus hashes (``ingested_hash``); where either run predates them,
    both runs' ``content_hash`` (of the passages modelled), so like is compared with like."""
    a, b = corpus_record(rec_a), corpus_record(rec_b)
    key = "ingested_hash" if a.get("ingested_hash") and b.get("ingested_hash") else "content_hash"
    return a.get(key), b.get(key)


def _config(record: dict[str, Any]) -> dict[str, Any]:
    """The run's config as recorded, less keys since removed at the value every run recorded
    (an earlier run's ``topics.ngram_max: 1`` is no change), and with keys since added at the
    value it ran as (an earlier run's missing ``topics.phrases`` is ``[]``)."""
    from lip_research.config import ADDED_KEYS, removed_as_recorded

    config = record.get("config")
    if not isinstance(config, dict):
        return {}
    out = {
        section: {k: v for k, v in values.items() if not removed_as_recorded(f"{section}.{k}", v)}
        if isinstance(values, dict)
        else values
        for section, values in config.items()
    }
    for name, value in ADDED_KEYS.items():
        section, key = name.split(".")
        if isinstance(out.get(section), dict):
            out[section].setdefault(key, value)
    return out


def quality_changes(rec_a: dict[str, Any], rec_b: dict[str, Any]) -> pd.DataFrame:
    """The quality figures of both runs (run.json's ``evaluation``), side by side.

    A figure only one run has (say, stability from `lip evaluate` on one of them) is listed
    with None for the other; ``change`` is given where both are numbers.
    """
    ev_a, ev_b = rec_a.get("evaluation") or {}, rec_b.get("evaluation") or {}
    rows = []
    for measure in dict.fromkeys([*ev_a, *ev_b]):
        a, b = ev_a.get(measure), ev_b.get(measure)
        if isinstance(a, dict | list) or isinstance(b, dict | list):
            continue
        numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (a, b))
        rows.append(
            {"measure": measure, "run_a": a, "run_b": b, "change": b - a if numbers else None}
        )
    return pd.DataFrame(rows, columns=["measure", "run_a", "run_b", "change"])


def compare(run_a: Path, run_b: Path, allow_failed: bool = False) -> dict[str, Any]:
    """What changed between two runs. ``same_corpus`` is None when either run's corpus hash is
    unknown; ``missing`` names tables one run lacks (never identical); ``warnings`` holds one
    line per run marked running (or failed, when ``allow_failed``)."""
    run_a, run_b = Path(run_a), Path(run_b)
    warnings = []
    for run in (run_a, run_b):
        status, reason = read_status(run)
        if status == "failed" and not allow_failed:
            why = f" ({reason})" if reason else ""
            raise RunError(
                f"{run} is a failed run{why}; compare complete runs, "
                "or pass --allow-failed to compare what it wrote"
            )
        if not (run / "topics.csv").exists():
            refused = (
                lens_run_error(run, read_record(run), "`lip compare`") if run.is_dir() else None
            )
            if refused:
                raise refused
            raise FileNotFoundError(
                f"{run} is not a run folder ({not_a_run(run, 'topics.csv')}); `lip runs` lists runs"
            )
        warning = status_warning(run)
        if warning:
            warnings.append(warning)
    rec_a, rec_b = read_record(run_a), read_record(run_b)
    for run, record in ((run_a, rec_a), (run_b, rec_b)):
        refused = lens_run_error(run, record, "`lip compare`")
        if refused:
            raise refused
    same = identical_tables(run_a, run_b)
    missing = missing_tables(run_a, run_b)
    hash_a, hash_b = _corpus_hashes(rec_a, rec_b)
    same_corpus = hash_a == hash_b if hash_a and hash_b else None
    columns = ("topic", "size", "label", "words")
    # Passage ids number a report's passages in order: only over the same ingested passages
    # do two runs' ids name the same text.
    passages = (
        (saved_passage_topics(run_a), saved_passage_topics(run_b)) if same_corpus else (None, None)
    )
    topics = match_topics(
        _read_csv(run_a / "topics.csv", columns),
        _read_csv(run_b / "topics.csv", columns),
        passages_a=passages[0],
        passages_b=passages[1],
    )
    if topics.attrs["matched_by"] == "words":
        topics.attrs["why_words"] = (
            "the runs are not over the same ingested passages"
            if not same_corpus
            else "a run has no readable passage_topics.parquet"
            if any(p is None for p in passages)
            else "the runs share under half their passages"
        )
    return {
        "identical": not missing
        and all(v for v in same.values() if v is not None)
        and any(v is not None for v in same.values()),
        "tables": same,
        "missing": missing,
        "same_corpus": same_corpus,
        "unknown_corpus": [run for run, h in ((run_a, hash_a), (run_b, hash_b)) if not h],
        "warnings": warnings,
        "parameters": pd.concat(
            [_changes(rec_a, rec_b), _edit_changes(run_a, run_b)], ignore_index=True
        ),
        "quality": quality_changes(rec_a, rec_b),
        "topics": topics,
        "themes": theme_shifts(run_a, run_b),
    }
