"""Shared steps of the lens commands: load a corpus and its vectors, compute the lenses,
write their tables, figures and briefings into a run folder, and record ``run.json``.

`write_lens_tables` and `write_briefings` also serve the default report.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import typer

from lip_research import io


@dataclass
class Context:
    """A loaded corpus, its vectors and what the lenses need alongside."""

    cfg: Any
    corpus: io.Corpus
    vectors: np.ndarray
    embed: Any
    labels: Any
    books: tuple
    timings: dict[str, float]
    ingested_hash: str = ""  # the whole corpus, excluded sections included


def read_labels(folder: str | Path):
    """The sample-format labels folder (paragraphs.csv, passage_themes.csv, document_themes.csv,
    document_markers.csv) as `lens_eval.Labels`."""
    from lip_research.lens_eval import Labels

    folder = Path(folder)
    names = ("paragraphs", "passage_themes", "document_themes", "document_markers")
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise typer.BadParameter(
            f"{folder} {what}: give a labels folder like data/sample/labels",
            param_hint="--labels",
        )
    missing = [n for n in names if not (folder / f"{n}.csv").exists()]
    if missing:
        raise typer.BadParameter(
            f"{folder} lacks {', '.join(m + '.csv' for m in missing)}", param_hint="--labels"
        )
    from lip_research.lens_eval import LABEL_COLUMNS

    frames = {}
    for n in names:
        try:
            frames[n] = pd.read_csv(
                folder / f"{n}.csv", dtype={"doc_id": str}, keep_default_na=False
            )
        except (ValueError, UnicodeDecodeError) as exc:
            raise typer.BadParameter(
                f"{folder / (n + '.csv')} could not be read: {str(exc).splitlines()[0]}",
                param_hint="--labels",
            ) from None
        lacking = [c for c in LABEL_COLUMNS[n] if c not in frames[n].columns]
        if lacking:
            raise typer.BadParameter(
                f"{folder / (n + '.csv')} has no column {', '.join(lacking)} (it needs "
                f"{', '.join(LABEL_COLUMNS[n])}; see data/sample/labels)",
                param_hint="--labels",
            )
    frames["paragraphs"]["why"] = (
        frames["paragraphs"]["why"].astype(str).str.lower().isin(["true", "1"])
    )
    return Labels(**frames)


def load_context(
    corpus: Path,
    config: Path | None,
    backend: str | None,
    codebooks: list[Path],
    labels: Path | None,
    method: str,
    whole: bool = False,
) -> Context:
    from lip_research import codebook, pipeline
    from lip_research import config as config_mod

    if method not in ("auto", "zero_shot", "supervised"):
        raise typer.BadParameter("choose auto, zero_shot or supervised", param_hint="--method")
    if backend and backend not in config_mod.EMBEDDING_BACKENDS:
        choices = " or ".join(config_mod.EMBEDDING_BACKENDS)
        raise typer.BadParameter(f"choose {choices}, not {backend!r}", param_hint="--backend")
    try:
        cfg = config_mod.load_yaml(config) if config else config_mod.RunConfig()
        if backend:
            cfg = cfg.replace(**{"topics.embedding": backend})
    except config_mod.ConfigError as exc:
        raise typer.BadParameter(str(exc), param_hint="--config/--backend") from None
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    try:
        everything = pipeline.load_corpus(corpus, cfg)
        cfg = pipeline.config_for_corpus(everything, cfg)  # the record shows how it was cut
        # the passages a notebook run codes: title pages and contents lists left out (search,
        # with ``whole``, reads every passage)
        loaded = everything if whole else pipeline.modelled(everything, cfg)
    except io.CorpusError as exc:
        raise typer.BadParameter(str(exc), param_hint="--corpus") from None
    timings["load_corpus"] = time.perf_counter() - t0
    vectors, timings["embed"] = pipeline.embed_passages(loaded, cfg, progress=False)
    names = [*cfg.themes.codebooks, *cfg.themes.extra_codebooks]
    try:
        books = codebook.load_codebooks(names, extra=[str(p) for p in codebooks])
    except codebook.CodebookError as exc:
        raise typer.BadParameter(str(exc), param_hint="--codebook") from None
    label_dir = labels
    if label_dir is None and method != "zero_shot" and not io.is_ingested(corpus):
        label_dir = pipeline.corpus_spec(corpus).labels
    if method == "supervised" and label_dir is None:
        raise typer.BadParameter(
            "--method supervised needs --labels (a labelled paragraphs folder)",
            param_hint="--method",
        )
    embed_fn = pipeline.embedder(cfg)
    found = read_labels(label_dir) if label_dir is not None and method != "zero_shot" else None
    return Context(cfg, loaded, vectors, embed_fn, found, books, timings, everything.content_hash)


def lens_params(ctx: Context, method: str):
    from lip_research.lenses import LensParams

    return LensParams.from_config(ctx.cfg, method=method)


@contextlib.contextmanager
def start_run(out: Path, ctx: Context) -> Iterator[Path]:
    """A new run folder, marked failed (with the reason) if anything goes wrong inside."""
    run = io.new_run_dir(out, ctx.cfg.fingerprint())
    try:
        yield run
    except BaseException as exc:
        io.set_run_status(run, "failed", io.failure_reason(exc))
        raise


def finish_run(run: Path, ctx: Context, command: str, extra: dict[str, Any]) -> Path:
    """run.json (parameters, seed, inputs, versions, commit, timings), status, ``latest`` link."""
    corpus = ctx.corpus
    io.write_json(
        {
            "command": command,
            "created": io.now_iso(),
            "corpus": {
                "path": str(corpus.path) if corpus.path else None,
                "source": str(Path(corpus.source).resolve()) if corpus.source else None,
                "content_hash": corpus.content_hash,  # the passages coded
                "ingested_hash": ctx.ingested_hash or corpus.content_hash,  # the whole corpus
                "documents": int(len(corpus.documents)),
                "passages": int(len(corpus.passages)),
            },
            "seed": ctx.cfg.seed,
            "config": ctx.cfg.to_dict(),
            "codebooks": {b.id: {"version": b.version, "path": b.path} for b in ctx.books},
            "labels_used": ctx.labels is not None,
            "timings_s": {k: round(v, 3) for k, v in ctx.timings.items()},
            "packages": io.package_versions(),
            "git_commit": io.git_commit(),
            **extra,
        },
        run / "run.json",
    )
    io.set_run_status(run, "complete")
    io.mark_latest(run)
    return run


# -- writers shared with the report ------------------------------------------------------------------
def write_lens_tables(
    outputs, run: Path, parts: tuple[str, ...] = ("themes", "quality"), figures_too: bool = True
) -> dict[str, Path]:
    """Lens tables (and figures) into `run`: ``themes`` (coding, evidence, prevalence, national
    comparison, 'why') and/or ``quality`` (marker screening, coverage); returns the paths."""
    from lip_research import why as why_mod

    c = outputs.themes
    paths: dict[str, Path] = {}
    if "quality" in parts and outputs.markers is not None:
        paths["quality_markers"] = io.write_csv(outputs.screening, run / "quality_markers.csv")
        paths["marker_coverage"] = io.write_csv(outputs.coverage, run / "marker_coverage.csv")
        paths["marker_thresholds"] = io.write_csv(
            outputs.markers.thresholds, run / "marker_thresholds.csv"
        )
    if figures_too:
        paths |= _lens_figures(outputs, run / "figures", parts)
    if "themes" not in parts:
        return paths
    paths |= {
        "theme_passages": io.write_parquet(c.coded, run / "theme_passages.parquet"),
        "theme_documents": io.write_csv(c.presence, run / "theme_documents.csv"),
        "theme_evidence": io.write_csv(c.evidence, run / "theme_evidence.csv"),
        "theme_thresholds": io.write_csv(c.thresholds, run / "theme_thresholds.csv"),
        "theme_prevalence": io.write_csv(outputs.summary, run / "theme_prevalence.csv"),
        "why_passages": io.write_parquet(outputs.why.detected, run / "why_passages.parquet"),
        "why_by_report": io.write_csv(
            why_mod.why_share(outputs.why.detected), run / "why_by_report.csv"
        ),
    }
    for col, table in outputs.by.items():
        paths[f"prevalence_by_{col}"] = io.write_csv(table, run / f"prevalence_by_{col}.csv")
    if len(outputs.national):
        paths["national_comparison"] = io.write_csv(
            outputs.national, run / "national_comparison.csv"
        )
    return paths


def _lens_figures(outputs, folder: Path, parts: tuple[str, ...]) -> dict[str, Path]:
    from lip_research import figures, lens_figures

    chosen = []
    if "themes" in parts:
        chosen.append(("theme_prevalence", lens_figures.prevalence_figure))
    if "quality" in parts and outputs.markers is not None and len(outputs.coverage):
        chosen.append(("marker_coverage", lens_figures.marker_coverage_figure))
    if "themes" in parts and outputs.why.detected["section"].notna().any():
        chosen.append(("why_by_section", lens_figures.why_by_section_figure))
    out: dict[str, Path] = {}
    for name, build in chosen:
        fig, caption = build(outputs)  # files named as in the notebooks' reports
        out[f"fig_{name}"] = figures.save(fig, folder / name.replace("_", "-"), caption)["png"]
    return out


def write_briefings(briefs, run: Path) -> dict[str, Path]:
    """``briefings/<theme>.md``, ``.html`` and ``.docx`` for each `briefing.Briefing`."""
    paths: dict[str, Path] = {}
    for brief in briefs:
        folder = run / "briefings"
        for ext, text in (("md", brief.markdown), ("html", brief.html)):
            paths[f"{brief.theme_id}.{ext}"] = io.write_text(
                text, folder / f"{brief.theme_id}.{ext}"
            )
        docx = folder / f"{brief.theme_id}.docx"
        paths[docx.name] = io.write_bytes(brief.docx, docx)
    return paths


def check_ids(ids: list[str], ctx: Context) -> None:
    """Unknown theme or marker ids are a usage error that suggests the nearest known id."""
    from lip_research import codebook

    try:
        codebook.check_ids(ids, ctx.books)
    except codebook.CodebookError as exc:
        raise typer.BadParameter(str(exc), param_hint="theme id") from None


def make_briefings(outputs, ctx: Context, theme_ids: list[str], topics=None) -> list:
    """Briefings for `theme_ids`, else ``themes.briefing_themes``, else the top practice issue."""
    from lip_research.lens_run import briefings, corpus_title

    ids = theme_ids or list(ctx.cfg.themes.briefing_themes)
    check_ids(ids, ctx)
    corpus = ctx.corpus
    return briefings(outputs, corpus.passages, corpus.documents, ids, topics, corpus_title(corpus))


def compute(ctx: Context, method: str):
    from lip_research import prevalence
    from lip_research.lens_run import run_lenses

    t0 = time.perf_counter()
    outputs = run_lenses(
        ctx.corpus.passages, ctx.corpus.documents, ctx.vectors, ctx.embed, ctx.books,
        lens_params(ctx, method), labels=ctx.labels, national=prevalence.load_national(),
    )  # fmt: skip
    ctx.timings["lenses"] = time.perf_counter() - t0
    return outputs
