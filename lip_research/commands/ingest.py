"""``lip ingest``: turn folders of review reports into an ingested corpus folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lip_research.commands import fail


def ingest(
    sources: Annotated[
        list[Path],
        typer.Argument(
            help="Report files or folders (searched recursively): PDF, .docx, .html, .txt, .md, "
            "and tables of one document per row (.csv, .xlsx, .jsonl, .parquet).",
            show_default=False,
        ),
    ],
    corpus: Annotated[
        Path,
        typer.Option(
            "--corpus",
            help="Folder to write into: ledger.csv (every file and why), documents.parquet, "
            "passages.parquet, removed.csv (what cleaning removed), ingest.json. A new or empty "
            "folder, or a corpus ingested there before (brought up to date); never a folder "
            "of reports being ingested or a run folder, nor one whose files of those names "
            "ingest would overwrite.",
            show_default=False,
        ),
    ],
    manifest: Annotated[
        Path | None,
        typer.Option(
            "--manifest",
            help="CSV of per-file metadata: a file-name column (file, filename or path; "
            "folders may be given, 'elmsford/report.pdf') and any others (year, area, review "
            "type ...), merged into documents.parquet. Replaces the folders' manifest.csv files.",
        ),
    ] = None,
    text_column: Annotated[
        str | None,
        typer.Option(
            "--text-column",
            help="Text column of tabular files; default: the column with the longest mean text.",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", min=1, help="Worker processes reading files; default: one per CPU core."
        ),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout", min=1, help="Seconds one file may take before it is stopped and reported."
        ),
    ] = 120.0,
    max_megabytes: Annotated[
        float,
        typer.Option(
            "--max-megabytes", min=0.001, help="Files larger than this are reported, not read."
        ),
    ] = 200.0,
    min_words: Annotated[
        int, typer.Option("--min-words", min=1, help="Passages aim for at least this many words.")
    ] = 100,
    max_words: Annotated[
        int,
        typer.Option(
            "--max-words",
            min=2,
            help="Passages hold at most this many words, except that a short last piece of a "
            "section joins the passage before it, up to 1.2 times this.",
        ),
    ] = 250,
    progress: Annotated[
        bool, typer.Option("--progress/--no-progress", help="Show a progress bar on stderr.")
    ] = True,
) -> None:
    """Ingest review reports into a corpus folder, accounting for every file.

    Every file found gets a row in ledger.csv: ok, warning, failed or duplicate, and why.

    Text is cleaned (running headers and footers, page numbers, contents pages, licence and contact blocks, text repeated across many documents; all listed in removed.csv) and cut into sectioned passages with page ranges.

    Every manifest.csv in a source folder or its sub-folders is read as metadata, never as a document; one in a sub-folder names the files there. --manifest replaces them all. Ingested corpus and run folders inside the sources are left out; so are hidden and system files (.DS_Store, ~$ Word lock files, Thumbs.db), with a note. A file whose text is all in another file's is a duplicate, kept once.

    Results are cached per file, so ingesting the same files again is fast. Ends with a one-line summary (with notes); the exit code is 0 when every file was accounted for, even if some could not be read, and 1 when no document came out.
    """
    from lip_research.config import ConfigError, IngestConfig
    from lip_research.ingest import run_ingest
    from lip_research.io import read_json

    cfg = IngestConfig(
        min_words=min_words,
        max_words=max_words,
        timeout_s=timeout,
        max_megabytes=max_megabytes,
        text_column=text_column,
        workers=workers,
    )
    try:
        cfg.validate()
    except ConfigError as exc:
        raise typer.BadParameter(str(exc)) from None
    if manifest is not None and not manifest.is_file():
        raise typer.BadParameter(f"{manifest} is not a file", param_hint="--manifest")
    missing = [str(s) for s in sources if not s.exists()]
    if missing:
        raise typer.BadParameter(f"not found: {', '.join(missing)}", param_hint="SOURCES")
    with fail():
        result = run_ingest(sources, corpus, cfg, manifest, progress=progress)
    record = read_json(corpus / "ingest.json")
    typer.echo(record["summary"])  # with the notes
    if result.documents.empty:
        typer.secho(
            f"error: no file gave any text; see {corpus / 'ledger.csv'} for each file's reason",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(1)
