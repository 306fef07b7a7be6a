"""Notebook-facing helpers: each is one step of a report (compute, save, return a figure/table).

Notebooks stay thin: a ``parameters`` cell of literals, then one call per step from here.
Figures are drawn by :mod:`lip_research.figures` and saved (PNG 300 dpi, SVG, PDF, caption)
under ``<run_dir>/figures``; tables go to ``<run_dir>``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lip_research import analysis, evaluate, figures, io
from lip_research.config import RunConfig
from lip_research.display import save_figure, table  # noqa: F401  (table: notebook API)
from lip_research.pipeline import (  # noqa: F401  (build_config, save_topics: notebook API)
    TopicRun,
    build_config,
    load_corpus,
    provenance,
    run_topics,
    save_topics,
    write_topic_tables,
)


def from_project_root() -> Path:
    """Work from the project folder, as `lip report` does: JupyterLab starts a notebook's kernel
    in notebooks/, where the parameters' relative paths (data/sample, reports/...) mean nothing."""
    here = Path.cwd()
    if here.name == "notebooks" and (here.parent / "lip_research").is_dir():
        os.chdir(here.parent)
    return Path.cwd()


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
        f"**{ev['n_topics']} topics** over {run.passages_note()} from "
        f"{run.corpus.documents['doc_id'].nunique():,} documents "
        f"(embedding `{r.config.embedding}`, reduction `{r.config.reduction}`, clustering "
        f"`{r.config.clustering}`). Outliers {ev['outlier_share']:.1%}; largest topic "
        f"{ev['largest_share']:.1%}; NPMI coherence {ev['npmi']:.3f}; diversity {ev['diversity']:.2f}.\n\n"
        f"Chosen from the corpus: {chosen or 'nothing (all parameters were given)'}."
    )


def representative_table(run: TopicRun, per_topic: int = 2, words: int = 40) -> pd.DataFrame:
    """Short excerpts of the passages nearest each topic's centre, with citations.

    A passage that repeats one already shown for the topic (reports reuse standard wording)
    is skipped in favour of the next nearest.
    """
    from lip_research.lexical import citations, excerpt, near_duplicate, shingles

    reps = run.result.representatives
    reps = reps[reps["topic"] != -1]
    keep, shown = [], {}
    for i, (topic, text) in enumerate(zip(reps["topic"], reps["text"], strict=True)):
        seen = shown.setdefault(topic, [])
        sh = shingles(text)
        if len(seen) < per_topic and not any(near_duplicate(sh, other) for other in seen):
            seen.append(sh)
            keep.append(i)
    reps = reps.iloc[keep]
    labels = run.result.topics.set_index("topic")["label"]
    return pd.DataFrame(
        {
            "topic": reps["topic"].to_numpy(),
            "label": reps["topic"].map(labels).to_numpy(),
            "excerpt": [excerpt(t, words) for t in reps["text"]],
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


# -- topics ------------------------------------------------------------------------------------
def fig_topic_sizes(run: TopicRun, run_dir: Path):
    fig, ax = figures.new_figure(6.5, 5.0)
    figures.plot_topic_sizes(run.result.topics, ax)
    topics = run.result.topics
    n_topics = int((topics["topic"] != -1).sum())
    outliers = " and the outliers (grey)" if (topics["topic"] == -1).any() else ""
    shown = "" if len(topics) <= 25 else f" (the 25 largest bars of {n_topics} topics{outliers})"
    return save_figure(fig, run_dir, "topic-sizes", f"Passages assigned to each topic{shown}.")


def fig_top_words(run: TopicRun, run_dir: Path, n_topics: int = 12):
    model = run.result.model
    topics = run.result.topics[run.result.topics["topic"] != -1].nlargest(n_topics, "size")
    cols = 4
    rows = int(np.ceil(len(topics) / cols)) or 1
    figures.use_style()
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(rows, cols, figsize=(9, 2.4 * rows))
    for ax, (_, row) in zip(np.ravel(axes), topics.iterrows(), strict=False):
        pairs = [(w, v) for w, v in (model.get_topic(int(row["topic"])) or []) if w][:8]
        show = run.result.analyzer.display if run.result.analyzer else str
        figures.plot_top_words(
            [show(w) for w, _ in pairs],
            [v for _, v in pairs],
            ax,
            title=f"{row['topic']}: {row['label']}",
        )
    for ax in np.ravel(axes)[len(topics) :]:
        ax.set_visible(False)
    fig.tight_layout()
    return save_figure(
        fig, run_dir, "top-words", "Top words of the largest topics (c-TF-IDF weight)."
    )


def topics_by(run: TopicRun, column: str) -> pd.DataFrame:
    return analysis.topics_by(
        run.result.passage_topics, run.corpus.documents, column, run.result.topics
    )


def topics_over_time(run: TopicRun, time_col: str = "year") -> pd.DataFrame:
    """:func:`topics_by` per year (a date column is reduced to years)."""
    return analysis.topics_over_time(
        run.result.passage_topics, run.corpus.documents, run.result.topics, time_col
    )


def fig_topics_over_time(run: TopicRun, run_dir: Path, time_col: str = "year"):
    years = analysis.as_years(run.corpus.documents[time_col]).dropna()
    if years.nunique() < 2:
        print(
            f"Note: the documents span {years.nunique()} {time_col} value(s), so this is a "
            "snapshot, not a trend; a trend needs documents from two or more years."
        )
    trend = topics_over_time(run, time_col)
    reports = years.groupby(years).size()
    by = "" if time_col == "year" else f" (from {time_col})"
    fig, ax = figures.new_figure(7.5, 3.8)
    colours = figures.topic_colours(run.result.passage_topics["topic"])
    figures.plot_topic_trend(trend, ax, time_col, reports=reports, colours=colours)
    save_figure(
        fig,
        run_dir,
        "topics-over-time",
        f"Share of passages in the largest topics by year{by}; n under each year is the "
        "number of reports behind its shares (few reports: large swings). Gaps are years "
        "with no report.",
    )
    io.write_csv(trend, Path(run_dir) / f"topics_by_{time_col}.csv")
    return fig


def fig_topic_heatmap(run: TopicRun, run_dir: Path, column: str, top: int = 15):
    by = topics_by(run, column)
    io.write_csv(by, Path(run_dir) / f"topics_by_{column}.csv")
    every = analysis.crosstab(by, column)
    wide = every.head(top)
    fig, ax = figures.new_figure(7.5, 0.3 * len(wide) + 1.5)
    figures.plot_heatmap(
        wide, ax, title=f"Topic share of passages by {column}", cbar_label="share of passages"
    )
    cut = "" if len(wide) == len(every) else f" (the {len(wide)} largest of {len(every)} rows)"
    return save_figure(
        fig,
        run_dir,
        f"topics-by-{column}",
        f"Share of each {column}'s passages in each topic{cut}; topics_by_{column}.csv has "
        "every topic.",
    )


def fig_passage_map(run: TopicRun, run_dir: Path):
    coords = analysis.projection_2d(run.embeddings, run.config.seed)
    labels = dict(zip(run.result.topics["topic"], run.result.topics["label"], strict=True))
    fig, ax = figures.new_figure(7.5, 5.0)
    figures.plot_passage_map(coords, run.result.passage_topics["topic"], ax, labels)
    io.write_parquet(
        run.result.passage_topics[["passage_id", "topic"]].assign(
            x=coords[:, 0].round(5), y=coords[:, 1].round(5)
        ),
        Path(run_dir) / "passage_map.parquet",
    )
    return save_figure(
        fig,
        run_dir,
        "passage-map",
        "Passages in two dimensions (UMAP of embeddings), coloured by topic: the 12 largest "
        "topics, in the colours they have in every figure; the rest light grey.",
    )


def fig_hierarchy(run: TopicRun, run_dir: Path):
    from lip_research.topics import topic_embeddings

    cents = topic_embeddings(run.result.passage_topics, run.embeddings)
    link = analysis.hierarchy(cents)
    labels = run.result.topics.set_index("topic").loc[[t for t in cents.index if t != -1], "label"]
    fig, ax = figures.new_figure(7.0, 0.22 * len(labels) + 1.5)
    figures.plot_hierarchy(link, [f"{t}: {lab}" for t, lab in labels.items()], ax)
    return save_figure(
        fig, run_dir, "topic-hierarchy", "Topics clustered by the similarity of their passages."
    )


# -- evaluation --------------------------------------------------------------------------------
def evaluation(
    run: TopicRun,
    seeds: int = 3,
    labels: pd.Series | None = None,
    npmi_window: int | None = None,
    resamples: int = 0,
) -> pd.DataFrame:
    """Quality figures, stability over ``seeds`` seeds, and recovery of known labels if given.

    ``npmi_window`` adds NPMI counted within sliding windows of that many words, the reading
    most topic-model papers report (lower than the passage-level figure; see the README).
    ``resamples`` refits on that many random 90% shares of the documents (same seed, same
    resolved settings) and compares each with the run on the passages both hold.
    """
    from lip_research.topics import fit_topics, topic_words

    check_stability_seeds(seeds)
    check_stability_resamples(resamples)
    figs = dict(run.evaluation)
    words = {
        int(t): w.split(";")
        for t, w in zip(run.result.topics["topic"], run.result.topics["words"], strict=True)
    }
    if npmi_window is not None:
        texts = run.corpus.passages["text"].astype(str).tolist()
        figs[f"npmi_window_{npmi_window}"] = evaluate.npmi(words, texts, window=npmi_window)
    runs = [(run.result.passage_topics["topic"].tolist(), words)]
    from lip_research.pipeline import place_names

    names = place_names(run.corpus.documents)
    for k in range(1, seeds):
        other = fit_topics(
            run.corpus.passages, run.embeddings, run.config.topics, run.config.seed + k, names=names
        )
        runs.append(
            (
                other.passage_topics["topic"].tolist(),
                {int(t): topic_words(other.model, int(t)) for t in other.topics["topic"]},
            )
        )
    if seeds > 1:
        figs.update({f"stability_{k}": v for k, v in evaluate.stability(runs).items()})
        seed = run.config.seed
        figs["stability_seeds"] = ", ".join(str(seed + k) for k in range(seeds))  # which refits
    if resamples:
        figs.update(_resampled(run, words, resamples, names))
    if labels is not None:
        known = labels.notna().to_numpy()
        topics = run.result.passage_topics["topic"].to_numpy()
        figs.update(
            {
                f"recovery_{k}": v
                for k, v in evaluate.recovery(topics[known], labels[known].astype(str)).items()
            }
        )
    run.evaluation = figs
    return evaluate.evaluation_table(
        {k: round(v, 4) if isinstance(v, float) else v for k, v in figs.items()}
    )


def _resampled(
    run: TopicRun, words: dict[int, list[str]], resamples: int, names: list[str]
) -> dict[str, Any]:
    """Stability when a tenth of the documents is left out: ARI on the passages both fits
    hold and the word overlap of matched topics, for ``resamples`` seeded draws."""
    from lip_research.topics import fit_topics, topic_words

    passages = run.corpus.passages
    masks = evaluate.resample_masks(passages["doc_id"], resamples, run.config.seed)
    n_docs = passages["doc_id"].nunique()
    if not masks:
        return {
            "resample_documents": f"skipped: {n_docs} documents are too few to leave a tenth out"
        }
    full = run.result.passage_topics["topic"].to_numpy()
    aris, overlaps = [], []
    for mask in masks:
        part = fit_topics(
            passages[mask].reset_index(drop=True),
            run.embeddings[mask],
            run.result.config,  # the settings the run resolved to, so the topic count holds
            run.config.seed,
            names=names,
        )
        aris.append(evaluate.ari(full[mask], part.passage_topics["topic"].to_numpy()))
        part_words = {int(t): topic_words(part.model, int(t)) for t in part.topics["topic"]}
        overlaps.append(evaluate.matched_overlap(words, part_words))
    kept = passages.loc[masks[0], "doc_id"].nunique()
    return {
        "resample_documents": f"{kept} of {n_docs}, {len(masks)} draws",
        "resample_ari_mean": float(np.mean(aris)),
        "resample_ari_min": float(np.min(aris)),
        "resample_word_overlap_mean": float(np.mean(overlaps)),
    }


def planted_labels(run: TopicRun, corpus: str | Path) -> pd.Series | None:
    """For a labelled corpus: each passage's planted harm (from the paragraph it overlaps most)."""
    from lip_research.pipeline import corpus_spec

    root = Path(corpus)
    if not (root / "corpus.yaml").exists():
        return None
    spec = corpus_spec(root)
    path = spec.labels / "paragraphs.csv" if spec.labels else None
    if path is None or not path.exists():
        return None
    from lip_research.labels import passage_label

    paragraphs = pd.read_csv(path)
    return passage_label(run.corpus.passages, paragraphs, "harm").replace("any", np.nan)


# -- methods and provenance --------------------------------------------------------------------
LIMITATIONS = """
**Limitations.** Topic models find patterns in the *wording* of reports, not causes; a topic's
label is a summary of its words, to be checked against its passages. Theme coding and the
quality-marker screen are calibrated aids that miss and over-call some passages: check the
evidence passages before quoting a figure. Published reports are a biased sample of reviews,
and national figures come from different samples and periods. Case reviews concern real
children even when anonymised: quote short passages only.
"""


def methods(run: TopicRun, run_dir: Path) -> str:
    """A methods section: corpus, parameters, what was chosen automatically, limitations."""
    r, c = run.result, run.corpus
    lines = [
        f"**Corpus.** {c.documents['doc_id'].nunique():,} documents, {run.passages_note()} "
        f"(content hash `{c.content_hash[:12]}`); files seen: {len(c.ledger):,}.",
        f"**Embedding.** `{r.config.embedding}` "
        + (
            "(all-MiniLM-L6-v2, bundled)."
            if r.config.embedding == "minilm"
            else "(model2vec static model distilled from all-MiniLM-L6-v2)."
        ),
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


def column(corpus, name: str | None, default: str, years: bool = False) -> str:
    """Resolve a column parameter: None means ``default`` if the corpus has values in it.

    A default the corpus lacks is skipped (``''``) with a printed note, so a corpus without,
    say, ``review_model`` still gets its report; a column named explicitly must exist (and,
    with ``years``, hold years or dates).
    """
    docs = corpus.documents
    if name == "":
        print(f"Note: the figures by {default} are left out, as asked ('' given).")
        return ""
    if name is not None:
        check_columns(corpus, name)
        values = docs[name].dropna()
        if years and analysis.as_years(values).isna().all():
            raise analysis.AnalysisError(
                f"metadata column {name!r} holds no years or dates (such as {values.iloc[0]!r}); "
                "give a year or date column, or '' to skip"
            )
        if not years and values.nunique() > 30:
            print(
                f"Note: {name!r} has {values.nunique()} different values; figures by class "
                "read best with a few classes (a review type, a region)."
            )
        return name
    if default in docs.columns and docs[default].notna().any():
        return default
    print(
        f"Note: this corpus has no {default!r} values, so the figures by {default} are left "
        f"out. Columns with values: {', '.join(_usable_columns(docs)) or 'none'}."
    )
    return ""


def _usable_columns(docs: pd.DataFrame) -> list[str]:
    skip = ("doc_id", "text", "path", "sha256", "title")
    return [c for c in docs.columns if c not in skip and docs[c].notna().any()]


def check_stability_seeds(seeds: object) -> None:
    if isinstance(seeds, bool) or not isinstance(seeds, int) or not 1 <= seeds <= 20:
        raise analysis.AnalysisError(
            f"stability_seeds must be a whole number from 1 (no stability figures) to 20, "
            f"not {seeds!r}"
        )


def check_stability_resamples(resamples: object) -> None:
    if isinstance(resamples, bool) or not isinstance(resamples, int) or not 0 <= resamples <= 20:
        raise analysis.AnalysisError(
            f"stability_resamples must be a whole number from 0 (no resampling figures) to 20, "
            f"not {resamples!r}"
        )


def check_themes(theme_ids, cfg: RunConfig | None = None) -> None:
    """Fail early on unknown codebook ids (with suggestions)."""
    from lip_research import codebook

    cfg = cfg or RunConfig()
    books = codebook.load_codebooks(cfg.themes.codebooks, extra=cfg.themes.extra_codebooks)
    if isinstance(theme_ids, str):  # one id given as text, not as a list of one
        theme_ids = [theme_ids]
    codebook.check_ids(list(theme_ids or []), books)


# The rest of the notebook API lives in two neighbours, re-exported so notebooks need one import.
from lip_research.explore import apply_edits, interactive_map, topic_browser  # noqa: E402,F401
from lip_research.lens_bench import (  # noqa: E402,F401
    Lenses,
    briefings,
    fig_marker_coverage,
    fig_theme_heatmap,
    fig_theme_prevalence,
    fig_theme_trend,
    fig_why_by_section,
    lenses,
)
