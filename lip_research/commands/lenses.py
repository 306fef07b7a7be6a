"""``lip themes``, ``lip quality``, ``lip search``, ``lip briefing`` (and ``lip calibrate``):
the Learning into Practice lenses, each writing into a run folder ``OUT/<run-id>/``.

`write_lens_tables` and `write_briefings` are also what the default report calls.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

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


def read_labels(folder: str | Path):
    """The sample-format labels folder (paragraphs.csv, passage_themes.csv, document_themes.csv,
    document_markers.csv) as `lens_eval.Labels`."""
    from lip_research.lens_eval import Labels

    folder = Path(folder)
    names = ("paragraphs", "passage_themes", "document_themes", "document_markers")
    missing = [n for n in names if not (folder / f"{n}.csv").exists()]
    if missing:
        raise typer.BadParameter(
            f"{folder} lacks {', '.join(m + '.csv' for m in missing)}", param_hint="--labels"
        )
    frames = {
        n: pd.read_csv(folder / f"{n}.csv", dtype={"doc_id": str}, keep_default_na=False)
        for n in names
    }
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
) -> Context:
    from lip_research import codebook, embed, pipeline
    from lip_research import config as config_mod

    cfg = config_mod.load_yaml(config) if config else config_mod.RunConfig()
    if backend:
        cfg = cfg.replace(**{"topics.embedding": backend})
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    loaded = pipeline.load_corpus(corpus, cfg)
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
    embed_fn = functools.partial(
        embed.embed_texts, backend=cfg.topics.embedding, device=cfg.topics.device
    )
    found = read_labels(label_dir) if label_dir is not None and method != "zero_shot" else None
    return Context(cfg, loaded, vectors, embed_fn, found, books, timings)


def lens_params(ctx: Context, method: str):
    from lip_research.lenses import LensParams

    return LensParams.from_config(ctx.cfg, method=method)


def start_run(out: Path, ctx: Context) -> Path:
    return io.new_run_dir(out, ctx.cfg.fingerprint())


def finish_run(run: Path, ctx: Context, command: str, extra: dict[str, Any]) -> Path:
    """run.json (parameters, seed, inputs, versions, commit, timings), status, ``latest`` link."""
    corpus = ctx.corpus
    io.write_json(
        {
            "command": command,
            "created": io.now_iso(),
            "corpus": {
                "path": str(corpus.path) if corpus.path else None,
                "content_hash": corpus.content_hash,
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
    from lip_research import figures, lens_figures, why

    out: dict[str, Path] = {}
    if "themes" in parts:
        fig, ax = figures.new_figure(6.5, 5.5)
        lens_figures.draw_prevalence(ax, outputs.summary, outputs.national)
        caption = "Share of reports in which each theme was coded (n/N reports); diamonds: published national analyses, different samples."
        out["fig_theme_prevalence"] = figures.save(fig, folder / "theme_prevalence", caption)["png"]
    if "quality" in parts and outputs.markers is not None and len(outputs.coverage):
        fig, ax = figures.new_figure(6.5, 5.0)
        lens_figures.draw_marker_coverage(ax, outputs.coverage)
        out["fig_marker_coverage"] = figures.save(
            fig,
            folder / "marker_coverage",
            "Quality-marker screening: share of reports where evidence passages were found. A screening aid, not a verdict.",
        )["png"]
    detected = outputs.why.detected
    if "themes" in parts and detected["section"].notna().any():
        share = why.why_share(detected, by="section")
        fig, ax = figures.new_figure(6.0, 4.0)
        lens_figures.draw_why_share(ax, share, by="section")
        out["fig_why_by_section"] = figures.save(
            fig,
            folder / "why_by_section",
            "Share of passages flagged as explaining why practice happened, by report section.",
        )["png"]
    return out


def write_briefings(
    outputs, ctx: Context, run: Path, theme_ids: list[str], topics: pd.DataFrame | None = None
) -> dict[str, Path]:
    """``briefings/<theme>.md`` and ``.html`` for each theme id (or the most prevalent one)."""
    from lip_research import briefing, codebook

    ids = theme_ids or default_briefing_themes(outputs, ctx)
    try:
        codebook.check_ids(ids, ctx.books)
    except codebook.CodebookError as exc:
        raise typer.BadParameter(str(exc), param_hint="THEME") from None
    marker_ids = set(outputs.markers.entry_ids) if outputs.markers is not None else set()
    paths: dict[str, Path] = {}
    for theme_id in ids:
        entry = codebook.find_entry(ctx.books, theme_id)
        book = next(b for b in ctx.books if b.id == entry.codebook)
        coding = outputs.markers if theme_id in marker_ids else outputs.themes
        brief = briefing.build_briefing(
            entry, book, presence=coding.presence, coded=coding.coded, passages=ctx.corpus.passages,
            documents=ctx.corpus.documents, topics=topics, corpus_name=_corpus_name(ctx), method=coding.method,
        )  # fmt: skip
        paths[f"{theme_id}.md"] = io.write_text(
            brief.markdown, run / "briefings" / f"{theme_id}.md"
        )
        paths[f"{theme_id}.html"] = io.write_text(
            brief.html, run / "briefings" / f"{theme_id}.html"
        )
    return paths


def default_briefing_themes(outputs, ctx: Context) -> list[str]:
    """The config's ``themes.briefing_themes``, else the most prevalent practice issue."""
    if ctx.cfg.themes.briefing_themes:
        return list(ctx.cfg.themes.briefing_themes)
    issues = {e.id for b in ctx.books if b.id == "practice_issues" for e in b.entries}
    ranked = outputs.summary[
        outputs.summary["theme_id"].isin(issues or set(outputs.summary["theme_id"]))
    ]
    return list(ranked["theme_id"].head(1))


def _corpus_name(ctx: Context) -> str:
    n = len(ctx.corpus.documents)
    name = ctx.corpus.path.name if ctx.corpus.path else "corpus"
    return f"{name} corpus, {n} reports"


def compute(ctx: Context, method: str):
    from lip_research import prevalence
    from lip_research.lenses import run_lenses

    t0 = time.perf_counter()
    outputs = run_lenses(
        ctx.corpus.passages, ctx.corpus.documents, ctx.vectors, ctx.embed, ctx.books,
        lens_params(ctx, method), labels=ctx.labels, national=prevalence.load_national(),
    )  # fmt: skip
    ctx.timings["lenses"] = time.perf_counter() - t0
    return outputs


# -- commands -----------------------------------------------------------------------------------------
CorpusOpt = Annotated[
    Path,
    typer.Option(
        "--corpus", help="Ingested corpus, corpus folder with corpus.yaml, or folder of reports."
    ),
]
ConfigOpt = Annotated[
    Path | None, typer.Option("--config", help="Run configuration YAML (seed, backend, themes.*).")
]
BackendOpt = Annotated[
    str | None, typer.Option("--backend", help="minilm | static; default from the config.")
]
OutOpt = Annotated[Path, typer.Option("--out", help="Runs are written to OUT/<run-id>/.")]
MethodOpt = Annotated[
    str,
    typer.Option(
        "--method",
        help="zero_shot (codebook similarity, shipped thresholds) | supervised (train on --labels) | auto.",
    ),
]
LabelsOpt = Annotated[
    Path | None,
    typer.Option(
        "--labels", help="Labelled paragraphs folder (sample format) for supervised/auto."
    ),
]
CodebookOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--codebook", help="Your own codebook YAML (repeatable); see lip_research/codebooks/."
    ),
]
SAMPLE = Path("data/sample")


def themes(
    corpus: CorpusOpt = SAMPLE,
    out: OutOpt = Path("reports/themes"),
    config: ConfigOpt = None,
    backend: BackendOpt = None,
    codebook: CodebookOpt = None,
    method: MethodOpt = "zero_shot",
    labels: LabelsOpt = None,
    briefing: Annotated[
        list[str] | None, typer.Option("--briefing", help="Theme id to brief on (repeatable).")
    ] = None,
) -> None:
    """Code every passage against the codebooks; report presence with evidence, prevalence by
    year and metadata (n/N), the national comparison, 'why' passages and briefings."""
    ctx = load_context(corpus, config, backend, codebook or [], labels, method)
    outputs = compute(ctx, method)
    run = start_run(out, ctx)
    write_lens_tables(outputs, run, parts=("themes",))
    write_briefings(outputs, ctx, run, briefing or [])
    c = outputs.themes
    finish_run(run, ctx, "themes", {"method": c.method, "why_method": outputs.why.method})
    typer.echo(
        f"coded {len(c.entries)} themes ({c.method}): {int(c.presence['present'].sum())} "
        f"report-theme presences, {len(c.coded)} coded passages -> {run}"
    )


def quality(
    corpus: CorpusOpt = SAMPLE,
    out: OutOpt = Path("reports/quality"),
    config: ConfigOpt = None,
    backend: BackendOpt = None,
    method: MethodOpt = "zero_shot",
    labels: LabelsOpt = None,
) -> None:
    """Screen each report for evidence of the 18 SCR Quality Markers (a screening aid for
    commissioners and reviewers, not a verdict): quality_markers.csv and a coverage chart."""
    ctx = load_context(corpus, config, backend, [], labels, method)
    outputs = compute(ctx, method)
    if outputs.markers is None:
        raise typer.BadParameter(
            "quality_markers is not in themes.codebooks of the config", param_hint="--config"
        )
    run = start_run(out, ctx)
    write_lens_tables(outputs, run, parts=("quality",))
    finish_run(run, ctx, "quality", {"method": outputs.markers.method})
    found = outputs.screening["evidence_found"]
    typer.echo(
        f"screened {outputs.screening['doc_id'].nunique()} reports x {outputs.screening['marker_id'].nunique()} "
        f"markers: evidence found for {int(found.sum())} of {len(found)} -> {run}"
    )


def search(
    query: Annotated[
        str, typer.Argument(help="Word or phrase (keyword) or a description (semantic).")
    ] = "",
    corpus: CorpusOpt = SAMPLE,
    out: OutOpt = Path("reports/search"),
    mode: Annotated[
        str, typer.Option("--mode", help="keyword (lemma-aware concordance) | semantic.")
    ] = "keyword",
    like: Annotated[
        str | None, typer.Option("--like", help="Passage id: passages like this one.")
    ] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Semantic hits to keep.")] = 20,
    context: Annotated[
        int, typer.Option("--context", min=1, help="Words of context each side.")
    ] = 10,
    config: ConfigOpt = None,
    backend: BackendOpt = None,
) -> None:
    """Keyword-in-context (lemma-aware, multi-word) or semantic passage search; every hit is
    cited by doc / section / page. Results: search_results.csv."""
    from lip_research import search as search_mod

    if mode not in ("keyword", "semantic"):
        raise typer.BadParameter("choose keyword or semantic", param_hint="--mode")
    if not query.strip() and not like:
        raise typer.BadParameter("give a QUERY or --like PASSAGE_ID")
    ctx = load_context(corpus, config, backend, [], None, "zero_shot")
    passages = ctx.corpus.passages
    try:
        if like:
            hits = search_mod.similar_passages(like, ctx.vectors, passages, top_n=top)
        elif mode == "semantic":
            hits = search_mod.semantic_search(
                ctx.embed([query])[0], ctx.vectors, passages, top_n=top
            )
        else:
            hits = search_mod.concordance(
                search_mod.build_concordance(passages), query, context=context
            )
    except (KeyError, ValueError) as exc:
        raise typer.BadParameter(str(exc)) from None
    run = start_run(out, ctx)
    io.write_csv(hits, run / "search_results.csv")
    used = "semantic" if like else mode
    finish_run(run, ctx, "search", {"query": query, "like": like, "mode": used, "hits": len(hits)})
    for row in hits.head(10).itertuples():
        line = f"{row.left} [{row.match}] {row.right}" if used == "keyword" else row.excerpt
        typer.echo(f"{row.citation}: {line}")
    typer.echo(f"{len(hits)} hits -> {run / 'search_results.csv'}")


def briefing(
    theme: Annotated[
        list[str] | None,
        typer.Argument(
            help="Theme or marker id(s); default: themes.briefing_themes or the most prevalent issue."
        ),
    ] = None,
    corpus: CorpusOpt = SAMPLE,
    out: OutOpt = Path("reports/briefings"),
    config: ConfigOpt = None,
    backend: BackendOpt = None,
    codebook: CodebookOpt = None,
    method: MethodOpt = "zero_shot",
    labels: LabelsOpt = None,
) -> None:
    """One-page HTML and Markdown briefing per theme: definition, prevalence and trend,
    linked themes, 3-6 short cited passages."""
    ctx = load_context(corpus, config, backend, codebook or [], labels, method)
    if theme:
        _check_ids(theme, ctx)
    outputs = compute(ctx, method)
    run = start_run(out, ctx)
    paths = write_briefings(outputs, ctx, run, list(theme or []))
    finish_run(run, ctx, "briefing", {"themes": sorted({Path(p).stem for p in paths.values()})})
    typer.echo(f"{len(paths) // 2} briefing(s) -> {run / 'briefings'}")


def calibrate(
    corpus: Annotated[
        Path, typer.Option("--corpus", help="A labelled corpus folder (corpus.yaml with labels).")
    ] = SAMPLE,
    backend: Annotated[
        list[str] | None, typer.Option("--backend", help="Backend(s) to calibrate.")
    ] = None,
    target: Annotated[
        Path | None, typer.Option("--target", help="Default: the package's thresholds.csv.")
    ] = None,
) -> None:
    """Calibrate the shipped zero-shot thresholds (themes, markers, 'why') on every labelled
    report of a corpus and write codebooks/thresholds.csv."""
    from lip_research import themes as themes_mod
    from lip_research.lenses import calibrate_defaults

    tables = []
    for name in backend or ["minilm", "static"]:
        ctx = load_context(corpus, None, name, [], None, "auto")
        if ctx.labels is None:
            raise typer.BadParameter(
                f"{corpus} has no labels folder in its corpus.yaml", param_hint="--corpus"
            )
        params = lens_params(ctx, "zero_shot")
        tables.append(
            calibrate_defaults(
                ctx.corpus.passages, ctx.vectors, ctx.embed, ctx.books, params, ctx.labels
            )
        )
    table = pd.concat(tables, ignore_index=True)
    path = io.write_csv(table, target or themes_mod.shipped_thresholds_path())
    typer.echo(f"{len(table)} thresholds -> {path}")


def _check_ids(ids: list[str], ctx: Context) -> None:
    from lip_research import codebook

    try:
        codebook.check_ids(ids, ctx.books)
    except codebook.CodebookError as exc:
        raise typer.BadParameter(str(exc), param_hint="THEME") from None
