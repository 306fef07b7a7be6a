"""``lip report``, ``lip runs`` and ``lip compare``: reproducible reports and comparable runs."""

from __future__ import annotations

from pathlib import Path

import typer

from lip_research.commands import fail, warn


def report(
    corpus: Path | None = typer.Option(
        None,
        "--corpus",
        help="Folder of reports (or ingested corpus). Default: the params file's, else data/sample.",
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Where run folders go (OUT/<run-id>). Default: reports/<corpus name>."
    ),
    params: Path | None = typer.Option(
        None, "--params", help="YAML of notebook parameters (see docs/parameters.md)."
    ),
    notebook: str = typer.Option("10-thematic-report", help="Notebook in notebooks/ to execute."),
    seed: int | None = typer.Option(None, help="Seed (overrides params)."),
    embedding: str | None = typer.Option(None, help="minilm or static (overrides params)."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
) -> None:
    """Execute a parameterised notebook with papermill into a new run folder with an HTML report."""
    from lip_research import io
    from lip_research.config import EMBEDDING_BACKENDS
    from lip_research.pipeline import corpus_spec
    from lip_research.report import find_notebook, load_params, run_report

    with fail():
        find_notebook(notebook)  # a wrong name is the first thing to hear about
        values = load_params(params)
        if corpus is not None:
            values["corpus"] = str(corpus)
        values.setdefault("corpus", "data/sample")
        if seed is not None:
            values["seed"] = seed
        if embedding is not None:
            if embedding not in EMBEDDING_BACKENDS:
                raise typer.BadParameter(
                    f"choose {' or '.join(EMBEDDING_BACKENDS)}, not {embedding!r}",
                    param_hint="--embedding",
                )
            values["embedding"] = embedding
        name = values.pop("name", None) or corpus_spec(values["corpus"]).name
        target = out or Path("reports") / name
        given = Path(str(values.get("config_yaml") or ""))
        content = given.read_text(encoding="utf-8", errors="replace") if given.is_file() else ""
        fingerprint = io.sha256_text(repr(sorted(values.items())) + content)[:8]
        run_dir = run_report(notebook, target, values, fingerprint, progress=not quiet)
        typer.echo(f"report: {run_dir / 'report.html'}")
        typer.echo(f"run folder: {run_dir}")


def runs(
    root: Path = typer.Argument(Path("reports"), help="Folder to search for run folders."),
) -> None:
    """List past runs with their key parameters and quality figures."""
    from lip_research.runs import list_runs

    with fail():
        table = list_runs(root)
        if table.empty:
            typer.echo(f"no runs under {root}")
            return
        shown = table.drop(columns="problem")
        shown = shown.astype(object).where(shown.notna(), "")  # blank, not None or <NA>
        typer.echo(shown.to_string(index=False))
        for status, problem in zip(table["status"], table["problem"], strict=True):
            if isinstance(problem, str):
                typer.echo(problem if status in ("failed", "running") else f"unreadable: {problem}")


def compare(
    run_a: Path = typer.Argument(..., help="First run folder."),
    run_b: Path = typer.Argument(..., help="Second run folder."),
    out: Path | None = typer.Option(None, "--out", help="Also write the comparison tables here."),
    allow_failed: bool = typer.Option(
        False, "--allow-failed", help="Compare what a run marked failed wrote (with a warning)."
    ),
) -> None:
    """Match topics between two runs and report what changed (parameters, topics, prevalence)."""
    from lip_research import io
    from lip_research.compare import compare as compare_runs
    from lip_research.runs import CORE_TABLES

    with fail():
        result = compare_runs(run_a, run_b, allow_failed=allow_failed)
        for warning in result["warnings"]:
            warn(warning)
        changed = [k for k, v in result["tables"].items() if v is False]
        missing = [
            f"{name} (not in {' or '.join(str(r) for r in lacking)})"
            for name, lacking in result["missing"].items()
        ]
        core_missing = set(result["missing"]) & set(CORE_TABLES)
        if result["identical"]:
            compared = [k for k, v in result["tables"].items() if v is not None]
            typer.echo(f"IDENTICAL: byte-identical in both runs: {', '.join(compared)}.")
        elif not changed and not core_missing:
            typer.echo(
                "SAME TOPICS: the topic tables are byte-identical; only one run has "
                + ", ".join(missing)
            )
        else:
            line = f"DIFFERENT: tables that differ: {', '.join(changed) or 'none'}"
            if missing:
                line += f"; missing: {', '.join(missing)}"
            typer.echo(line)
        if result["same_corpus"] is None:
            unknown = ", ".join(str(r) for r in result["unknown_corpus"])
            typer.echo(f"same corpus: unknown (no corpus hash in run.json of {unknown})")
        else:
            typer.echo(f"same corpus: {result['same_corpus']}")
            if not result["same_corpus"]:
                warn(
                    "the runs are over different corpora (see corpus.* below): matched topics "
                    "and prevalence shifts compare different texts, not only different settings"
                )
        # an empty value ('' skips a notebook's by-class figures) is not an unset one
        params = result["parameters"].map(lambda v: '""' if isinstance(v, str) and not v else v)
        typer.echo(
            "what changed:" if not params.empty else "parameters, corpus and code: unchanged"
        )
        if not params.empty:
            shown = params.astype(object).where(params.notna(), "(unset)")
            typer.echo(shown.to_string(index=False))
        if result["identical"] and set(params["parameter"]) == {"seed"}:
            typer.echo(
                "note: only the seed changed, and no table did: nothing after embedding depends "
                "on the seed here (the default PCA and Ward clustering are deterministic)"
            )
        quality = result["quality"]
        if not quality.empty:
            typer.echo(
                "quality figures (run.json evaluation; (unset): that run has none, "
                "`lip evaluate RUN` adds stability and resampling):"
            )
            shown = quality.astype(object).where(quality.notna(), "(unset)")
            shown["change"] = quality["change"].astype(object).where(quality["change"].notna(), "")
            typer.echo(
                shown.to_string(
                    index=False,
                    formatters={c: _figure for c in ("run_a", "run_b", "change")},
                )
            )
        topics = result["topics"]
        counts = topics["status"].value_counts().to_dict() if not topics.empty else {}
        by = (
            "by the passages they share (passage_overlap, Jaccard)"
            if topics.attrs.get("matched_by") == "passages"
            else f"by their top words (word_overlap, Jaccard): {topics.attrs.get('why_words')}"
        )
        typer.echo(
            f"topics: {counts.get('matched', 0)} matched, {counts.get('gained', 0)} gained, "
            f"{counts.get('lost', 0)} lost; matched {by}"
        )
        if not topics.empty:
            shown = topics.drop(columns=["size_a", "size_b"])  # share_shift says it in shares
            typer.echo(shown.to_string(index=False))
        if result["themes"] is not None:
            shifts = result["themes"][result["themes"]["shift_points"].abs() > 0]
            typer.echo(f"themes whose prevalence shifted: {len(shifts)} of {len(result['themes'])}")
            if not shifts.empty and "topics.embedding" in set(params["parameter"]):
                typer.echo(
                    "note: themes are coded on the passage embedding too, so a change of "
                    "embedding moves their prevalence as well as the topics"
                )
            if not shifts.empty:
                typer.echo(shifts.to_string(index=False))
        if out:
            out.mkdir(parents=True, exist_ok=True)
            io.write_csv(params, out / "parameter_changes.csv")
            io.write_csv(topics, out / "topic_matches.csv")
            io.write_csv(quality, out / "quality.csv")
            if result["themes"] is not None:
                io.write_csv(result["themes"], out / "theme_shifts.csv")


def _figure(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
