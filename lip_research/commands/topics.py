"""``lip topics`` and ``lip evaluate``: fit passage topics into a run folder, and judge them."""

from __future__ import annotations

from pathlib import Path

import typer

from lip_research.commands import fail, warn
from lip_research.runtime import counted


def topics(
    corpus: Path = typer.Option(
        ...,
        "--corpus",
        help="Ingested corpus folder, a folder with corpus.yaml, or a folder of reports.",
    ),
    out: Path = typer.Option(..., "--out", help="Run folder to write (created)."),
    config: Path | None = typer.Option(
        None, "--config", help="RunConfig YAML (see docs/parameters.md)."
    ),
    seed: int | None = typer.Option(
        None, "--seed", help="Seed for every random component (overrides the config)."
    ),
    embedding: str | None = typer.Option(
        None, "--embedding", help="minilm (bundled MiniLM) or static (fast model2vec)."
    ),
    clustering: str | None = typer.Option(
        None, "--clustering", help="auto, hdbscan, kmeans or agglomerative."
    ),
    min_topic_size: int | None = typer.Option(
        None, "--min-topic-size", help="Smallest topic (HDBSCAN)."
    ),
    n_clusters: int | None = typer.Option(
        None, "--n-clusters", help="Number of topics (k-means / agglomerative)."
    ),
    save_model: bool = typer.Option(
        True,
        help="Save the fitted model in RUN/model (lip_research.saved reloads it and assigns new passages).",
    ),
    overwrite: bool = typer.Option(
        False, "--overwrite", help="Replace the run already in RUN (it is deleted first)."
    ),
) -> None:
    """Fit passage-level BERTopic and write topics.csv, passage_topics.parquet, document_topics.csv, run.json."""
    from lip_research import io
    from lip_research.pipeline import build_config, check_sizes, save_topics, warning_signs
    from lip_research.saved import save_model as save

    with fail():
        cfg = build_config(
            str(config) if config else "",
            seed=seed,
            embedding=embedding,
            clustering=clustering,
            min_topic_size=min_topic_size,
            n_clusters=n_clusters,
        )
        from lip_research.pipeline import load_corpus, run_topics

        _claim_run_folder(out, overwrite, delete=False)  # refuse early, before any work
        loaded = load_corpus(corpus, cfg)
        check_sizes(loaded, cfg)  # settings the corpus cannot take, before an old run goes
        _claim_run_folder(out, overwrite)  # the corpus is fine: now an old run may go
        out.mkdir(parents=True, exist_ok=True)
        io.set_run_status(out, "running")
        try:
            run = run_topics(loaded, cfg)
            if not io.owns_run(out):  # replaced meanwhile by a run given --overwrite
                from lip_research.runs import RunError

                raise RunError(
                    f"{out} was taken over by another run while this one was working, so "
                    "this run's results are not written there: give a new --out"
                )
            save_topics(run, out)
            if save_model:
                save(
                    run.result,
                    out / "model",
                    {"corpus_hash": run.corpus.content_hash, "seed": cfg.seed},
                )
        except BaseException as exc:
            if io.owns_run(out):  # not another run's STATUS
                io.set_run_status(out, "failed", io.failure_reason(exc))
            raise
        io.set_run_status(out, "complete")
        ev = run.evaluation
        typer.echo(
            f"{counted(ev['n_topics'], 'topic')} over {counted(len(run.corpus.passages), 'passage')} "
            f"(outliers {ev['outlier_share']:.1%}, largest {ev['largest_share']:.1%}, "
            f"NPMI {ev['npmi']:.3f}) -> {out}"
        )
        cut, window = ev.get("embedding_cut_short"), cfg.topics.embedding_window
        if cut:
            where, fix = (
                (
                    f" in one of their windows of ~{window} words, of which it embedded only "
                    "the start",
                    "a smaller topics.embedding_window reads them whole",
                )
                if window
                else (
                    ", and it embedded only their start",
                    "topics.embedding_window: N embeds them as the mean of windows of ~N words",
                )
            )
            typer.echo(
                f"note: {cut:.1%} of the passages are longer than the {cfg.topics.embedding} "
                f"model reads{where}; {fix} (docs/parameters.md)"
            )
        for note in warning_signs(run):
            typer.echo(f"note: {note}")


def _claim_run_folder(out: Path, overwrite: bool, delete: bool = True) -> None:
    """Refuse to write over an earlier run (or a folder of other files) unless told to."""
    import shutil

    from lip_research import io
    from lip_research.runs import RunError, read_status

    if out.is_symlink():
        raise RunError(f"{out} is a link (such as latest): give the run folder itself as --out")
    if not out.is_dir() or not any(out.iterdir()):
        return
    is_run = (out / "run.json").exists() or (out / "STATUS").exists()
    if not is_run:
        raise RunError(f"{out} holds other files: give a new or empty folder as --out")
    status = read_status(out)[0]
    if status == "running" and io.run_is_live(out):
        pid = io.run_process(out)[0]
        raise RunError(
            f"{out} is being written by another run now (process {pid}): wait for it to "
            "finish or stop it, or give a new --out"
        )
    if not overwrite and status != "failed":  # a failed run holds nothing worth keeping
        raise RunError(
            f"{out} already holds a run (status {status}): give a new --out, "
            "or pass --overwrite to replace it"
        )
    if delete:
        shutil.rmtree(out)


def evaluate(
    run: Path = typer.Argument(..., help="A run folder written by `lip topics` or `lip report`."),
    seeds: int = typer.Option(3, min=1, max=20, help="Seeds for the stability figures (1 = skip)."),
    npmi_window: int | None = typer.Option(
        None,
        min=2,
        help="Also report NPMI counted within sliding windows of this many words (papers use 10).",
    ),
    resamples: int = typer.Option(
        3,
        min=0,
        max=20,
        help="Refits on random 90% shares of the documents for the resampling figures (0 = skip).",
    ),
) -> None:
    """Quality figures for a run: NPMI, diversity, outliers, largest topic, stability, label recovery.

    The run is refitted from its config, with its topic edits (topic_edits.yaml) applied. Figures go to RUN/evaluation.csv and run.json's "evaluation"; a figure this call does not compute (an earlier --npmi-window, say) is kept from the last call.
    """
    import numpy as np

    from lip_research import io
    from lip_research.analysis import AnalysisError
    from lip_research.compare import saved_passage_topics
    from lip_research.config import from_dict
    from lip_research.explore import edit_topics
    from lip_research.pipeline import corpus_for_run, modelled, run_topics
    from lip_research.runs import (
        RERUN,
        RunError,
        lens_run_error,
        run_record,
        saved_edits,
        status_warning,
    )
    from lip_research.topic_bench import evaluation, planted_labels

    with fail():
        record = run_record(run)
        refused = lens_run_error(run, record, "`lip evaluate`")
        if refused:
            raise refused
        corpus_record = record.get("corpus")
        if not isinstance(record.get("config"), dict) or not (
            isinstance(corpus_record, dict) and corpus_record.get("path")
        ):
            raise RunError(
                f"{run / 'run.json'} is unreadable (no config or corpus path in it): {RERUN}"
            )
        warning = status_warning(run)
        if warning:
            warn(f"{warning}; evaluating it anyway (the figures describe a refit of its config)")
        cfg = from_dict(record["config"])
        corpus = corpus_for_run(record, cfg)  # ingested again from its reports if need be
        corpus_path = Path(corpus.path)
        corpus_record["path"] = str(corpus_path.resolve())
        saved_hash = corpus_record.get("content_hash")
        if saved_hash and modelled(corpus, cfg).content_hash != saved_hash:
            # a run fitted from a reports folder names that folder, not the ingest cache
            source = corpus_record.get("source")
            where = (
                f"the reports in {source} have" if source else f"the corpus at {corpus_path} has"
            )
            raise io.CorpusError(
                f"{where} changed since {run} was fitted; "
                "fit a new run with `lip topics` and evaluate that"
            )
        fitted = run_topics(corpus, cfg, progress=False)
        edits = saved_edits(run)
        if edits:  # figures describe the run as saved: with its merges and labels ...
            # ... but stability is the fit's own: refits at other seeds are not merged
            evaluation(fitted, seeds=seeds, resamples=resamples, progress=True)
            seeds, resamples = 1, 0  # kept in fitted.evaluation through the edits
            try:
                edit_topics(fitted, **edits)
            except AnalysisError as exc:
                raise RunError(
                    f"{run / 'topic_edits.yaml'} does not fit the refitted topics ({exc}); "
                    "fix or delete it"
                ) from None
            typer.echo(f"with the run's topic edits ({run / 'topic_edits.yaml'}): {edits}")
        saved = run / "passage_topics.parquet"
        before = saved_passage_topics(run)
        if saved.exists() and before is None:
            warn(f"{saved} is damaged, so the refit cannot be checked against it")
        elif before is not None and not np.array_equal(
            before["topic"].to_numpy(), fitted.result.passage_topics["topic"].to_numpy()
        ):
            warn(
                f"refitting {run} here assigns passages differently from the saved run "
                "(another environment? see run.json's packages); the figures describe the refit."
            )
        source = record.get("corpus", {}).get("source")
        labels = planted_labels(fitted, source) if source else None
        table = evaluation(
            fitted,
            seeds=seeds,
            labels=labels,
            npmi_window=npmi_window,
            resamples=resamples,
            progress=True,
        )
        every = _with_earlier(table, run / "evaluation.csv")
        io.write_csv(every, run / "evaluation.csv")
        record["evaluation"] = {**(record.get("evaluation") or {}), **fitted.evaluation}
        record["evaluated"] = io.now_iso()
        io.write_json(record, run / "run.json")
        typer.echo(table.to_string(index=False, formatters={"value": _figure}))
        kept = every["measure"].iloc[len(table) :].tolist()
        if kept:
            typer.echo(
                f"kept in evaluation.csv from an earlier `lip evaluate` (not recomputed now): "
                f"{', '.join(kept)}"
            )


def _with_earlier(table, path: Path):
    """``table`` with the rows of an earlier evaluation.csv that it does not recompute."""
    import pandas as pd

    if not path.exists():
        return table
    try:
        earlier = pd.read_csv(path, dtype={"value": object})
    except (OSError, ValueError, pd.errors.ParserError):
        return table  # unreadable: the new figures replace it
    if list(earlier.columns) != ["measure", "value"]:
        return table
    kept = earlier[~earlier["measure"].isin(table["measure"])]
    return pd.concat([table, kept], ignore_index=True)


def _figure(value: object) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)
