"""Reading run folders: `lip runs`, `lip compare` and `lip evaluate` on damaged, missing or
unfinished runs give one clear line (never a traceback) and keep working for healthy runs."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from lip_research.cli import app

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def fitted(sample_slice, tmp_path_factory) -> tuple[Path, Path]:
    """Two real runs on the sample slice (static embedding): the default seed and seed 7."""
    root = tmp_path_factory.mktemp("fitted")
    for name, extra in (("a", ()), ("b", ("--seed", "7"))):
        result = invoke(
            "topics", "--corpus", sample_slice, "--out", root / name,
            "--embedding", "static", "--no-save-model", *extra,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    return root / "a", root / "b"


@pytest.fixture
def runs(fitted, tmp_path) -> tuple[Path, Path]:
    """Fresh copies of the two runs under tmp_path/runs, free to damage."""
    a, b = (tmp_path / "runs" / run.name for run in fitted)
    for src, dst in zip(fitted, (a, b), strict=True):
        shutil.copytree(src, dst)
    return a, b


def truncate(path: Path) -> None:
    path.write_text(path.read_text()[:120])


def assert_one_line_error(result, *needles: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "JSONDecodeError" not in result.output
    assert len(lines(result.output)) == 1, result.output
    assert result.output.startswith("error: ")
    for needle in needles:
        assert needle in result.output, result.output


# -- 1. a damaged run.json ----------------------------------------------------------------
def test_runs_lists_every_readable_run_and_names_the_damaged_one(runs):
    good, bad = runs
    truncate(bad / "run.json")
    result = invoke("runs", good.parent)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    rows = {line.split()[0]: line for line in lines(result.output)[1:]}
    assert "complete" in rows[str(good)] and "static" in rows[str(good)]
    assert "unreadable" in rows[str(bad)]
    reasons = [line for line in lines(result.output) if line.startswith("unreadable:")]
    assert len(reasons) == 1
    assert str(bad / "run.json") in reasons[0] and "invalid JSON" in reasons[0]


@pytest.mark.parametrize("content", ["", "[1, 2]", '{"config": 3, "evaluation": []}'])
def test_runs_lists_an_empty_or_odd_run_json_as_unreadable(runs, content):
    good, bad = runs
    (bad / "run.json").write_text(content)
    result = invoke("runs", good.parent)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert any(line.split()[0] == str(good) and "complete" in line for line in lines(result.output))
    assert f"unreadable: {bad / 'run.json'} is unreadable" in result.output


def test_evaluate_and_compare_refuse_a_damaged_run_json_in_one_line(runs):
    good, bad = runs
    truncate(bad / "run.json")
    for result in (invoke("evaluate", bad, "--seeds", "1"), invoke("compare", good, bad)):
        assert_one_line_error(result, str(bad / "run.json"), "invalid JSON", "rerun `lip topics`")


# -- 2. compare: missing tables, unfinished runs, unknown corpus ----------------------------
def test_healthy_runs_still_compare_identical_on_the_same_corpus(runs):
    a, b = runs
    result = invoke("compare", a, b)
    assert result.exit_code == 0, result.output
    # the default engine (PCA + Ward) is deterministic: another seed, the same tables
    assert result.output.splitlines()[0].startswith("IDENTICAL")
    assert "same corpus: True" in result.output and "seed" in result.output
    assert "matched by the passages they share" in result.output
    copy = a.parent / "a-copy"
    shutil.copytree(a, copy)
    result = invoke("compare", a, copy)
    assert result.output.startswith("IDENTICAL") and "warning" not in result.output


@pytest.mark.parametrize("sides", ["b", "both"])
def test_a_missing_table_is_never_identical(runs, sides):
    a, b = runs
    shutil.rmtree(a)
    shutil.copytree(b, a)  # same bytes everywhere but for what is removed
    for run in (b,) if sides == "b" else (a, b):
        (run / "passage_topics.parquet").unlink()
    result = invoke("compare", a, b)
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first.startswith("DIFFERENT") and "IDENTICAL" not in result.output
    assert "missing: passage_topics.parquet" in first and str(b) in first
    assert "matched by their top words (word_overlap, Jaccard): a run has no readable" in (
        result.output
    )


def test_compare_warns_about_a_run_marked_running(runs):
    a, b = runs
    (b / "STATUS").write_text("running\n")
    result = invoke("compare", a, b)
    assert result.exit_code == 0, result.output
    assert f"warning: {b} is marked running" in result.output


def test_compare_refuses_a_failed_run_unless_asked(runs):
    a, b = runs
    (b / "STATUS").write_text("failed\nValueError: boom\n")
    result = invoke("compare", a, b)
    assert_one_line_error(result, f"{b} is a failed run", "boom", "--allow-failed")
    result = invoke("compare", a, b, "--allow-failed")
    assert result.exit_code == 0, result.output
    assert f"warning: {b} is marked failed (ValueError: boom)" in result.output


def test_an_unknown_corpus_hash_is_reported_as_unknown(runs):
    a, b = runs
    for run in runs:
        (run / "run.json").unlink()
        (run / "STATUS").unlink()
    result = invoke("compare", a, b)
    assert result.exit_code == 0, result.output
    assert "same corpus: True" not in result.output
    assert "same corpus: unknown" in result.output and str(a) in result.output


# -- 3. lip runs on a folder that does not exist -------------------------------------------
def test_runs_lists_a_corpus_overview_run(tmp_path):
    run = tmp_path / "reports" / "overview"  # notebook 01's run.json names only the corpus
    run.mkdir(parents=True)
    (run / "run.json").write_text('{"notebook": "01-corpus-overview", "corpus": "data/sample"}')
    (run / "STATUS").write_text("complete\n")
    result = invoke("runs", tmp_path / "reports")
    assert result.exit_code == 0 and "unreadable" not in result.output
    assert "complete" in result.output and "data/sample" in result.output


def test_runs_shows_no_embedding_for_a_keyword_search(tmp_path):
    from lip_research.runs import list_runs

    for name, mode in (("kw", "keyword"), ("sem", "semantic")):
        run = tmp_path / "searches" / name
        run.mkdir(parents=True)
        record = {"command": "search", "mode": mode, "config": {"topics": {"embedding": "minilm"}}}
        (run / "run.json").write_text(json.dumps(record))
    listed = list_runs(tmp_path / "searches")
    by_run = dict(zip(listed["run"].map(lambda r: Path(r).name), listed["embedding"], strict=True))
    assert pd.isna(by_run["kw"]) and by_run["sem"] == "minilm"


def test_runs_on_a_missing_folder_says_so(tmp_path):
    result = invoke("runs", tmp_path / "nowhere")
    assert_one_line_error(result, str(tmp_path / "nowhere"), "does not exist")
    (tmp_path / "empty").mkdir()
    result = invoke("runs", tmp_path / "empty")
    assert result.exit_code == 0 and "no runs under" in result.output


# -- 4. lip evaluate on something that is not a run, or an unfinished run --------------------
def test_evaluate_names_a_folder_that_is_not_a_run(tmp_path, runs):
    (tmp_path / "plain").mkdir()
    result = invoke("evaluate", tmp_path / "plain")
    assert_one_line_error(
        result, f"{tmp_path / 'plain'} is not a run folder (no run.json)", "`lip topics`"
    )
    assert "Errno" not in result.output
    result = invoke("evaluate", tmp_path / "nowhere")
    assert_one_line_error(result, "is not a run folder (it does not exist)", "`lip topics`")
    (tmp_path / "notes.txt").write_text("a file")
    result = invoke("evaluate", tmp_path / "notes.txt")
    assert_one_line_error(result, "is not a run folder (it is a file)", "`lip topics`")
    _, b = runs
    (b / "run.json").unlink()
    (b / "STATUS").write_text("failed\nConfigError: n_clusters too big\n")
    assert_one_line_error(invoke("evaluate", b), "failed run", "n_clusters too big")


@pytest.mark.parametrize("status", ["running", "failed"])
def test_evaluate_warns_before_evaluating_an_unfinished_run(runs, status):
    _, b = runs
    (b / "STATUS").write_text(f"{status}\n")
    result = invoke("evaluate", b, "--seeds", "1")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"warning: {b} is marked {status}")
    assert "npmi" in result.output


# -- 5. what compare says changed ----------------------------------------------------------
def test_compare_says_the_seed_alone_changed_nothing_and_keeps_values_whole(runs):
    a, b = runs
    result = invoke("compare", a, b, "--out", a.parent / "cmp")
    assert "seed" in result.output and "7" in result.output and "7.0" not in result.output
    assert "only the seed changed, and no table did" in result.output
    changes = pd.read_csv(a.parent / "cmp" / "parameter_changes.csv")
    assert changes.set_index("parameter").loc["seed", "run_b"] == 7
    record = json.loads((a / "run.json").read_text())  # a run from before ngram_max went
    record["config"]["topics"]["ngram_max"] = 1
    del record["config"]["topics"]["phrases"]  # ... and before topics.phrases came
    (a / "run.json").write_text(json.dumps(record))
    output = invoke("compare", a, b).output
    assert "ngram_max" not in output and "phrases" not in output  # not a change


def test_compare_names_the_code_and_notebook_parameters_that_changed(runs):
    a, b = runs
    for run, commit, bertopic, given in (
        (a, "1" * 40, "0.17.4", {"corpus": "data/sample"}),
        (
            b,
            "2" * 40,
            "0.17.5",
            {"corpus": "data/sample", "class_column": "", "stability_seeds": 2},
        ),
    ):
        record = json.loads((run / "run.json").read_text())
        record["git_commit"], record["packages"]["bertopic"] = commit, bertopic
        defaults = {"class_column": None, "stability_seeds": 3, "stability_resamples": 3}
        record["report"] = {
            "notebook": "10-thematic-report.ipynb",
            "parameters": given,
            "defaults": {k: v for k, v in defaults.items() if k not in given},
        }
        (run / "run.json").write_text(json.dumps(record))
    result = invoke("compare", a, b, "--out", a.parent / "cmp")
    changes = pd.read_csv(a.parent / "cmp" / "parameter_changes.csv").set_index("parameter")
    assert changes.loc["code.git_commit", "run_b"] == "2" * 40
    assert changes.loc["code.bertopic", "run_b"] == "0.17.5"
    assert changes.loc["report.class_column", "run_b"] == '""'  # skipped, not unset
    assert changes.loc["report.stability_seeds"].tolist() == ["3", "2"]  # a ran at the default
    assert "report.stability_resamples" not in changes.index  # the default in both
    assert "report.corpus" not in changes.index  # compared as corpus.*, not twice
    assert "only the seed changed" not in result.output  # the code changed too


def test_compare_says_an_embedding_change_alone_moves_theme_prevalence(runs):
    a, b = runs
    for run, present in ((a, [True, False]), (b, [True, True])):
        pd.DataFrame(
            {"doc_id": ["d1", "d2"], "theme_id": ["neglect", "neglect"], "present": present}
        ).to_csv(run / "theme_documents.csv", index=False)
    record = json.loads((b / "run.json").read_text())
    record["config"]["topics"]["embedding"] = "minilm"
    (b / "run.json").write_text(json.dumps(record))
    out = invoke("compare", a, b).output
    assert "themes whose prevalence shifted: 1 of 1" in out
    assert "a change of embedding moves their prevalence" in out
    assert "neglect       50.0      100.0          50.0" in out  # percent, as theme tables give


def test_compare_names_another_corpus_and_what_auto_chose_for_it(runs):
    a, b = runs
    record = json.loads((b / "run.json").read_text())
    record["corpus"]["ingested_hash"] = "0" * 64
    record["corpus"]["documents"] += 5
    record["resolved_topics"]["n_clusters"] = 9
    (b / "run.json").write_text(json.dumps(record))
    result = runner.invoke(app, ["compare", str(a), str(b)], catch_exceptions=False)
    assert "same corpus: False" in result.output
    assert "warning: the runs are over different corpora" in result.output
    assert "corpus.documents" in result.output and "resolved.n_clusters" in result.output
    # passage ids number each report's passages: over other passages they name other text
    assert "matched by their top words (word_overlap, Jaccard): the runs are not over the " in (
        result.output
    )


def test_runs_given_a_run_folder_or_its_latest_link_lists_that_run(runs):
    a, _ = runs
    latest = a.parent / "latest"
    latest.symlink_to(a.name)
    for target in (a, latest):
        result = invoke("runs", target)
        assert result.exit_code == 0, result.output
        assert str(a) in result.output and "no runs under" not in result.output
        assert "None" not in result.output and "<NA>" not in result.output


def test_compare_sets_the_quality_figures_of_both_runs_side_by_side(runs):
    a, b = runs
    record = json.loads((b / "run.json").read_text())
    npmi_a = json.loads((a / "run.json").read_text())["evaluation"]["npmi"]
    record["evaluation"]["npmi"] = npmi_a + 0.05
    record["evaluation"]["resample_ari_mean"] = 0.5  # only run b was evaluated further
    (b / "run.json").write_text(json.dumps(record))
    result = invoke("compare", a, b, "--out", a.parent / "cmp")
    assert result.exit_code == 0, result.output
    assert "quality figures (run.json evaluation" in result.output
    quality = pd.read_csv(a.parent / "cmp" / "quality.csv").set_index("measure")
    assert list(quality.columns) == ["run_a", "run_b", "change"]
    assert quality.loc["npmi", "change"] == pytest.approx(0.05)
    assert quality.loc["n_topics", "change"] == 0
    assert pd.isna(quality.loc["resample_ari_mean", "run_a"])  # only run b has it
    assert quality.loc["resample_ari_mean", "run_b"] == 0.5
    assert pd.isna(quality.loc["resample_ari_mean", "change"])
    assert "(unset)" in result.output


def test_compare_and_evaluate_name_a_themes_run_as_such(runs, tmp_path):
    a, b = runs
    (b / "topics.csv").unlink()
    record = json.loads((b / "run.json").read_text())
    (b / "run.json").write_text(json.dumps({**record, "command": "themes"}))
    assert_one_line_error(invoke("compare", a, b), "is a `lip themes` run", "`lip compare` takes")
    assert_one_line_error(invoke("evaluate", b), "is a `lip themes` run", "`lip evaluate` takes")


def test_theme_tables_in_one_run_only_do_not_make_the_topics_different(runs):
    a, b = runs
    (b / "theme_documents.csv").write_text("doc_id,theme_id,present\nx,neglect,True\n")
    result = invoke("compare", a, b)
    first = result.output.splitlines()[0]
    assert first.startswith("SAME TOPICS") and "theme_documents.csv" in first


def test_runs_tells_similar_runs_apart_and_says_why_one_failed(runs):
    a, b = runs
    failed = a.parent / "c"
    failed.mkdir()
    (failed / "STATUS").write_text("failed\nConfigError: n_clusters too big\n")
    result = invoke("runs", a.parent)
    assert result.exit_code == 0, result.output
    header = result.output.splitlines()[0].split()
    assert {"kind", "topics_by"} <= set(header)
    row = next(line for line in result.output.splitlines() if line.strip().startswith(str(a)))
    assert "topics" in row and "n_clusters=" in row
    assert f"{failed} failed: ConfigError: n_clusters too big" in result.output
    report = a.parent / "d"  # a report that failed after its notebook saved the topics
    shutil.copytree(a, report)
    (report / "02-topic-model.ipynb").write_text("{}")
    (report / "STATUS").write_text("failed\nnotebook 02-topic-model.ipynb failed in cell 12\n")
    result = invoke("runs", a.parent)
    row = next(line for line in result.output.splitlines() if line.strip().startswith(str(report)))
    assert "report 02-topic-model" in row


def test_evaluate_and_compare_take_a_runs_topic_edits_into_account(runs):
    from lip_research import analysis

    a, b = runs
    topics = pd.read_csv(a / "topics.csv")
    first, second = (int(t) for t in topics["topic"][topics["topic"] != -1][:2])
    saved = pd.read_parquet(a / "passage_topics.parquet")
    analysis.merge_topics(saved, [[first, second]]).to_parquet(a / "passage_topics.parquet")
    (a / "topic_edits.yaml").write_text(
        f"labels:\n  {first}: Merged by hand\nmerge:\n- [{first}, {second}]\n"
    )
    ev = invoke("evaluate", a, "--seeds", "2", "--resamples", "0")
    assert ev.exit_code == 0, ev.output
    assert "assigns passages differently" not in ev.output  # the edits were applied
    assert "topic edits" in ev.output
    record = json.loads((a / "run.json").read_text())
    assert record["evaluation"]["n_topics"] == (topics["topic"] != -1).sum() - 1
    # the default fit has no random step: its refits agree, whatever the researcher merged
    assert record["evaluation"]["stability_ari_mean"] == 1.0

    result = invoke("compare", a, b)
    assert result.exit_code == 0, result.output
    assert "edits.merge" in result.output and "edits.labels" in result.output

    (a / "topic_edits.yaml").write_text("merge: [4, 9]\n")  # flat: not a list of groups
    assert_one_line_error(invoke("evaluate", a, "--seeds", "1"), "topic_edits.yaml")
    (a / "topic_edits.yaml").write_text("merge: [[0, 99]]\n")  # no topic 99 in the refit
    assert_one_line_error(invoke("evaluate", a, "--seeds", "1"), "topic_edits.yaml", "99")
    (a / "topic_edits.yaml").write_bytes(b"labels:\n  0: Caf\xe9\n")  # not UTF-8
    assert_one_line_error(invoke("evaluate", a, "--seeds", "1"), "topic_edits.yaml")


def test_a_run_stopped_by_sigterm_or_ctrl_c_is_marked_failed_with_how(tmp_path):
    import subprocess
    import sys

    from lip_research import io

    script = (
        "import os, signal, sys, time\n"
        "from lip_research import io\n"
        "io.stop_on_sigterm()\n"
        "run = sys.argv[1]\n"
        "io.set_run_status(run, 'running')\n"
        "try:\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "    time.sleep(30)\n"
        "except BaseException as exc:\n"
        "    io.set_run_status(run, 'failed', io.failure_reason(exc))\n"
        "    raise\n"
    )
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True)
    assert proc.returncode != 0 and b"Stopped" in proc.stderr
    assert (tmp_path / "STATUS").read_text().splitlines() == [
        "failed",
        "stopped by SIGTERM (kill, timeout or a cancelled job)",
    ]
    assert io.failure_reason(KeyboardInterrupt()) == "interrupted (Ctrl-C)"
    # the lip command itself: SIGTERM ends it with one line and the usual exit status 143
    stopped = (
        "import os, signal, time\n"
        "from lip_research import cli\n"
        "cli.app = lambda: (os.kill(os.getpid(), signal.SIGTERM), time.sleep(30))\n"
        "cli.main()\n"
    )
    proc = subprocess.run([sys.executable, "-c", stopped], capture_output=True, text=True)
    assert proc.returncode == 143
    assert proc.stderr == "error: stopped by SIGTERM (kill, timeout or a cancelled job)\n"


def test_compare_fills_in_defaults_only_where_both_runs_recorded_them():
    from lip_research.compare import _changes

    def record(given, defaults=None):
        report = {"notebook": "10-thematic-report.ipynb", "parameters": given}
        return {"report": report | ({"defaults": defaults} if defaults is not None else {})}

    before = record({"corpus": "data/sample"})  # a run from before defaults were recorded
    default = record({"corpus": "data/sample"}, {"stability_seeds": 3})
    two = record({"corpus": "data/sample", "stability_seeds": 2}, {})
    assert _changes(before, default).empty  # nothing changed: no default against None
    changes = _changes(default, two)
    assert changes[["parameter", "run_a", "run_b"]].values.tolist() == [
        ["report.stability_seeds", 3, 2]
    ]


def test_compare_names_a_change_of_text_and_what_auto_became():
    from lip_research.compare import _changes

    def record(text, n_clusters=None, resolved=18):
        return {
            "corpus": {"source": "/r", "documents": 3, "passages": 90, "content_hash": text},
            "config": {"topics": {"n_clusters": n_clusters}},
            "resolved_topics": {"n_clusters": n_clusters or resolved},
        }

    edited = _changes(record("a" * 64), record("b" * 64))  # one report edited in place
    assert edited[["parameter", "run_a", "run_b"]].values.tolist() == [
        ["corpus.text", f"sha256 {'a' * 12}", f"sha256 {'b' * 12}"]
    ]
    asked = _changes(record("a" * 64), record("a" * 64, n_clusters=12))
    assert asked[["parameter", "run_a", "run_b"]].values.tolist() == [
        ["topics.n_clusters", "auto: 18", 12]
    ]


# -- 6. run folders under adverse conditions ------------------------------------------------
def test_a_run_being_written_is_never_replaced_even_with_overwrite(runs, sample_slice):
    import socket

    a, _ = runs
    (a / "STATUS").write_text(f"running\nprocess {os.getpid()} on {socket.gethostname()}\n")
    result = invoke(
        "topics", "--corpus", sample_slice, "--out", a, "--embedding", "static", "--overwrite"
    )
    assert_one_line_error(result, "is being written by another run now (process")
    assert (a / "topics.csv").exists()  # nothing deleted


def test_a_run_whose_process_has_gone_is_named_as_such(runs):
    import socket
    import subprocess

    a, _ = runs
    gone = subprocess.Popen(["true"])
    gone.wait()
    (a / "STATUS").write_text(f"running\nprocess {gone.pid} on {socket.gethostname()}\n")
    out = invoke("runs", a.parent).output
    assert f"{a} is marked running, but the process writing it (process {gone.pid}" in out
    assert "has gone: it was stopped or crashed" in out


def test_a_run_taken_over_meanwhile_does_not_write_over_the_other(runs, sample_slice, monkeypatch):
    """Another `lip topics --overwrite` replaced the folder while this run was fitting."""
    from lip_research import pipeline

    fit = pipeline.run_topics
    out = runs[0].parent / "new"

    def then_taken_over(*args, **kwargs):
        fitted = fit(*args, **kwargs)
        (out / "STATUS").write_text("running\nprocess 1 on another-machine\n")
        return fitted

    monkeypatch.setattr(pipeline, "run_topics", then_taken_over)
    result = invoke("topics", "--corpus", sample_slice, "--out", out, "--embedding", "static")
    assert result.exit_code == 2 and "Traceback" not in result.output  # after the progress bar
    assert lines(result.output)[-1].startswith(f"error: {out} was taken over by another run")
    assert not (out / "topics.csv").exists()
    assert (out / "STATUS").read_text().startswith("running\nprocess 1 on another-machine")


def test_a_folder_or_file_named_latest_is_never_replaced(tmp_path):
    from lip_research import io
    from lip_research.runs import RunError

    (tmp_path / "latest").mkdir()
    (tmp_path / "latest" / "notes.txt").write_text("mine")
    with pytest.raises(RunError, match="latest is a folder, not the link .* rename or move it"):
        io.new_run_dir(tmp_path, "abc")
    assert [p.name for p in tmp_path.iterdir()] == ["latest"]  # refused before any work
    run = io.new_run_dir(tmp_path / "other", "abc")
    (tmp_path / "other" / "latest").write_text("put there while the run was working")
    with pytest.warns(io.LipWarning, match="is not the link lip keeps"):
        io.mark_latest(run)
    assert (tmp_path / "other" / "latest").read_text() == "put there while the run was working"


def test_a_failure_is_recorded_even_when_the_disk_is_full(tmp_path, monkeypatch):
    import errno

    from lip_research import io
    from lip_research.commands import os_problem

    io.set_run_status(tmp_path, "running")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(io, "write_text", full)  # no new file can be made
    io.set_run_status(tmp_path, "failed", "OSError: no space")
    assert (tmp_path / "STATUS").read_text() == "failed\nOSError: no space\n"
    problem = os_problem(OSError(errno.ENOSPC, "No space left on device", "/d/run.json"))
    assert (
        problem
        == "/d/run.json: no space left on the disk: free some space, or write to another disk"
    )


def test_evaluate_goes_on_past_a_damaged_saved_table(runs):
    a, _ = runs
    (a / "passage_topics.parquet").write_bytes(b"PAR1 cut short")
    result = invoke("evaluate", a, "--seeds", "1", "--resamples", "0")
    assert result.exit_code == 0, result.output
    assert "passage_topics.parquet is damaged, so the refit cannot be checked" in result.output
    assert "npmi" in result.output
