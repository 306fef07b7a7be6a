"""Notebook-facing helpers: each is one step of a report (compute, save, return a figure/table).

Notebooks stay thin: a ``parameters`` cell of literals, then one call per step from here.
Figures are drawn by :mod:`lip_research.figures` and saved (PNG 300 dpi, SVG, PDF, caption)
under ``<run_dir>/figures``; tables go to ``<run_dir>``.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from lip_research import analysis, figures, io, prevalence
from lip_research.config import RunConfig
from lip_research.display import (  # noqa: F401  (table, captioned: notebook API)
    captioned,
    save_figure,
    section_note,
    table,
)
from lip_research.pipeline import (  # noqa: F401  (build_config, save_topics: notebook API)
    TopicRun,
    build_config,
    distinct_excerpts,
    load_corpus,
    provenance,
    run_topics,
    save_topics,
    topic_excerpts,
    write_topic_tables,
)
from lip_research.runtime import counted


def from_project_root() -> Path:
    """Work from the project folder, as `lip report` does: JupyterLab starts a notebook's kernel
    in notebooks/, where the parameters' relative paths (data/sample, reports/...) mean nothing."""
    here = Path.cwd()
    if here.name == "notebooks" and (here.parent / "lip_research").is_dir():
        os.chdir(here.parent)
    return Path.cwd()


def refuse_unknown_parameters(notebook: str, declared: str, suite: str) -> None:
    """In a papermill run, as `lip report` does: a parameter no notebook of the suite takes
    (``-p n_cluster 10``) is an error naming the ones this one takes, and one another
    notebook takes is left out with a note (one params file serves the suite); papermill
    itself only logs a warning and runs on with the defaults. ``declared`` and ``suite``:
    parameter names, space-separated."""
    from IPython import get_ipython

    from lip_research.report import assigned_names, left_out_parameters

    shell = get_ipython()
    injected = [
        src
        for src in (shell.user_ns.get("In", []) if shell else [])
        if src.startswith("# Parameters")
    ]
    if not injected:
        return  # run by hand, or by papermill without parameters
    given = assigned_names(injected[-1])
    extra = left_out_parameters(given, declared.split(), suite.split(), f"{notebook}.ipynb")
    if extra:
        print(f"Note: {notebook}.ipynb does not use {', '.join(extra)}; left out.")


def _below_common_folder(paths: pd.Series) -> pd.Series:
    """Paths below the folder all of them are in: 'elmsford/review.pdf', not 'review.pdf'."""
    try:
        top = Path(os.path.commonpath([str(Path(p).parent) for p in paths]))
        return paths.map(lambda p: Path(p).relative_to(top).as_posix())
    except ValueError:  # relative beside absolute paths, or another drive
        return paths.map(lambda p: Path(p).name)


def show_warnings_as_notes() -> None:
    """Show the workbench's own warnings as one "Warning: …" line, without Python's line of
    source code (a report reader is no programmer); other libraries' as Python shows them."""
    python_show = warnings.showwarning
    if getattr(python_show, "lip_notes", False):  # the setup cell run again
        return

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        if io.ours(category):
            print(f"Warning: {message}", file=sys.stderr)
        else:
            python_show(message, category, filename, lineno, file, line)

    show.lip_notes = True
    warnings.showwarning = show


def prepare(run_dir: str | Path) -> Path:
    path = Path(run_dir)
    (path / "figures").mkdir(parents=True, exist_ok=True)
    return path


def open_corpus(corpus_path: str | Path, cfg: RunConfig):
    """The ingested corpus for a folder (ingesting it first, with caching, if needed)."""
    return load_corpus(corpus_path, cfg, progress=False)


def topics(corpus, cfg: RunConfig) -> TopicRun:
    return run_topics(corpus, cfg, progress=False)


def topic_summary(run: TopicRun) -> str:
    ev, r = run.evaluation, run.result
    chosen = "; ".join(f"{k}: {v}" for k, v in r.choices.items())
    return (
        f"**{counted(ev['n_topics'], 'topic')}** over {run.passages_note()} from "
        f"{counted(run.corpus.documents['doc_id'].nunique(), 'document')} "
        f"(embedding `{r.config.embedding}`, reduction `{r.config.reduction}`, clustering "
        f"`{r.config.clustering}`). Outliers {ev['outlier_share']:.1%}; largest topic "
        f"{ev['largest_share']:.1%}; NPMI coherence {ev['npmi']:.3f}; diversity {ev['diversity']:.2f}.\n\n"
        f"Chosen from the corpus: {chosen or 'nothing (all parameters were given)'}."
    )


def representative_table(run: TopicRun, per_topic: int = 2, words: int = 40) -> pd.DataFrame:
    """Short excerpts of the passages nearest each topic's centre, with citations.

    An excerpt already shown for the topic (reports reuse standard wording) is skipped in
    favour of the next nearest passage.
    """
    from lip_research.lexical import citations

    reps = run.result.representatives
    reps = reps[reps["topic"] != -1]
    reps = reps.assign(excerpt=topic_excerpts(reps, run.result.topics, words))
    reps = reps[distinct_excerpts(reps)].groupby("topic").head(per_topic)
    labels = run.result.topics.set_index("topic")["label"]
    return pd.DataFrame(
        {
            "topic": reps["topic"].to_numpy(),
            "label": reps["topic"].map(labels).to_numpy(),
            "excerpt": reps["excerpt"].to_numpy(),
            "citation": citations(reps),
        }
    )


# -- corpus overview ---------------------------------------------------------------------------
def corpus_overview(run_or_corpus) -> dict[str, pd.DataFrame]:
    corpus = getattr(run_or_corpus, "corpus", run_or_corpus)
    docs, passages, ledger = corpus.documents, corpus.passages, corpus.ledger
    words = passages.assign(words=passages["text"].str.split().str.len())
    per_doc = words.groupby("doc_id")["words"].sum()
    out = {
        "summary": pd.DataFrame(
            {
                "measure": ["files seen", "documents", "passages", "median words per document"],
                "value": [len(ledger), len(docs), len(passages), int(per_doc.median())],
            }
        ),
        "sections": words.groupby("section")
        .agg(passages=("passage_id", "size"), words=("words", "sum"))
        .sort_values("passages", ascending=False)
        .reset_index(),
    }
    if not ledger.empty:
        ledger = ledger.assign(reason=ledger["reason"].fillna(""))
        out["ledger"] = ledger.groupby(["status", "reason"]).size().rename("files").reset_index()
        unread = ledger[ledger["status"] != "ok"]
        if not unread.empty:  # named one by one: a reader must know which reports are missing
            out["files"] = pd.DataFrame(
                {
                    "file": _below_common_folder(ledger["path"]).loc[unread.index],
                    "status": unread["status"],
                    "reason": unread["reason"],
                }
            ).reset_index(drop=True)
    return out


def fig_documents_by(corpus, run_dir: Path, column: str = "year", years: bool = False):
    """Documents per value of ``column``; with ``years``, a date column is counted by year."""
    check_columns(corpus, column)
    values = corpus.documents[column]
    what = column
    if years:
        values = analysis.as_years(values)
        what = "year" if column == "year" else f"year ({column})"
    counts = values.value_counts().sort_index()
    if years:
        counts.index = counts.index.astype(int)
    fig, ax = figures.new_figure(6.5, 3.0)
    figures.plot_counts(counts, ax, f"Documents by {what}")
    return save_figure(fig, run_dir, f"documents-by-{column}", f"Number of documents by {what}.")


# -- methods and provenance --------------------------------------------------------------------
LIMITATIONS = """
**Limitations.** Topic models find patterns in the *wording* of reports, not causes; a topic's
label is a summary of its words, to be checked against its passages. Theme coding and the
quality-marker screen are calibrated aids that miss and over-call some passages: check the
evidence passages before quoting a figure. Published reports are a biased sample of reviews,
and national figures come from different samples and periods. Case reviews concern real
children even when anonymised: quote short passages only.
"""


def _embedding_reach(window: int, cut: float | None) -> str:
    how = (
        f" Passages of 1.5 windows or more were embedded as the mean of windows of ~{window} words."
        if window
        else ""
    )
    if cut is None:
        return how
    longer = "had a window longer" if window else "were longer"
    return how + f" {cut:.1%} of the passages {longer} than the model reads (it reads the start)."


def _provenance_line() -> str:
    """When and with which code a report was made (run.json holds every package version)."""
    version = io.package_versions(["lip_research"])["lip_research"]
    commit = io.git_commit()
    code = f"lip_research {version}" + (f", git commit `{commit}`" if commit else "")
    return f"**Made** {io.now_iso()} with {code}; package versions are in `run.json`."


def methods(run: TopicRun, run_dir: Path) -> str:
    """A methods section: corpus, parameters, what was chosen automatically, limitations."""
    r, c = run.result, run.corpus
    lines = [
        f"**Corpus.** {c.documents['doc_id'].nunique():,} documents, {run.passages_note()} "
        f"(content hash `{c.content_hash[:12]}`); files seen: {len(c.ledger):,}; "
        f"from `{c.source or c.path}`.",
        _provenance_line(),
        f"**Embedding.** `{r.config.embedding}` "
        + (
            "(all-MiniLM-L6-v2, bundled)."
            if r.config.embedding == "minilm"
            else "(model2vec static model distilled from all-MiniLM-L6-v2)."
        )
        + _embedding_reach(r.config.embedding_window, run.evaluation.get("embedding_cut_short")),
        "**Theme coding.** Practice issues, quality markers and the 'why' of practice are "
        "coded on the same passage embedding (trained on the corpus's labels where it has "
        "them, else by similarity to the codebooks with shipped thresholds), so another "
        "embedding moves theme prevalence as well as topics.",
        f"**Topic model.** BERTopic with reduction `{r.config.reduction}` "
        f"({r.config.n_components} components), clustering `{r.config.clustering}`"
        + (
            f" ({r.config.n_clusters} topics)"
            if r.config.clustering != "hdbscan"
            else f" (min size {r.config.min_topic_size})"
        )
        + f", representation `{r.config.representation}`, seed {run.config.seed}.",
        "**Topic words.** NLTK tokenising and collocations, simplemma lemmas, stopwords for "
        "English, report boilerplate, role words, numbers, dates and place names.",
        "**Chosen from the corpus.** "
        + ("; ".join(f"{k}: {v}" for k, v in r.choices.items()) or "nothing"),
        (
            f"**Reproduce.** `lip report --params {Path(run_dir) / 'params.yaml'}` reruns this "
            "report with the same parameters; "
            if (Path(run_dir) / "params.yaml").exists()
            else "**Reproduce.** Run this notebook with `lip report` to record its parameters; "
        )
        + "the same corpus (content hash above), seed and package versions (`run.json`) give "
        "identical tables. The full configuration is in `config.yaml`.",
        LIMITATIONS.strip(),
    ]
    return "\n\n".join(lines)


MEASURES = {  # what each quality figure is, for readers of a report (README: the details)
    "n_topics": "topics found (outliers not counted)",
    "npmi": "coherence: do a topic's top words occur in the same passages? (-1 to 1, NPMI)",
    "diversity": "share of distinct words among all topics' top words (0 to 1)",
    "outlier_share": "share of passages in no topic",
    "largest_share": "share of passages in the largest topic",
    "junk_topics": "topics with 3 or more boilerplate words, places, numbers or dates in their top 10",
    "embedding_cut_short": "share of passages longer than the embedding model reads",
    "stability_seeds": "seeds refitted for stability",
    "stability_ari_mean": "agreement of passage assignments across seeds (ARI, 1 = same)",
    "stability_ari_min": "lowest agreement across seeds (ARI)",
    "stability_word_overlap_mean": "top words shared by matched topics across seeds (Jaccard)",
    "stability_note": "refits at other seeds that found no topic or could not be made",
    "resample_documents": "documents each refit keeps, with a tenth left out",
    "resample_ari_mean": "agreement of assignments with a tenth of the documents left out (ARI)",
    "resample_ari_min": "lowest agreement with a tenth of the documents left out (ARI)",
    "resample_word_overlap_mean": "top words shared by matched topics, a tenth left out (Jaccard)",
    "resample_note": "refits with a tenth left out that found no topic or could not be made",
    "recovery_nmi": "agreement of topics with the labelled harm types (NMI, 0 to 1)",
    "recovery_ari": "agreement of topics with the labelled harm types (ARI)",
}


def class_key(corpus, column: str) -> str:
    """' Key: lcspr = Local Child Safeguarding Practice Review; ...' for a by-class caption,
    from the corpus's ``<column>_name`` column ('' without one)."""
    return prevalence.names_key(corpus.documents, column) if column else ""


def quality_table(figures: pd.DataFrame) -> pd.DataFrame:
    """The evaluation table (measure, value) with what each measure is, for a report."""
    meaning = figures["measure"].map(lambda m: MEASURES.get(m) or _window_measure(str(m)) or "")
    return figures.assign(meaning=meaning)[["meaning", "value", "measure"]]


def _window_measure(measure: str) -> str | None:
    if measure.startswith("npmi_window_"):
        return f"coherence counted within {measure.rsplit('_', 1)[-1]}-word windows (NPMI)"
    return None


def finish(run: TopicRun, run_dir: Path, extra: dict[str, Any] | None = None) -> Path:
    """Write run.json last (with the evaluation figures gathered during the report)."""
    return io.write_json(provenance(run, extra), Path(run_dir) / "run.json")


def fig_document_lengths(corpus, run_dir: Path):
    words = (
        corpus.passages.assign(w=corpus.passages["text"].str.split().str.len())
        .groupby("doc_id")["w"]
        .sum()
    )
    fig, ax = figures.new_figure(6.5, 3.0)
    ax.hist(words, bins=20, color=figures.PALETTE[0])
    ax.set_xlabel("words per document (after cleaning)")
    ax.set_ylabel("documents")
    ax.set_title("Document lengths")
    return save_figure(
        fig,
        run_dir,
        "document-lengths",
        "Distribution of document lengths in words, after cleaning.",
    )


def finish_simple(run_dir: Path, extra: dict[str, Any]) -> Path:
    """run.json for notebooks that fit no topic model."""
    record = {
        "created": io.now_iso(),
        "packages": io.package_versions(),
        "git_commit": io.git_commit(),
        **extra,
    }
    return io.write_json(record, Path(run_dir) / "run.json")


def check_columns(corpus, *columns: str) -> None:
    """Fail early, naming the usable columns, if a metadata column is missing or empty."""
    docs = corpus.documents
    for name in columns:
        if name and (name not in docs.columns or docs[name].isna().all()):
            problem = "unknown" if name not in docs.columns else "empty (no document has a value)"
            raise analysis.AnalysisError(
                f"metadata column {name!r} is {problem}; this corpus has values in: "
                f"{', '.join(_usable_columns(docs)) or 'none'}. "
                "Give one of those, '' to skip, or add the column with a manifest."
            )


def column(
    corpus, name: str | None, default: str, years: bool = False, classes: bool = False
) -> str:
    """Resolve a column parameter: None means ``default`` if the corpus has values in it.

    A default the corpus lacks is skipped (``''``) with a printed note, so a corpus without,
    say, ``review_model`` still gets its report; a column named explicitly must exist (and,
    with ``years``, hold years or dates). With ``classes``, a named column that gives no
    classes is said so now, before the long work, rather than when its figures are drawn.
    """
    docs = corpus.documents
    if name == "":
        print(f"Note: the figures by {default} are left out, as asked ('' given).")
        return ""
    if name is not None:
        check_columns(corpus, name)
        values = docs[name].dropna()
        if years:  # an error when it is no year column; a warning naming stray values
            try:
                analysis.years_of(values, name, docs)
            except analysis.AnalysisError as exc:
                raise analysis.AnalysisError(f"{exc} Or give '' to leave the trend out.") from None
            _note_missing_years(docs, name)
        usable = [c for c in prevalence.metadata_columns(docs) if c != "year"] if classes else []
        if classes and name not in usable:
            print(
                prevalence.unusable_classes_note("the heatmap", name, usable)
                + " Its tables are still written."
            )
        elif not years and values.nunique() > 30:
            print(
                f"Note: {name!r} has {values.nunique()} different values; figures by class "
                "read best with a few classes (a review type, a region)."
            )
        return name
    if default in docs.columns and docs[default].notna().any():
        if years:
            _note_missing_years(docs, default)
        return default
    print(
        f"Note: this corpus has no {default!r} values, so the figures by {default} are left "
        f"out. Columns with values: {', '.join(_usable_columns(docs)) or 'none'}."
    )
    return ""


def _note_missing_years(docs: pd.DataFrame, name: str) -> None:
    """Say how many reports a trend by ``name`` leaves out for want of a value, and which
    other columns hold years."""
    missing = int(docs[name].isna().sum())
    if not missing:
        return
    others = [c for c in analysis.time_columns(docs) if c != name]
    print(
        f"Note: {counted(missing, 'report')} of {len(docs)} {'has' if missing == 1 else 'have'} "
        f"no {name!r} value: the figures by year leave {'it' if missing == 1 else 'them'} out."
        + (f" Other columns with years: {', '.join(others)} (time_column)." if others else "")
    )


def _usable_columns(docs: pd.DataFrame) -> list[str]:
    skip = ("doc_id", "text", "path", "sha256", "title")
    return [c for c in docs.columns if c not in skip and docs[c].notna().any()]


def check_themes(theme_ids, cfg: RunConfig | None = None) -> None:
    """Fail early on unknown codebook ids (with suggestions)."""
    from lip_research import codebook

    cfg = cfg or RunConfig()
    books = codebook.load_codebooks(cfg.themes.codebooks, extra=cfg.themes.extra_codebooks)
    if isinstance(theme_ids, str):  # one id given as text, not as a list of one
        theme_ids = [theme_ids]
    codebook.check_ids(list(theme_ids or []), books)


# The rest of the notebook API lives in three neighbours, re-exported so notebooks need one import.
from lip_research.explore import apply_edits, interactive_map, topic_browser  # noqa: E402,F401
from lip_research.lens_bench import (  # noqa: E402,F401
    Lenses,
    briefings,
    check_method,
    fig_marker_coverage,
    fig_theme_heatmap,
    fig_theme_prevalence,
    fig_theme_trend,
    fig_why_by_section,
    lenses,
)
from lip_research.topic_bench import (  # noqa: E402,F401
    check_stability_resamples,
    check_stability_seeds,
    evaluation,
    fig_hierarchy,
    fig_passage_map,
    fig_top_words,
    fig_topic_heatmap,
    fig_topic_sizes,
    fig_topics_over_time,
    planted_labels,
    similar_topics,
    topics_by,
    topics_over_time,
)
