"""Topics for notebooks: the topic figures and the quality figures of a fitted run.

Part of the notebook API: ``lip_research.workbench`` re-exports these functions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lip_research import analysis, evaluate, figures, io, prevalence
from lip_research.display import save_figure
from lip_research.pipeline import TopicRun
from lip_research.prevalence import names_key


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
    """Topic shares by a class column (as CSV, every class); a note instead of the figure when
    the column is no class column (the rule theme prevalence follows)."""
    by = topics_by(run, column)
    io.write_csv(by, Path(run_dir) / f"topics_by_{column}.csv")
    usable = [c for c in prevalence.metadata_columns(run.corpus.documents) if c != "year"]
    if column not in usable:
        print(prevalence.unusable_classes_note("the topic heatmap", column, usable))
        return None
    every = analysis.crosstab(by, column)
    wide = every.head(top)
    fig, ax = figures.new_figure(7.5, 0.3 * len(wide) + 1.5)
    figures.plot_heatmap(
        wide,
        ax,
        title=f"Topic share of passages by {column.replace('_', ' ')}",
        cbar_label="share of passages",
    )
    cut = "" if len(wide) == len(every) else f" (the {len(wide)} largest of {len(every)} rows)"
    return save_figure(
        fig,
        run_dir,
        f"topics-by-{column}",
        f"Share of each {column}'s passages in each topic{cut}; topics_by_{column}.csv has "
        "every topic." + names_key(run.corpus.documents, column),
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
    if len([t for t in cents.index if t != -1]) < 2:
        print("Note: the topic hierarchy is left out: it needs at least two topics.")
        return None
    link = analysis.hierarchy(cents)
    labels = run.result.topics.set_index("topic").loc[[t for t in cents.index if t != -1], "label"]
    fig, ax = figures.new_figure(7.0, 0.22 * len(labels) + 1.5)
    figures.plot_hierarchy(link, [f"{t}: {lab}" for t, lab in labels.items()], ax)
    return save_figure(
        fig, run_dir, "topic-hierarchy", "Topics clustered by the similarity of their passages."
    )


def similar_topics(run: TopicRun, n: int = 10) -> pd.DataFrame:
    """The ``n`` most alike pairs of topics (cosine similarity of their passages' centroids):
    the candidates to merge."""
    from lip_research.topics import topic_embeddings

    cents = topic_embeddings(run.result.passage_topics, run.embeddings)
    cents = cents.loc[[t for t in cents.index if t != -1]]
    sims = analysis.similarity(cents).clip(-1.0, 1.0)
    labels = run.result.topics.set_index("topic")["label"]
    ids = list(sims.index)
    rows = [
        {
            "topic_a": a,
            "label_a": labels.get(a, ""),
            "topic_b": b,
            "label_b": labels.get(b, ""),
            "similarity": round(float(sims.loc[a, b]), 3),
        }
        for i, a in enumerate(ids)
        for b in ids[i + 1 :]
    ]
    columns = ["topic_a", "label_a", "topic_b", "label_b", "similarity"]
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values(["similarity", "topic_a", "topic_b"], ascending=[False, True, True])[
        :n
    ].reset_index(drop=True)


# -- evaluation --------------------------------------------------------------------------------
def evaluation(
    run: TopicRun,
    seeds: int = 3,
    labels: pd.Series | None = None,
    npmi_window: int | None = None,
    resamples: int = 0,
    progress: bool = False,
) -> pd.DataFrame:
    """Quality figures, stability over ``seeds`` seeds, and recovery of known labels if given.

    ``npmi_window`` adds NPMI counted within sliding windows of that many words, the reading
    most topic-model papers report (lower than the passage-level figure; see the README).
    ``resamples`` refits on that many random 90% shares of the documents (same seed, same
    resolved settings) and compares each with the run on the passages both hold. A refit in
    which HDBSCAN finds no topic counts as one with every passage an outlier (ARI 0), and the
    figures say how many did; one that cannot be made at all is left out, with the reason.
    """
    from tqdm.auto import tqdm

    check_stability_seeds(seeds)
    check_stability_resamples(resamples)
    # figures this call computes again replace, not join, those of an earlier call
    redone = tuple(p for p, on in (("stability_", seeds > 1), ("resample_", resamples > 0)) if on)
    figs = {k: v for k, v in run.evaluation.items() if not (redone and k.startswith(redone))}
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
    refit_seeds = [(run.config.seed + k) % 2**32 for k in range(seeds)]  # numpy's seed range
    masks = evaluate.resample_masks(run.corpus.passages["doc_id"], resamples, run.config.seed)
    # on a terminal only: not in logs
    with tqdm(
        total=seeds - 1 + len(masks), desc="refits", unit="fit", disable=None if progress else True
    ) as bar:
        failed: list[str] = []
        for seed in refit_seeds[1:]:
            refit = _refit(run, run.config.topics, seed, None, names, failed)
            if refit is not None:
                runs.append(refit)
            bar.update()
        if seeds > 1:
            figs.update({f"stability_{k}": v for k, v in evaluate.stability(runs).items()})
            figs["stability_seeds"] = ", ".join(map(str, refit_seeds))  # which refits
            if failed:
                figs["stability_note"] = _refits_note(failed, seeds - 1, "seeds")
        if resamples:
            figs.update(_resampled(run, words, masks, names, bar))
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


Refit = tuple[list[int], dict[int, list[str]]]


def _refit(
    run: TopicRun, cfg, seed: int, mask: np.ndarray | None, names: list[str], failed: list[str]
) -> Refit | None:
    """A refit's assignments and words: with ``mask``, of those passages only. A refit in which
    HDBSCAN finds no topic is all outliers; one that cannot be made is None, its reason
    added to ``failed``."""
    from lip_research.config import ConfigError
    from lip_research.topics import NoTopicFound, fit_topics, topic_words

    passages, embeddings = run.corpus.passages, run.embeddings
    if mask is not None:
        passages, embeddings = passages[mask].reset_index(drop=True), embeddings[mask]
    try:
        other = fit_topics(passages, embeddings, cfg, seed, names=names)
    except NoTopicFound:
        failed.append("found no topic")
        return [-1] * len(passages), {}
    except ConfigError as exc:
        failed.append(f"could not be made ({exc})")
        return None
    words = {int(t): topic_words(other.model, int(t)) for t in other.topics["topic"]}
    return other.passage_topics["topic"].tolist(), words


def _refits_note(failed: list[str], total: int, what: str) -> str:
    """'1 of 3 draws found no topic (counted with every passage an outlier: ARI 0)', and the
    like."""
    counts = pd.Series(failed).value_counts()
    parts = [
        f"{n} of {total} {what} {reason}"
        + (" (counted with every passage an outlier: ARI 0)" if reason == "found no topic" else "")
        for reason, n in counts.items()
    ]
    return "; ".join(parts)


def _resampled(
    run: TopicRun, words: dict[int, list[str]], masks: list[np.ndarray], names: list[str], bar
) -> dict[str, Any]:
    """Stability when a tenth of the documents is left out: ARI on the passages both fits
    hold and the word overlap of matched topics, for each of the seeded draws ``masks``."""
    n_docs = run.corpus.passages["doc_id"].nunique()
    if not masks:
        return {
            "resample_documents": f"skipped: {n_docs} documents are too few to leave a tenth out"
        }
    full = run.result.passage_topics["topic"].to_numpy()
    aris, overlaps, failed = [], [], []
    for mask in masks:
        # the settings the run resolved to, so that the topic count holds
        part = _refit(run, run.result.config, run.config.seed, mask, names, failed)
        bar.update()
        if part is None:
            continue
        aris.append(evaluate.ari(full[mask], np.asarray(part[0])))
        overlaps.append(evaluate.matched_overlap(words, part[1]))
    kept = run.corpus.passages.loc[masks[0], "doc_id"].nunique()
    out: dict[str, Any] = {"resample_documents": f"{kept} of {n_docs}, {len(masks)} draws"}
    if failed:
        out["resample_note"] = _refits_note(failed, len(masks), "draws")
    if aris:
        out.update(
            {
                "resample_ari_mean": float(np.mean(aris)),
                "resample_ari_min": float(np.min(aris)),
                "resample_word_overlap_mean": float(np.mean(overlaps)),
            }
        )
    return out


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
