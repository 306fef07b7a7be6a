"""pipeline: where a folder of reports is ingested, what a run records of it, and finding a
run's corpus again."""

from __future__ import annotations

import contextlib
import json
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from conftest import SAMPLE
from typer.testing import CliRunner

from lip_research import io
from lip_research.cli import app
from lip_research.config import IngestConfig, RunConfig
from lip_research.pipeline import (
    CorpusWarning,
    config_for_corpus,
    corpus_for_run,
    ingested_with,
    load_corpus,
)

SHORT = {"min_words": 50, "max_words": 120}  # passages cut shorter than the defaults (100, 250)


def invoke(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


def config(**ingest) -> RunConfig:
    return RunConfig(ingest=IngestConfig(**ingest))


@pytest.fixture
def reports(tmp_path) -> Path:
    """Three of the sample's text reports, in a plain folder of reports."""
    folder = tmp_path / "reports"
    folder.mkdir()
    for path in sorted((SAMPLE / "reports").glob("*.txt"))[:3]:
        shutil.copy(path, folder / path.name)
    return folder


@contextlib.contextmanager
def no_corpus_warning() -> Iterator[None]:
    """A CorpusWarning inside fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", CorpusWarning)
        yield


# -- 1. one ingested copy per folder and passage settings ------------------------------------------
def test_each_way_of_cutting_a_folder_keeps_its_own_ingested_copy(reports, tmp_path):
    interim = tmp_path / "interim"
    default = load_corpus(reports, RunConfig(), interim, progress=False)
    short = load_corpus(reports, config(**SHORT), interim, progress=False)
    assert short.path != default.path
    assert len(short.passages) > len(default.passages)  # cut shorter, so more of them
    # the first copy is as it was, so a run fitted on it still finds its passages
    assert io.read_corpus(default.path).content_hash == default.content_hash
    assert ingested_with(default.path) == IngestConfig()
    assert ingested_with(short.path) == IngestConfig(**SHORT)
    # settings that do not cut passages differently reuse the folder, with the same passages
    again = load_corpus(reports, config(workers=1, timeout_s=60.0), interim, progress=False)
    assert again.path == default.path and again.content_hash == default.content_hash
    assert sorted(p.name for p in interim.iterdir()) == sorted([default.path.name, short.path.name])


def test_a_run_can_be_evaluated_after_another_cuts_its_reports_differently(
    sample_slice, tmp_path, monkeypatch
):
    monkeypatch.setenv("LIP_INTERIM_DIR", str(tmp_path / "interim"))
    (tmp_path / "short.yaml").write_text(yaml.safe_dump({"ingest": SHORT}))
    a, b = tmp_path / "a", tmp_path / "b"
    fit = ("--corpus", sample_slice, "--embedding", "static")
    assert invoke("topics", *fit, "--out", a).exit_code == 0
    result = invoke("topics", *fit, "--out", b, "--config", tmp_path / "short.yaml")
    assert result.exit_code == 0, result.output
    corpus = {run: json.loads((run / "run.json").read_text())["corpus"] for run in (a, b)}
    assert corpus[a]["path"] != corpus[b]["path"]
    assert corpus[a]["source"] == corpus[b]["source"] == str(sample_slice.resolve())
    ev = invoke("evaluate", a, "--seeds", "1", "--resamples", "0")
    assert ev.exit_code == 0, ev.output
    assert "has changed" not in ev.output and "npmi" in ev.output

    shutil.rmtree(corpus[a]["path"])  # the ingested copy is gone (cache cleaned): evaluate
    with pytest.warns(CorpusWarning, match="ingesting its reports"):  # again, and says so
        ev = invoke("evaluate", a, "--seeds", "1", "--resamples", "0")
    assert ev.exit_code == 0, ev.output
    assert "npmi" in ev.output
    assert json.loads((a / "run.json").read_text())["corpus"]["path"] == corpus[a]["path"]


def test_files_lost_on_the_way_to_a_run_are_named_with_the_ledger(sample_slice, tmp_path):
    """A folder of reports given to `lip topics` is ingested on the way: files that fail
    there are not left out silently, and run.json counts them."""
    folder = tmp_path / "reports"
    shutil.copytree(sample_slice / "reports", folder)
    (folder / "scan.pdf").write_bytes(b"")  # empty: fails
    first = sorted(folder.iterdir())[0]
    shutil.copy(first, folder / f"copy of {first.name}")  # read once
    interim = tmp_path / "interim"
    with pytest.warns(
        CorpusWarning,
        match=r"of the 14 files in .*, 1 failed \(the analysis goes on without them\) and 1 "
        r"is a copy of another file, read once.*/ledger\.csv",
    ):
        corpus = load_corpus(folder, RunConfig(), interim, progress=False)
    assert len(corpus.documents) == 12

    out = tmp_path / "run"
    env = {"LIP_INTERIM_DIR": str(interim)}
    fit = ("topics", "--corpus", folder, "--out", out, "--embedding", "static")
    with pytest.warns(CorpusWarning, match=r"1 failed \(empty file\)"):
        result = CliRunner().invoke(app, [str(a) for a in fit], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    files = json.loads((out / "run.json").read_text())["corpus"]["files"]
    assert files == {"duplicate": 1, "failed": 1, "ok": 12}
    with no_corpus_warning():  # a folder whose files all read says nothing
        load_corpus(sample_slice / "reports", RunConfig(), interim, progress=False)


# -- 2. an ingested corpus keeps its own settings, and the run records them ---------------------
def test_ingest_settings_for_an_ingested_corpus_are_named_as_unused(ingested_slice):
    path = ingested_slice.path
    with pytest.warns(CorpusWarning) as caught:
        corpus = load_corpus(path, config(**SHORT))
    message = str(caught[0].message)
    assert "ingest settings do not apply to an ingested corpus" in message
    assert "ingest.min_words 100 (the config says 50)" in message
    assert "ingest.max_words 250 (the config says 120)" in message
    reports = io.read_json(path / "ingest.json")["sources"][0]
    assert f"give the folder of reports ({reports}) as the corpus" in message
    assert corpus.content_hash == ingested_slice.content_hash  # read as it is
    # what a run records: the settings it was cut with, not the config's
    assert config_for_corpus(corpus, config(**SHORT)).ingest == IngestConfig()
    with no_corpus_warning():  # asked for what it was cut with (or for nothing): nothing to say
        load_corpus(path, config(workers=2))
        load_corpus(path)


def test_a_plain_config_asks_nothing_of_an_ingested_corpus_and_records_its_settings(
    reports, tmp_path
):
    cut_short = load_corpus(reports, config(**SHORT), tmp_path / "interim", progress=False).path
    with no_corpus_warning():  # the defaults ask for nothing: the corpus is used as cut
        corpus = load_corpus(cut_short, RunConfig())
    assert config_for_corpus(corpus, RunConfig()).ingest == IngestConfig(**SHORT)

    unrecorded = tmp_path / "unrecorded"  # an ingested corpus without its ingest.json
    shutil.copytree(cut_short, unrecorded)
    (unrecorded / "ingest.json").unlink()
    with pytest.warns(
        CorpusWarning, match="has no ingest.json, so what it was cut with is unknown"
    ):
        corpus = load_corpus(unrecorded, config(min_words=80))
    assert config_for_corpus(corpus, config(min_words=80)).ingest.min_words == 80  # all it knows


def test_a_run_on_an_ingested_corpus_records_the_settings_it_was_cut_with(ingested_slice, tmp_path):
    (tmp_path / "short.yaml").write_text(yaml.safe_dump({"ingest": SHORT}))
    asked, plain = tmp_path / "asked", tmp_path / "plain"
    fit = ("--corpus", ingested_slice.path, "--embedding", "static")
    with pytest.warns(CorpusWarning, match=r"ingest.min_words 100 \(the config says 50\)"):
        result = invoke("topics", *fit, "--out", asked, "--config", tmp_path / "short.yaml")
    assert result.exit_code == 0, result.output

    cut_with = RunConfig().to_dict()["ingest"]  # the slice was ingested with the defaults
    assert io.read_json(ingested_slice.path / "ingest.json")["config"]["min_words"] == 100
    recorded = json.loads((asked / "run.json").read_text())["config"]["ingest"]
    assert recorded == cut_with and recorded["min_words"] == 100 and recorded["max_words"] == 250
    assert yaml.safe_load((asked / "config.yaml").read_text())["ingest"] == cut_with

    with no_corpus_warning():  # the default settings are what it was cut with: nothing to say
        assert invoke("topics", *fit, "--out", plain).exit_code == 0
    compared = invoke("compare", asked, plain)
    assert compared.exit_code == 0, compared.output
    assert "ingest." not in compared.output  # the same passages: no ingest setting changed


# -- 3. a run's corpus, found again -----------------------------------------------------------
def record_of(corpus, source: Path | None, cfg: RunConfig) -> dict:
    """What run.json says of a run's corpus (see `pipeline.provenance`)."""
    return {
        "corpus": {
            "path": str(Path(corpus.path).resolve()),
            "source": str(source.resolve()) if source else None,
            "content_hash": corpus.content_hash,
        },
        "config": cfg.to_dict(),
    }


def test_a_runs_corpus_is_read_from_its_ingested_folder_while_it_is_there(reports, tmp_path):
    cfg = config(**SHORT)
    fitted = load_corpus(reports, cfg, tmp_path / "interim", progress=False)
    with no_corpus_warning():
        found = corpus_for_run(record_of(fitted, reports, cfg), cfg, progress=False)
    assert found.path.resolve() == fitted.path.resolve()
    assert found.content_hash == fitted.content_hash


def test_a_runs_corpus_is_its_reports_as_they_are_not_the_last_ingest_of_them(reports, tmp_path):
    """Runs of one folder share its ingested copy: a later run's version of the reports
    there must neither stand in for the reports now nor hide that they changed."""
    cfg, interim = config(**SHORT), tmp_path / "interim"
    fitted = load_corpus(reports, cfg, interim, progress=False)
    record = record_of(fitted, reports, cfg)
    extra = reports / "added-since.txt"
    shutil.copy(sorted((SAMPLE / "reports").glob("*.txt"))[3], extra)
    later = load_corpus(reports, cfg, interim, progress=False)  # another run, one more report
    assert later.path == fitted.path and later.content_hash != fitted.content_hash
    extra.unlink()  # the folder as the first run saw it
    with no_corpus_warning():
        found = corpus_for_run(record, cfg, progress=False)
    assert found.content_hash == fitted.content_hash
    assert found.path.resolve() == fitted.path.resolve()
    shutil.copy(sorted((SAMPLE / "reports").glob("*.txt"))[3], extra)  # changed after all
    assert corpus_for_run(record, cfg, progress=False).content_hash == later.content_hash


def test_a_runs_corpus_is_ingested_again_from_its_reports_when_its_folder_is_gone(
    reports, tmp_path
):
    cfg = config(**SHORT)
    fitted = load_corpus(reports, cfg, tmp_path / "interim", progress=False)
    record = record_of(fitted, reports, cfg)
    shutil.rmtree(fitted.path)  # the interim cache cleaned
    elsewhere = tmp_path / "moved-interim"
    with pytest.warns(CorpusWarning, match="does not exist; ingesting its reports .* again"):
        found = corpus_for_run(record, cfg, elsewhere, progress=False)
    assert found.content_hash == fitted.content_hash  # the same passages as the run's
    assert found.path.parent == elsewhere and ingested_with(found.path) == cfg.ingest


def test_a_runs_corpus_cut_since_with_other_settings_is_ingested_again(reports, tmp_path):
    """A folder shared by runs with different settings (before each got its own) holds the
    last run's passages: the run's own are ingested again from its reports."""
    interim = tmp_path / "interim"
    fitted = load_corpus(reports, RunConfig(), interim, progress=False)
    record = record_of(fitted, reports, RunConfig())
    shutil.rmtree(fitted.path)
    shutil.copytree(
        load_corpus(reports, config(**SHORT), interim, progress=False).path, fitted.path
    )
    with pytest.warns(CorpusWarning, match="ingested with other settings since"):
        found = corpus_for_run(record, RunConfig(), interim, progress=False)
    assert found.content_hash == fitted.content_hash


def test_a_runs_corpus_gone_with_its_reports_is_a_clear_error(reports, tmp_path):
    cfg = RunConfig()
    fitted = load_corpus(reports, cfg, tmp_path / "interim", progress=False)
    record = record_of(fitted, reports, cfg)
    shutil.rmtree(fitted.path)
    shutil.rmtree(reports)
    with pytest.raises(io.CorpusError) as error:
        corpus_for_run(record, cfg, progress=False)
    message = str(error.value)
    assert record["corpus"]["path"] in message and record["corpus"]["source"] in message
    assert "does not exist" in message and "lip topics --corpus" in message

    record["corpus"]["source"] = None  # a run fitted on an ingested corpus names no reports
    with pytest.raises(io.CorpusError, match="names no folder of reports"):
        corpus_for_run(record, cfg, progress=False)


# -- how much of each passage the embedding read -------------------------------------------------
def test_a_run_records_and_reports_the_passages_the_embedding_cut_short(ingested_slice, tmp_path):
    """MiniLM reads ~190 words: the run says how many passages were longer, and a window
    (topics.embedding_window) leaves none cut short."""
    (tmp_path / "window.yaml").write_text(yaml.safe_dump({"topics": {"embedding_window": 120}}))
    fit = ("--corpus", ingested_slice.path, "--embedding", "minilm", "--no-save-model")
    whole = invoke("topics", *fit, "--out", tmp_path / "whole")
    windowed = invoke(
        "topics", *fit, "--out", tmp_path / "win", "--config", tmp_path / "window.yaml"
    )
    cut = {
        run: json.loads((tmp_path / run / "run.json").read_text())["evaluation"][
            "embedding_cut_short"
        ]
        for run in ("whole", "win")
    }
    assert 0 < cut["whole"] < 1 and cut["win"] == 0
    assert f"note: {cut['whole']:.1%} of the passages are longer than the minilm model" in (
        whole.output
    )
    assert "embedding_window" in whole.output and "note:" not in windowed.output


def test_a_notebook_shows_the_workbenchs_warnings_as_one_line(monkeypatch, capsys):
    import warnings

    from lip_research import workbench
    from lip_research.corpora import CorpusWarning
    from lip_research.io import LipWarning

    others = []  # what Python's own display receives
    monkeypatch.setattr(warnings, "showwarning", lambda message, *rest: others.append(message))
    workbench.show_warnings_as_notes()
    workbench.show_warnings_as_notes()  # the setup cell run twice: still one line
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("1 of 13 files failed", CorpusWarning, stacklevel=1)
        warnings.warn("a removed setting", LipWarning, stacklevel=1)
        warnings.warn("from another library", DeprecationWarning, stacklevel=1)
    err = capsys.readouterr().err
    assert err == "Warning: 1 of 13 files failed\nWarning: a removed setting\n"
    assert [str(m) for m in others] == ["from another library"]  # shown as Python shows it
