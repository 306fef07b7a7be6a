"""``lip themes``, ``lip quality``, ``lip search``, ``lip briefing`` and ``lip calibrate``:
the Learning into Practice lenses, each writing into a run folder ``OUT/<run-id>/``
(shared steps in `lip_research.commands.lens_io`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lip_research.commands import fail

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
    str | None,
    typer.Option("--embedding", "--backend", help="minilm | static; default from the config."),
]
OutOpt = Annotated[Path, typer.Option("--out", help="Runs are written to OUT/<run-id>/.")]
MethodOpt = Annotated[
    str,
    typer.Option(
        "--method",
        help="auto (supervised where the corpus has labels, else zero_shot) | zero_shot (codebook "
        "similarity, shipped thresholds) | supervised (train on --labels).",
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
    method: MethodOpt = "auto",
    labels: LabelsOpt = None,
    briefing: Annotated[
        list[str] | None, typer.Option("--briefing", help="Theme id to brief on (repeatable).")
    ] = None,
) -> None:
    """Code every passage against the codebooks, with cited evidence and prevalence.

    Writes presence with evidence, prevalence by year and metadata (n/N), the national comparison, 'why' passages and briefings.
    """
    from lip_research.commands.lens_io import (
        check_ids,
        compute,
        finish_run,
        load_context,
        make_briefings,
        start_run,
        write_briefings,
        write_lens_tables,
    )

    with fail():
        ctx = load_context(corpus, config, backend, codebook or [], labels, method)
        check_ids(briefing or list(ctx.cfg.themes.briefing_themes), ctx)  # before any work
        outputs = compute(ctx, method)
        with start_run(out, ctx) as run:
            write_lens_tables(outputs, run, parts=("themes",))
            write_briefings(make_briefings(outputs, ctx, briefing or []), run)
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
    method: MethodOpt = "auto",
    labels: LabelsOpt = None,
) -> None:
    """Screen each report for evidence of the 18 SCR Quality Markers.

    A screening aid for commissioners and reviewers, not a verdict: writes quality_markers.csv and a coverage chart.
    """
    from lip_research.commands.lens_io import (
        compute,
        finish_run,
        load_context,
        start_run,
        write_lens_tables,
    )

    with fail():
        ctx = load_context(corpus, config, backend, [], labels, method)
        outputs = compute(ctx, method)
        if outputs.markers is None:
            raise typer.BadParameter(
                "quality_markers is not in themes.codebooks of the config", param_hint="--config"
            )
        with start_run(out, ctx) as run:
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
    """Keyword-in-context or semantic passage search, every hit cited.

    Keywords match lemmas and multi-word phrases ('IRO' finds 'IROs', as in topic words); each hit is cited by doc / section / page. Results: search_results.csv.
    """
    from lip_research import io
    from lip_research import search as search_mod
    from lip_research.commands.lens_io import finish_run, load_context, start_run

    if mode not in ("keyword", "semantic"):
        raise typer.BadParameter("choose keyword or semantic", param_hint="--mode")
    if not query.strip() and not like:
        raise typer.BadParameter("give a QUERY or --like PASSAGE_ID")
    if query.strip() and like:
        raise typer.BadParameter("give a QUERY or --like PASSAGE_ID, not both")
    with fail():
        ctx = load_context(corpus, config, backend, [], None, "zero_shot", whole=True)
    passages = ctx.corpus.passages
    try:
        if like:
            hits = search_mod.similar_passages(like, ctx.vectors, passages, top_n=top)
        elif mode == "semantic":
            hits = search_mod.semantic_search(
                ctx.embed([query])[0], ctx.vectors, passages, top_n=top
            )
            if not search_mod.shares_a_word(query, passages["text"]):
                typer.secho(
                    "note: no word of the query occurs in the corpus; the nearest passages "
                    "may have nothing to do with it",
                    fg=typer.colors.YELLOW,
                    err=True,
                )
        else:
            hits = search_mod.concordance(
                search_mod.build_concordance(passages), query, context=context
            )
    except KeyError as exc:
        raise typer.BadParameter(exc.args[0]) from None  # str(KeyError) adds quotes
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    used = "semantic" if like else mode
    with fail(), start_run(out, ctx) as run:
        io.write_csv(hits, run / "search_results.csv")
        finish_run(
            run, ctx, "search", {"query": query, "like": like, "mode": used, "hits": len(hits)}
        )
    for row in hits.head(10).itertuples():
        line = row.line if used == "keyword" else row.excerpt
        typer.echo(f"{row.citation}: {line}")
    more = " (the first 10 shown)" if len(hits) > 10 else ""
    typer.echo(f"{len(hits)} hits{more} -> {run / 'search_results.csv'}")


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
    method: MethodOpt = "auto",
    labels: LabelsOpt = None,
) -> None:
    """One-page briefing per theme, as HTML, Markdown and Word (.docx).

    Each gives the definition, prevalence and trend, linked themes and 3-6 short cited passages.
    """
    from lip_research.commands.lens_io import (
        check_ids,
        compute,
        finish_run,
        load_context,
        make_briefings,
        start_run,
        write_briefings,
    )

    with fail():
        ctx = load_context(corpus, config, backend, codebook or [], labels, method)
        check_ids(list(theme or ctx.cfg.themes.briefing_themes), ctx)  # before any work
        outputs = compute(ctx, method)
        with start_run(out, ctx) as run:
            paths = write_briefings(make_briefings(outputs, ctx, list(theme or [])), run)
            themes_done = sorted({Path(p).stem for p in paths.values()})
            finish_run(run, ctx, "briefing", {"themes": themes_done})
    typer.echo(f"{len(themes_done)} briefing(s) -> {run / 'briefings'}")


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
    """(Maintainers) Recalibrate the shipped zero-shot thresholds on a labelled corpus.

    Fits the theme, marker and 'why' thresholds on every labelled report and REWRITES the package's codebooks/thresholds.csv (the defaults every run uses) unless --target names another file. To code your own labelled corpus, use `lip themes --method supervised`.
    """
    import pandas as pd

    from lip_research import io
    from lip_research import themes as themes_mod
    from lip_research.commands.lens_io import lens_params, load_context
    from lip_research.lens_run import calibrate_defaults

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
