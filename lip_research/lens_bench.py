"""The Learning into Practice lenses for notebooks: coding, prevalence, markers, 'why', briefings.

Part of the notebook API: ``lip_research.workbench`` re-exports these functions.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from lip_research import figures, lens_figures, prevalence
from lip_research.config import RunConfig
from lip_research.display import save_figure, table
from lip_research.pipeline import TopicRun
from lip_research.prevalence import names_key


@dataclass
class Lenses:
    """The lenses over a corpus, with display tables for the notebooks."""

    outputs: Any
    method: str
    labelled: bool
    documents: pd.DataFrame | None = None  # the corpus's, for readable class names
    year_column: str = "year"  # where the documents' years were read from

    @property
    def prevalence_table(self) -> pd.DataFrame:
        cols = [
            c
            for c in (
                "theme_id",  # the id that trend_theme and briefing_themes take
                "label",
                "codebook",
                "n_present",
                "denominator",
                "percent",
                "first_year",
                "last_year",
            )
            if c in self.outputs.summary
        ]
        shown = self.outputs.summary[cols].copy()
        for col in ("first_year", "last_year"):  # whole years, not 2016.0
            if col in shown:
                shown[col] = pd.to_numeric(shown[col], errors="coerce").round().astype("Int64")
        return table(shown, 1)  # every theme: a cut would read as absent

    @property
    def evidence_table(self) -> pd.DataFrame:
        """The strongest passage behind each coded theme, most prevalent themes first."""
        summary = self.outputs.summary
        evidence = self.outputs.themes.evidence
        best = evidence.sort_values(["score", "passage_id"], ascending=[False, True])
        best = best.drop_duplicates("theme_id")
        order = summary[summary["n_present"] > 0][["theme_id", "label", "n_present"]]
        rows = order.merge(best, on="theme_id")
        return table(rows[["label", "n_present", "score", "citation", "excerpt"]], 2)

    @property
    def why_table(self) -> pd.DataFrame:
        from lip_research import why

        share = why.why_share(self.outputs.why.detected)
        return table(share.sort_values("percent").reset_index(drop=True), 1)

    @property
    def marker_table(self):
        s = self.outputs.screening
        wide = s.pivot_table(
            index="doc_id", columns="number", values="evidence_found", aggfunc="first"
        )
        wide = wide.replace({True: "evidence", False: "—"})
        wide.columns = [f"QM{n}" for n in wide.columns]  # the markers' own numbering, 1-18
        return table(wide.reset_index())


def labels_folder(source: str | Path | None) -> Path | None:
    """The labels folder (with paragraphs.csv) a ``corpus.yaml`` at ``source`` names, else None."""
    from lip_research.pipeline import corpus_spec

    if not source or not (Path(source) / "corpus.yaml").exists():
        return None
    spec = corpus_spec(source)
    return spec.labels if spec.labels and (spec.labels / "paragraphs.csv").exists() else None


def check_method(method: str, corpus) -> None:
    """Refuse ``method: supervised`` for a corpus without labels before any topic fit."""
    from lip_research.lenses import LensParams

    LensParams(method=method).resolve_method(labels_folder(corpus.source) is not None)


def lenses(
    run_or_corpus,
    run_dir: Path,
    cfg: RunConfig | None = None,
    corpus_path: str | Path | None = None,
    method: str = "auto",
    time_column: str | None = None,
) -> Lenses:
    """Code passages and reports against the codebooks, screen quality markers, find the 'why'.

    With a labelled corpus (a ``corpus.yaml`` naming ``labels``) and ``method="auto"`` the
    supervised layer is trained on those labels; otherwise the zero-shot coder with the
    shipped thresholds is used. The method is recorded in every table. ``time_column`` (a
    year or date column) gives the years of themes' first and last reports, their trends and
    ``prevalence_by_<time_column>.csv``, as it does for topics; by default the ``year``
    column; ``""`` leaves years out.
    """

    from lip_research import codebook
    from lip_research.commands.lens_io import read_labels, write_lens_tables
    from lip_research.lens_run import run_lenses
    from lip_research.lenses import LensParams
    from lip_research.pipeline import embed_passages, embedder

    if isinstance(run_or_corpus, TopicRun):
        corpus, vectors, cfg = run_or_corpus.corpus, run_or_corpus.embeddings, run_or_corpus.config
    else:
        corpus, cfg = run_or_corpus, cfg or RunConfig()
        vectors, _ = embed_passages(corpus, cfg, progress=False)
    folder = labels_folder(corpus_path or corpus.source)
    labels = read_labels(folder) if folder else None
    books = codebook.load_codebooks(cfg.themes.codebooks, extra=cfg.themes.extra_codebooks)
    documents = with_years(corpus.documents, time_column)
    out = run_lenses(
        corpus.passages, documents, vectors,
        embedder(cfg),
        books, LensParams.from_config(cfg, method=method), labels=labels, national=prevalence.load_national(),
    )  # fmt: skip
    year_column = "year" if time_column is None else time_column
    if year_column not in ("", "year") and "year" in out.by:  # named for the column read
        by = dict(out.by)
        by[year_column] = by.pop("year").rename(columns={"year": year_column})
        out = dataclasses.replace(out, by=by)
    write_lens_tables(out, Path(run_dir), figures_too=False)
    return Lenses(out, out.themes.method, labels is not None, documents, year_column)


def with_years(documents: pd.DataFrame, column: str | None) -> pd.DataFrame:
    """The documents with ``year`` read from ``column``, a year or date column: unchanged
    without one (None) or when it is ``year``; with no ``year`` when it is ``""``."""
    from lip_research.analysis import years_of

    if column == "":
        return documents.drop(columns="year", errors="ignore")
    if column is None or column == "year" or column not in documents:
        return documents
    years = years_of(documents[column], column, documents).round().astype("Int64")
    return documents.assign(year=years)


def fig_theme_prevalence(lens: Lenses, run_dir: Path):
    summary = lens.outputs.summary
    if "n_present" in summary and not summary["n_present"].any():
        print(
            f"Note: no theme was coded in any of the {int(summary['denominator'].max())} reports; the figure "
            "shows every theme at 0%. On a handful of reports, or with method zero_shot on "
            "text unlike case reviews, that is expected."
        )
    return _draw(lens_figures.prevalence_figure, lens, run_dir, "theme-prevalence")


def fig_theme_heatmap(lens: Lenses, run_dir: Path, column: str):
    """Theme prevalence by a class column; a note instead when the column gives no classes."""
    if column not in lens.outputs.by:
        usable = [c for c in lens.outputs.by if c != "year"]
        print(prevalence.unusable_classes_note("theme prevalence", column, usable))
        return None
    table_ = lens.outputs.by[column]
    fig, ax = figures.new_figure(7.5, 5.5)
    lens_figures.draw_prevalence_by(ax, table_, column)
    return save_figure(
        fig,
        run_dir,
        f"theme-prevalence-by-{column}",
        f"Theme prevalence (% of reports) by {column}{_cut(table_)}; column labels give the "
        "number of reports."
        + (names_key(lens.documents, column) if lens.documents is not None else ""),
    )


def _cut(table_: pd.DataFrame, top: int = 15) -> str:
    """What a heatmap of the ``top`` most prevalent themes leaves out, for its caption."""
    n = table_["theme_id"].nunique()
    return "" if n <= top else f", the {top} most prevalent of {n} themes (every theme in the CSV)"


def fig_theme_trend(
    lens: Lenses, run_dir: Path, theme_id: str, documents: pd.DataFrame | None = None
):
    """One theme's share of reports per year; by default the years the lenses were given."""
    from lip_research import codebook

    entry = codebook.find_entry(lens.outputs.books, theme_id)
    documents = lens.documents if documents is None else documents
    if documents is None or "year" not in documents or documents["year"].isna().all():
        print(f"Note: no document has a year, so the trend of {entry.label!r} is left out.")
        return None
    trend = prevalence.trend(lens.outputs.themes.presence, documents, theme_id)
    source = "" if lens.year_column in ("", "year") else f" (years from {lens.year_column})"
    fig, ax = figures.new_figure(6.5, 3.2)
    lens_figures.draw_trend(ax, trend, entry.label)
    return save_figure(
        fig,
        run_dir,
        f"trend-{theme_id}",
        f"{entry.label}: % of reports per year{source}, with n/N (few reports: large swings). The "
        "line breaks over years with no reports.",
    )


def fig_marker_coverage(lens: Lenses, run_dir: Path):
    return _draw(lens_figures.marker_coverage_figure, lens, run_dir, "marker-coverage")


def fig_why_by_section(lens: Lenses, run_dir: Path):
    return _draw(lens_figures.why_by_section_figure, lens, run_dir, "why-by-section")


def _draw(build, lens: Lenses, run_dir: Path, name: str):
    fig, caption = build(lens.outputs)
    return save_figure(fig, run_dir, name, caption)


def briefings(
    lens: Lenses,
    run: TopicRun,
    run_dir: Path,
    theme_ids: list[str] | tuple[str, ...] = (),
    class_column: str = "review_model",
) -> str:
    """Write briefings (HTML, Markdown, Word) into ``run_dir/briefings``; returns their HTML.
    Each breaks its theme's prevalence down by ``class_column`` ('' for none)."""
    from lip_research.commands.lens_io import write_briefings
    from lip_research.lens_run import briefings as make
    from lip_research.lens_run import corpus_title

    corpus = run.corpus
    topics = run.result.passage_topics[["passage_id", "topic"]].merge(
        run.result.topics[["topic", "label"]], on="topic"
    )
    name = corpus_title(corpus)
    ids = [theme_ids] if isinstance(theme_ids, str) else list(theme_ids)  # one id as text
    documents = corpus.documents if lens.documents is None else lens.documents  # their years
    briefs = make(
        lens.outputs, corpus.passages, documents, ids, topics, name,
        by=(class_column,) if class_column else (),
    )  # fmt: skip
    write_briefings(briefs, Path(run_dir))
    if not briefs:
        return "<p>No briefing: no theme was coded in this corpus.</p>"
    from lip_research.briefing import render_html

    return "\n".join(render_html(b.data, top=3) for b in briefs)  # under the report's "## Briefing"
