"""The command line: --help everywhere, and clear errors (exit 2, no traceback) for bad input."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from lip_research.cli import COMMANDS, app

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.mark.parametrize("command", [name for name, _, _ in COMMANDS])
def test_every_command_has_help(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "Usage: lip " + command in " ".join(result.output.split())


def test_top_level_help_lists_the_commands():
    out = invoke("--help").output
    for name, _, _ in COMMANDS:
        assert name in out


def test_empty_corpus_says_what_to_do(tmp_path):
    (tmp_path / "empty").mkdir()
    result = runner.invoke(
        app, ["topics", "--corpus", str(tmp_path / "empty"), "--out", str(tmp_path / "run")]
    )
    assert result.exit_code == 2
    assert f"no files to read in {tmp_path / 'empty'}" in result.output  # the folder given
    assert "Traceback" not in result.output


def test_missing_corpus_folder(tmp_path):
    result = runner.invoke(
        app, ["topics", "--corpus", str(tmp_path / "nowhere"), "--out", str(tmp_path / "run")]
    )
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_too_few_passages_for_the_minimum_topic_size(ingested_slice, tmp_path):
    result = invoke(
        "topics", "--corpus", str(ingested_slice.path), "--out", str(tmp_path / "run"),
        "--embedding", "static", "--clustering", "hdbscan", "--min-topic-size", "900",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "min_topic_size=900 is too large" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "run").exists()  # refused before any run folder is made


def test_bad_backend_is_named(ingested_slice, tmp_path):
    result = invoke(
        "topics",
        "--corpus",
        str(ingested_slice.path),
        "--out",
        str(tmp_path / "run"),
        "--embedding",
        "bert",
    )
    assert result.exit_code == 2
    assert "topics.embedding='bert' is not one of minilm, static" in result.output
    for command, flag in (("report", "--embedding"), ("themes", "--backend")):
        typo = invoke(command, flag, "statik", "--out", str(tmp_path / command))
        assert typo.exit_code == 2 and f"Invalid value for {flag}" in typo.output
        assert "choose minilm or static, not 'statik'" in typo.output


def test_unknown_codebook_id_suggests_the_right_one(ingested_slice, tmp_path):
    result = runner.invoke(
        app,
        [
            "briefing",
            "hidden_man",
            "--corpus",
            str(ingested_slice.path),
            "--out",
            str(tmp_path / "b"),
            "--backend",
            "static",
        ],
    )
    assert result.exit_code != 0
    assert "hidden_man" in result.output and "hidden_men" in result.output


def test_topics_writes_the_contract_tables(ingested_slice, tmp_path):
    result = invoke(
        "topics",
        "--corpus",
        str(ingested_slice.path),
        "--out",
        str(tmp_path / "run"),
        "--embedding",
        "static",
        "--seed",
        "7",
    )
    assert result.exit_code == 0, result.output
    run = tmp_path / "run"
    assert list(pd.read_csv(run / "topics.csv").columns) == ["topic", "size", "label", "words"]
    assert list(pd.read_parquet(run / "passage_topics.parquet").columns)[:2] == [
        "passage_id",
        "doc_id",
    ]
    assert (run / "document_topics.csv").exists() and (run / "model" / "bertopic.pkl").exists()
    reps = pd.read_csv(run / "representative_passages.csv")
    assert {"citation", "excerpt"} <= set(reps.columns) and "text" not in reps.columns
    assert reps["citation"].str.startswith(tuple(reps["doc_id"])).all()
    words = reps["excerpt"].str.replace("…", "").str.split().str.len()
    assert words.max() <= 40 and reps["excerpt"].str.endswith("…").any()  # short quotes only
    import json

    record = json.loads((run / "run.json").read_text())
    assert record["seed"] == 7 and record["config"]["topics"]["embedding"] == "static"
    ev = invoke("evaluate", str(run), "--seeds", "2")
    assert ev.exit_code == 0, ev.output
    assert "stability_ari_mean" in ev.output and "npmi" in ev.output
    assert "stability_seeds" in ev.output and "7, 8" in ev.output  # which refits were compared


def test_evaluate_refuses_a_run_whose_corpus_has_changed_and_warns_on_a_different_refit(
    ingested_slice, tmp_path
):
    import shutil

    corpus = tmp_path / "corpus"
    shutil.copytree(ingested_slice.path, corpus)
    run = tmp_path / "run"
    result = invoke("topics", "--corpus", str(corpus), "--out", str(run), "--embedding", "static")
    assert result.exit_code == 0, result.output
    again = invoke("topics", "--corpus", str(corpus), "--out", str(run), "--embedding", "static")
    assert again.exit_code == 2 and "already holds a run (status complete)" in again.output
    assert (run / "topics.csv").exists()  # the first run is kept
    (run / "model" / "left-over.txt").write_text("from the first run")
    result = invoke(
        "topics", "--corpus", str(corpus), "--out", str(run), "--embedding", "static",
        "--overwrite",
    )  # fmt: skip
    assert result.exit_code == 0 and not (run / "model" / "left-over.txt").exists()
    typo = invoke("topics", "--corpus", str(tmp_path / "nowhere"), "--out", str(run), "--overwrite")
    assert typo.exit_code == 2 and (run / "topics.csv").exists()  # a bad corpus deletes nothing
    too_many = invoke(
        "topics", "--corpus", str(corpus), "--out", str(run), "--n-clusters", "10000",
        "--overwrite",
    )  # fmt: skip
    assert too_many.exit_code == 2 and "n_clusters=10000 needs more passages" in too_many.output
    assert (run / "topics.csv").exists()  # nor do settings the corpus cannot take

    saved = pd.read_parquet(run / "passage_topics.parquet")
    saved.assign(topic=saved["topic"].iloc[::-1].to_numpy()).to_parquet(
        run / "passage_topics.parquet"
    )
    ev = invoke("evaluate", str(run), "--seeds", "1")
    assert ev.exit_code == 0 and "assigns passages differently" in ev.output
    assert re.search(r"n_topics +\d+\n", ev.output)  # a count, not 12.0000

    passages = pd.read_parquet(corpus / "passages.parquet")
    passages.loc[passages.index[-1], "text"] += " An added sentence."
    passages.to_parquet(corpus / "passages.parquet")
    ev = invoke("evaluate", str(run), "--seeds", "1")
    assert ev.exit_code == 2 and "has changed since" in ev.output


def test_evaluate_names_the_reports_folder_whose_files_changed(sample_slice, tmp_path):
    import shutil

    from lip_research.corpora import CorpusWarning

    reports = tmp_path / "reports"
    shutil.copytree(sample_slice / "reports", reports)
    run = tmp_path / "run"
    fitted = invoke("topics", "--corpus", str(reports), "--out", str(run), "--embedding", "static")
    assert fitted.exit_code == 0, fitted.output
    record = json.loads((run / "run.json").read_text())
    shutil.rmtree(record["corpus"]["path"])  # the ingest cache gone: ingested again
    report = next(reports.glob("*.txt"))
    report.write_text(report.read_text() + "\n\nAn added paragraph about the school nurse.\n")
    with pytest.warns(CorpusWarning, match="ingesting its reports"):
        ev = invoke("evaluate", str(run), "--seeds", "1", "--resamples", "0")
    assert ev.exit_code == 2
    assert f"the reports in {reports.resolve()} have changed since" in " ".join(ev.output.split())


def test_a_run_names_the_files_it_could_not_read(sample_slice, tmp_path):
    import shutil

    from lip_research import workbench
    from lip_research.config import RunConfig
    from lip_research.corpora import CorpusWarning

    reports = tmp_path / "reports"
    shutil.copytree(sample_slice / "reports", reports)
    (reports / "child-x-review.pdf").write_bytes(b"")
    (reports / "elmsford").mkdir()
    (reports / "elmsford" / "child-x-review.pdf").write_bytes(b"")  # the same name elsewhere
    run = tmp_path / "run"
    with pytest.warns(CorpusWarning, match=r"2 failed \(the analysis goes on without them\)"):
        fitted = invoke(
            "topics", "--corpus", str(reports), "--out", str(run), "--embedding", "static"
        )
    assert fitted.exit_code == 0, fitted.output
    ledger = pd.read_csv(run / "ledger.csv").set_index("path")
    assert len(ledger) == len([p for p in reports.rglob("*") if p.is_file()])
    row = ledger.loc[next(p for p in ledger.index if p.endswith("reports/child-x-review.pdf"))]
    assert (row["status"], row["reason"]) == ("failed", "empty file (0 bytes)")
    with pytest.warns(CorpusWarning):
        corpus = workbench.open_corpus(reports, RunConfig())
    files = workbench.corpus_overview(corpus)["files"]
    assert sorted(files.values.tolist()) == [
        ["child-x-review.pdf", "failed", "empty file (0 bytes)"],
        ["elmsford/child-x-review.pdf", "failed", "empty file (0 bytes)"],
    ]


def test_evaluate_reports_recovery_of_the_planted_themes(sample_slice, tmp_path):
    run = tmp_path / "run"
    result = invoke(
        "topics", "--corpus", str(sample_slice), "--out", str(run), "--embedding", "static"
    )
    assert result.exit_code == 0, result.output
    ev = invoke("evaluate", str(run), "--seeds", "1", "--npmi-window", "10")
    assert ev.exit_code == 0, ev.output
    assert "recovery_nmi" in ev.output and "recovery_ari" in ev.output
    table = pd.read_csv(run / "evaluation.csv").set_index("measure")["value"]
    # counted in 10-word windows, the same words meet less often than within whole passages
    assert float(table["npmi_window_10"]) < float(table["npmi"])
    # 12 reports: three refits on 11 of them, compared on the passages both fits hold
    assert table["resample_documents"] == "11 of 12, 3 draws"
    assert -1 <= float(table["resample_ari_min"]) <= float(table["resample_ari_mean"]) <= 1

    ev = invoke("evaluate", str(run), "--seeds", "2", "--resamples", "0")
    assert ev.exit_code == 0, ev.output
    again = pd.read_csv(run / "evaluation.csv").set_index("measure")["value"]
    assert again["npmi_window_10"] == table["npmi_window_10"]  # kept from the first call
    assert "stability_ari_mean" in again and "resample_ari_mean" in again
    shown, kept = ev.output.split("kept in evaluation.csv from an earlier `lip evaluate`")
    assert "resample_ari_mean" not in shown and "npmi_window_10" not in shown
    assert "resample_ari_mean" in kept and "npmi_window_10" in kept
    record = json.loads((run / "run.json").read_text())
    assert {"stability_ari_mean", "resample_ari_mean", "npmi_window_10"} <= set(
        record["evaluation"]
    )
    assert record["evaluated"] >= record["created"]
