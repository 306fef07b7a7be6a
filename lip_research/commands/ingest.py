"""``lip ingest``: turn folders of review reports into an ingested corpus folder."""

from __future__ import annotations

from pathlib import Path

import typer


def ingest(
    sources: list[Path] = typer.Argument(
        ...,
        help="Report files or folders (searched recursively): PDF, .docx, .html, .txt, .md, "
        "and tables of one document per row (.csv, .xlsx, .jsonl, .parquet).",
    ),
    corpus: Path = typer.Option(
        ...,
        "--corpus",
        help="Folder to write ledger.csv, documents.parquet, passages.parquet, removed.csv into.",
    ),
    manifest: Path | None = typer.Option(
        None,
        "--manifest",
        help="CSV of per-file metadata: a file-name column (file/filename/path) and any others "
        "(year, area, review type ...), merged into documents.parquet.",
    ),
    text_column: str | None = typer.Option(
        None,
        "--text-column",
        help="Text column of tabular files; default: the column with the longest text.",
    ),
    workers: int | None = typer.Option(
        None, "--workers", min=1, help="Worker processes reading files; default: one per CPU core."
    ),
    timeout: float = typer.Option(
        120.0,
        "--timeout",
        min=1,
        help="Seconds one file may take before it is stopped and reported.",
    ),
    max_megabytes: float = typer.Option(
        200.0, "--max-megabytes", min=0.001, help="Files larger than this are reported, not read."
    ),
    min_words: int = typer.Option(
        100, "--min-words", min=1, help="Passages aim for at least this many words."
    ),
    max_words: int = typer.Option(
        250, "--max-words", min=2, help="Passages hold at most this many words."
    ),
    progress: bool = typer.Option(
        True, "--progress/--no-progress", help="Show a progress bar on stderr."
    ),
) -> None:
    """Ingest review reports: every file gets a ledger row (ok, warning, failed or duplicate,
    with the reason), readable text becomes cleaned, sectioned passages with page ranges.

    Running headers and footers, page numbers, contents pages, licence and contact blocks
    and text repeated across many documents are removed and listed in removed.csv.
    Results are cached per file, so ingesting the same files again is fast. Exits 0 when
    every file was accounted for, even if some could not be read.
    """
    from lip_research.config import ConfigError, IngestConfig
    from lip_research.ingest import run_ingest
    from lip_research.io import read_json

    try:
        cfg = IngestConfig(
            min_words=min_words,
            max_words=max_words,
            timeout_s=timeout,
            max_megabytes=max_megabytes,
            text_column=text_column,
            workers=workers,
        )
        cfg.validate()
    except ConfigError as exc:
        raise typer.BadParameter(str(exc)) from None
    if manifest is not None and not manifest.is_file():
        raise typer.BadParameter(f"{manifest} is not a file", param_hint="--manifest")
    missing = [str(s) for s in sources if not s.exists()]
    if missing:
        raise typer.BadParameter(f"not found: {', '.join(missing)}", param_hint="SOURCES")
    run_ingest(sources, corpus, cfg, manifest, progress=progress)
    typer.echo(read_json(corpus / "ingest.json")["summary"])
