"""The topic engine on the real sample corpus with the real (fast, static) embedding model."""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pandas as pd
import pytest
from conftest import SAMPLE, SHARED

from lip_research import io
from lip_research.config import ConfigError, IngestConfig, RunConfig
from lip_research.embed import embed_texts
from lip_research.pipeline import place_names, provenance, run_topics, write_topic_tables
from lip_research.saved import assign_topics, load_model, save_model
from lip_research.topics import SharedWords, _not_nested, fit_topics, topic_label

STATIC = RunConfig().replace(**{"topics.embedding": "static"})


@pytest.fixture(scope="module")
def fitted(ingested_slice):
    return run_topics(ingested_slice, STATIC, progress=False)


@pytest.fixture(scope="module")
def ofsted_slice(tmp_path_factory):
    """29 real Ofsted reports (2016, 2023, 2025); a third share the 2016 statutory preamble."""
    from lip_research.ingest import run_ingest

    ofsted = SHARED / "corpora" / "ofsted-ilacs"
    pdfs = sorted((ofsted / "pdf").glob("ofsted-20[12][635]-*.pdf"))
    assert len(pdfs) == 29
    out = tmp_path_factory.mktemp("ofsted") / "corpus"
    return run_ingest(pdfs, out, IngestConfig(), ofsted / "manifest.csv", progress=False)


def test_tables_have_the_contract_columns(fitted, tmp_path):
    paths = write_topic_tables(fitted, tmp_path)
    topics = pd.read_csv(paths["topics"])
    assert list(topics.columns) == ["topic", "size", "label", "words"]
    assert topics["size"].sum() == len(fitted.corpus.passages)
    # every topic has words; the outlier row holds template text, which gives few
    assert topics.loc[topics["topic"] != -1, "words"].str.count(";").min() >= 5
    passage_topics = pd.read_parquet(paths["passage_topics"])
    assert {"passage_id", "doc_id", "section", "page_start", "page_end", "topic"} <= set(
        passage_topics.columns
    )
    shares = pd.read_csv(paths["document_topics"]).set_index("doc_id")
    assert np.allclose(shares.sum(axis=1), 1.0, atol=1e-4)
    assert set(shares.index) == set(fitted.corpus.documents["doc_id"])


def test_finds_practice_topics_not_page_furniture(fitted):
    ev = fitted.evaluation
    assert ev["n_topics"] >= 8
    assert ev["junk_topics"] == 0
    # Ward leaves no outliers: topic -1 holds only the passages made mostly of template
    # text, here the sample's anonymisation statement, which names each report's own child
    assert 0 < ev["outlier_share"] <= 0.05
    outliers = fitted.result.passage_topics.query("topic == -1")["passage_id"]
    texts = fitted.corpus.passages.set_index("passage_id").loc[outliers, "text"]
    assert texts.str.contains("To protect the privacy of Child").all()
    assert texts.str.extract(r"privacy of (Child \w)")[0].nunique() == len(texts)
    words = ";".join(fitted.result.topics["words"]).lower()
    places = {p.lower() for p in place_names(fitted.corpus.documents)}
    assert places and not any(p in words.split(";") for p in places)


def test_same_config_same_corpus_gives_identical_tables(fitted, ingested_slice, tmp_path):
    again = run_topics(ingested_slice, STATIC, progress=False)
    a = write_topic_tables(fitted, tmp_path / "a")
    b = write_topic_tables(again, tmp_path / "b")
    for name in a:
        assert io.sha256_file(a[name]) == io.sha256_file(b[name]), name


def test_representatives_cite_document_section_and_page(fitted):
    reps = fitted.result.representatives
    assert {"topic", "rank", "doc_id", "section", "page_start", "page_end", "text"} <= set(
        reps.columns
    )
    assert reps.groupby("topic")["rank"].max().min() >= 1
    pdf_docs = set(fitted.corpus.documents.loc[fitted.corpus.documents["pages"] > 1, "doc_id"])
    assert reps[reps["doc_id"].isin(pdf_docs)]["page_start"].notna().all()


def test_a_copy_with_another_name_is_no_new_example():
    from lip_research.pipeline import distinct_excerpts

    text = "{} was seen at home by the health visitor, who recorded that the baby was well fed and settled."
    reps = pd.DataFrame(
        {
            "topic": [0, 0, 0, 1],
            "excerpt": [
                text.format("7.1 Child N"),
                text.format("3.2 Baby Q"),  # the same paragraph, another name and number
                "The school raised concerns about attendance with the education welfare officer.",
                text.format("Child N"),  # another topic may show it
            ],
        }
    )
    assert distinct_excerpts(reps) == [True, False, True, True]


def test_representatives_of_a_topic_say_different_things():
    from lip_research.topics import representatives

    reused = "The learning event brought together the practitioners who had worked with the family."
    texts = [reused, reused, "Practitioners met at a learning event to test the emerging findings."]
    passages = pd.DataFrame(
        {"passage_id": ["a", "b", "c"], "doc_id": ["x", "y", "z"], "text": texts}
    )
    vectors = np.array([[1.0, 0.0], [1.0, 0.0], [0.8, 0.6]])
    reps = representatives(passages, pd.DataFrame({"topic": [0, 0, 0]}), vectors, n=3)
    assert reps["passage_id"].tolist() == ["a", "c"]  # b repeats a word for word


def test_saved_model_reloads_with_the_same_assignments(fitted, tmp_path):
    folder = save_model(
        fitted.result, tmp_path / "model", {"corpus_hash": fitted.corpus.content_hash}
    )
    model, meta = load_model(folder)
    assert meta["corpus_hash"] == fitted.corpus.content_hash
    assert load_model(str(tmp_path))[1] == meta  # the run folder, given as text
    (tmp_path / "report").mkdir()
    (tmp_path / "report" / "run.json").write_text("{}")
    with pytest.raises(FileNotFoundError, match="a run folder: `lip topics` saves its model in"):
        load_model(tmp_path / "report")  # a run that saved no model
    assert list(model.topics_) == fitted.result.passage_topics["topic"].tolist()
    assert model.get_topic_info().shape[0] == fitted.result.topics.shape[0]
    texts = fitted.corpus.passages["text"]
    want = fitted.result.passage_topics["topic"].to_numpy()
    assert (assign_topics(model, texts, fitted.embeddings) == want).all()
    assert (assign_topics(model, texts) == want).all()  # embedded as the run embedded them
    assert (assign_topics(model, (t for t in texts)) == want).all()  # a generator too
    assert assign_topics(model, []).shape == (0,)
    with pytest.raises(TypeError, match=r"not one string .*assign_topics\(model, \[text\]\)"):
        assign_topics(model, texts.iloc[0])
    with pytest.raises(TypeError, match="1 of 2 are not .*None"):
        assign_topics(model, [texts.iloc[0], None])
    import warnings

    from lip_research.saved import LanguageWarning

    french = [
        "Le bébé est mort pendant son sommeil sur le canapé, à côté de sa mère, après une "
        "soirée où les parents avaient bu. Le médecin généraliste ne savait rien de la famille."
    ]
    with pytest.warns(LanguageWarning, match="do not read as English"):
        assign_topics(model, french)
    with warnings.catch_warnings():
        warnings.simplefilter("error", LanguageWarning)
        assign_topics(model, list(texts[:5]))  # the model's own language: no warning
    terms = [model.lip_analyzer.term_string(t) for t in texts]
    own, _ = model.transform(terms, embeddings=fitted.embeddings)  # BERTopic's own API
    assert (np.asarray(own)[want != -1] == want[want != -1]).all()
    # new passages: a reworded copy of a passage lands in that passage's topic
    i = int(np.flatnonzero(want != -1)[0])
    new = texts.iloc[i].replace(".", ";")
    vector = embed_texts([new], backend="static", cache=False)
    assert assign_topics(model, [new], vector)[0] == want[i]
    docs = model.get_topic_info().set_index("Topic")["Representative_Docs"]
    assert docs[want[i]][0] in set(texts)  # the passages' text, not term strings


def test_a_model_fitted_with_an_embedding_window_embeds_new_passages_with_it(
    ingested_slice, monkeypatch
):
    from lip_research import embed

    cfg = STATIC.replace(**{"topics.embedding_window": 40})
    run = run_topics(ingested_slice, cfg, progress=False)
    texts = run.corpus.passages["text"].tolist()  # the modelled passages
    want = run.result.passage_topics["topic"].to_numpy()
    real, made = embed.embed_texts, []

    def recording(texts, **how):
        made.append(real(texts, **how))
        return made[-1]

    monkeypatch.setattr(embed, "embed_texts", recording)
    assert (assign_topics(run.result.model, texts) == want).all()
    assert np.array_equal(made[0], run.embeddings)  # the run's vectors, window and all
    assert not np.allclose(real(texts, backend="static", window=0), made[0])


def test_a_new_reports_passages_take_the_topic_of_the_most_similar_fitted_passage(ingested_slice):
    import dataclasses

    held = sorted(ingested_slice.documents["doc_id"])[0]
    keep = ingested_slice.passages["doc_id"] != held
    part = dataclasses.replace(
        ingested_slice,
        passages=ingested_slice.passages[keep].reset_index(drop=True),
        documents=ingested_slice.documents[ingested_slice.documents["doc_id"] != held],
    )
    run = run_topics(part, STATIC, progress=False)
    new = ingested_slice.passages.loc[~keep, "text"].tolist()
    vectors = embed_texts(new, backend="static", cache=False)
    got = assign_topics(run.result.model, new, vectors)
    fitted = run.embeddings / np.linalg.norm(run.embeddings, axis=1, keepdims=True)
    nearest = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)) @ fitted.T
    topics = run.result.passage_topics["topic"].to_numpy()[nearest.argmax(axis=1)]
    assert len(new) >= 5 and (got == topics).all()
    assert set(got) <= set(run.result.topics["topic"])


@pytest.mark.parametrize("clustering", ["kmeans", "hdbscan"])
def test_saved_kmeans_and_hdbscan_models_assign_the_fitted_passages_as_the_fit_did(
    ingested_slice, tmp_path, clustering
):
    extra = (
        {"topics.reduction": "umap", "topics.min_topic_size": 5} if clustering == "hdbscan" else {}
    )
    cfg = STATIC.replace(**{"topics.clustering": clustering, **extra})
    run = run_topics(ingested_slice, cfg, progress=False)
    model, _ = load_model(save_model(run.result, tmp_path / "model", {}))
    got = assign_topics(model, run.corpus.passages["text"], run.embeddings)
    assert (got == run.result.passage_topics["topic"].to_numpy()).all()


def test_reloading_in_another_environment_warns_which_packages_changed(fitted, tmp_path):
    import json

    folder = save_model(fitted.result, tmp_path / "model", {})
    meta = json.loads((folder / "model.json").read_text())
    meta["packages"]["bertopic"] = "0.0.1"
    (folder / "model.json").write_text(json.dumps(meta))
    with pytest.warns(UserWarning, match=r"bertopic 0\.0\.1 -> "):
        load_model(folder)


def test_a_damaged_or_mismatched_model_folder_is_a_clear_error(fitted, tmp_path):
    import shutil

    folder = save_model(fitted.result, tmp_path / "model", {})
    other = save_model(fitted.result, tmp_path / "other", {"seed": 7})
    pickle = (folder / "bertopic.pkl").read_bytes()
    (other / "bertopic.pkl").write_bytes(pickle[: len(pickle) // 2])  # cut short
    with pytest.raises(ValueError, match="is not the model .* describes"):
        load_model(other)
    shutil.copy(other / "bertopic.pkl", folder / "bertopic.pkl")
    meta = (folder / "model.json").read_text()
    (folder / "model.json").write_text(meta.replace('"bertopic_sha256"', '"was"'))
    with pytest.raises(ValueError, match=r"bertopic\.pkl could not be read .*refit with `lip"):
        load_model(folder)  # a model saved before the hash, cut short
    (folder / "model.json").unlink()
    with pytest.raises(ValueError, match=r"model\.json, which describes the model, is missing"):
        load_model(folder)


def test_hdbscan_option_reduces_outliers(ingested_slice):
    cfg = STATIC.replace(
        **{"topics.clustering": "hdbscan", "topics.reduction": "umap", "topics.min_topic_size": 5}
    )
    run = run_topics(ingested_slice, cfg, progress=False)
    assert run.evaluation["outlier_share"] <= 0.10
    assert "outliers_before_reduction" in run.result.choices
    # numbered by size after the outliers joined them, topic 0 the largest, as without HDBSCAN
    sizes = run.result.passage_topics["topic"].value_counts().drop(-1, errors="ignore")
    assert sizes.sort_index().tolist() == sorted(sizes, reverse=True)
    assert (
        run.result.topics.set_index("topic")["size"]
        .drop(-1, errors="ignore")
        .equals(sizes.sort_index().rename("size").rename_axis("topic"))
    )
    assert run.evaluation["n_topics"] > 5
    merged = run_topics(ingested_slice, cfg.replace(**{"topics.nr_topics": 5}), progress=False)
    assert merged.evaluation["n_topics"] == 5  # not 4: BERTopic counts the outliers as one
    # every passage left in a topic: the model keeps no row for the outliers, so that each
    # topic's embedding (which merges and similar topics read) is its own
    kept = run.result.passage_topics["topic"].to_numpy() != -1
    refit = fit_topics(
        run.corpus.passages[kept].reset_index(drop=True),
        run.embeddings[kept],
        run.result.config,
        seed=run.config.seed,
    )
    assert (refit.passage_topics["topic"] != -1).all()
    model = refit.model
    fitted_units, fitted_topics = model.lip_fitted
    rows = model.topic_embeddings_ / np.linalg.norm(model.topic_embeddings_, axis=1)[:, None]
    for topic in sorted(set(fitted_topics)):
        centre = fitted_units[fitted_topics == topic].mean(axis=0)
        assert int(np.argmax(rows @ centre)) - model._outliers == topic


def test_short_text_collection_still_gets_eight_topics(tmp_path):
    """The catalogue (one short summary per report) is a small corpus of short texts."""
    from lip_research.ingest import run_ingest

    corpus = run_ingest(
        [SAMPLE / "catalogue.csv"],
        tmp_path / "catalogue",
        IngestConfig(text_column="summary"),
    )
    run = run_topics(corpus, STATIC, progress=False)
    sizes = run.result.topics.set_index("topic")["size"]
    assert len(sizes) >= 8
    assert sizes.max() / sizes.sum() <= 0.25
    assert "n_clusters" in run.result.choices


def test_embedding_length_mismatch_is_an_error(ingested_slice):
    vecs = embed_texts(ingested_slice.passages["text"].head(3).tolist(), backend="static")
    with pytest.raises(ValueError, match="passages but 3 embeddings"):
        fit_topics(ingested_slice.passages, vecs, STATIC.topics, 1)


def test_bertopic_imports_without_plotting_or_transformers_until_used():
    """The warm-rerun speed-up: BERTopic's plotting, transformer extras and torch load on first use."""
    import subprocess
    import sys

    probe = """
import sys
import lip_research.topics
heavy = [m for m in ("torch", "transformers", "sentence_transformers", "plotly", "umap") if m in sys.modules]
print("heavy:", heavy)
import bertopic, bertopic._bertopic as core
from bertopic.backend import MultiModalBackend
from bertopic.representation import TextGeneration, ZeroShotClassification
from bertopic.representation import MaximalMarginalRelevance
print("classes:", all(isinstance(c, type) for c in (MultiModalBackend, TextGeneration, ZeroShotClassification)))
print("plotting:", callable(core.plotting.visualize_barchart), core.plotting is sys.modules["bertopic.plotting"])
import torch
print("torch:", hasattr(torch, "from_numpy"), type(sys.modules["torch"]).__name__)
"""
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert "heavy: []" in out
    assert "classes: True" in out  # real classes, not BERTopic's NotInstalled placeholders
    assert "plotting: True True" in out
    assert "torch: True module" in out


def test_hdbscan_that_finds_no_topic_says_what_to_change():
    rng = np.random.default_rng(0)
    vocab = "neglect housing police school health visitor bruise referral strategy plan".split()
    texts = [" ".join(rng.choice(vocab, 6)) for _ in range(60)]
    passages = pd.DataFrame({"passage_id": range(60), "text": texts})
    cfg = STATIC.replace(
        **{"topics.clustering": "hdbscan", "topics.reduction": "none", "topics.min_topic_size": 25}
    ).topics
    with pytest.raises(ConfigError, match="HDBSCAN found no topic.*reduction: umap"):
        fit_topics(passages, rng.normal(size=(60, 64)), cfg, seed=1)


@pytest.fixture(scope="module")
def ofsted_run(ofsted_slice):
    return run_topics(ofsted_slice, STATIC, progress=False)


@pytest.mark.shared
@pytest.mark.skipif(
    not (SHARED / "corpora" / "ofsted-ilacs").is_dir(),
    reason="the shared corpora are not beside the checkout",
)
def test_real_reports_abbreviations_share_a_topic_word_with_their_long_form(ofsted_run):
    """'IROs' and 'independent reviewing officers' do not take two places in a topic's words;
    run.json lists what was read as one."""
    defined = dict(ofsted_run.result.analyzer.defined)
    assert {"IROs", "MASH", "PLO"} <= set(defined) and "LSCB" not in defined  # a stopword
    assert "abbreviations" in ofsted_run.result.choices
    for words in ofsted_run.result.topics["words"]:
        shown = {w.lower() for w in words.split(";")}
        for short, long in defined.items():
            assert not {short.lower(), long} <= shown, (short, long, words)
    assert "adolescent mental health services" not in ";".join(ofsted_run.result.topics["words"])
    record = provenance(ofsted_run)
    assert ["IROs", "independent reviewing officers"] in record["abbreviations"]


@pytest.mark.shared
@pytest.mark.skipif(
    not (SHARED / "corpora" / "ofsted-ilacs").is_dir(),
    reason="the shared corpora are not beside the checkout",
)
def test_hdbscan_on_real_reports_runs_on_umap_without_a_giant_topic(ofsted_slice):
    run = run_topics(ofsted_slice, STATIC.replace(**{"topics.clustering": "hdbscan"}), False)
    assert run.result.config.reduction == "umap" and "reduction" in run.result.choices
    assert len(run.result.topics) > 8 and run.evaluation["largest_share"] <= 0.15


@pytest.mark.shared
@pytest.mark.skipif(
    not (SHARED / "corpora" / "ofsted-ilacs").is_dir(),
    reason="the shared corpora are not beside the checkout",
)
def test_template_text_of_real_reports_is_in_no_topic(ofsted_slice, ofsted_run):
    """Statutory and template sentences repeated across real Ofsted reports give no topic words."""
    corpus, run = ofsted_slice, ofsted_run
    words = ";".join(run.result.topics["words"]).lower()
    assert (
        "ofsted" not in words and "combine reports" not in words and "inspections act" not in words
    )
    said = run.result.choices["template_sentences"]
    assert said.split()[0] not in ("0", "1")
    # the rule as applied: 20% of 29 documents is 6 (5 at least)
    assert "repeated in at least 6 of the 29 documents (20%, and 5 at least)" in said
    passages = corpus.passages.set_index("passage_id")
    assigned = run.result.passage_topics.set_index("passage_id")["topic"]
    statutory = passages.index[passages["text"].str.contains(r"Inspectors have looked\s+closely")]
    assert len(statutory) >= 5 and (assigned.reindex(statutory).dropna() == -1).mean() > 0.5
    assert run.evaluation["outlier_share"] <= 0.10


def test_topic_labels_do_not_repeat_themselves():
    words = ["early help services", "early help", "thresholds", "help", "mash", "referrals"]
    assert topic_label(words) == "early help services, thresholds, mash"
    assert (
        topic_label(["social workers", "social workers know", "visits"]) == "social workers, visits"
    )
    words = [
        "adopters",
        "adoption",
        "adopted",
        "adoption panel",
        "matching",
        "audits",
        "audit activity",
    ]
    assert topic_label(words) == "adopters, matching, audits"
    assert topic_label(["child protection plans", "child sexual exploitation"]) == (
        "child protection plans, child sexual exploitation"  # a shared word is not a repeat
    )


def test_topic_edits_start_from_the_fitted_topics_each_time(ingested_slice, tmp_path):
    from lip_research.explore import apply_edits

    run = run_topics(ingested_slice, STATIC, progress=False)
    fitted_words = run.result.topics.set_index("topic")["words"].to_dict()
    fitted_n = run.evaluation["n_topics"]
    for _ in range(2):  # rerunning the notebook cell must not merge twice (it used to fail)
        topics = apply_edits(run, tmp_path, labels={1: "Renamed"}, merge=[[1, 2]])
    assert 2 not in set(topics["topic"]) and "Renamed" in set(topics["label"])
    kept = topics.set_index("topic")["words"].drop(index=1).to_dict()
    assert kept == {t: w for t, w in fitted_words.items() if t not in (1, 2)}  # not merged
    assert run.evaluation["n_topics"] == fitted_n - 1  # run.json tells the edited truth
    assert set(run.result.representatives["topic"]) <= set(topics["topic"])
    saved = pd.read_csv(tmp_path / "topics.csv")
    assert len(saved) == len(topics)
    texts, vectors = run.corpus.passages["text"], run.embeddings
    edited = run.result.passage_topics["topic"].to_numpy()
    assert (assign_topics(run.result.model, texts, vectors) == edited).all()  # merged ids
    undone = apply_edits(run, tmp_path, labels={}, merge=[])  # edits removed: as fitted
    assert undone.set_index("topic")["words"].to_dict() == fitted_words
    assert 2 in set(assign_topics(run.result.model, texts, vectors))
    assert run.evaluation["n_topics"] == fitted_n


def test_an_edit_that_fails_changes_nothing(ingested_slice, tmp_path):
    from lip_research.analysis import AnalysisError
    from lip_research.explore import apply_edits
    from lip_research.topic_bench import fig_hierarchy

    run = run_topics(ingested_slice, STATIC, progress=False)
    apply_edits(run, tmp_path, labels={1: "Renamed"})
    shown = run.result.topics.copy()
    saved = (tmp_path / "topics.csv").read_bytes()
    with pytest.raises(AnalysisError, match=r"cannot relabel unknown topics \[2\]"):
        apply_edits(run, tmp_path, merge=[[1, 2]], labels={2: "Gone after the merge"})
    pd.testing.assert_frame_equal(run.result.topics, shown)  # not merged in memory either
    assert run.evaluation["n_topics"] == len(shown) - (shown["topic"] == -1).sum()
    assert (tmp_path / "topics.csv").read_bytes() == saved
    every = [int(t) for t in shown["topic"] if t != -1]
    with pytest.raises(AnalysisError, match="would leave one topic"):
        apply_edits(run, tmp_path, merge=[every])
    assert fig_hierarchy(run, tmp_path) is not None


def test_topic_edits_never_land_on_another_fit(ingested_slice, tmp_path):
    from lip_research.explore import apply_edits
    from lip_research.pipeline import EditsWarning, save_topics
    from lip_research.runs import RunError, saved_edits

    run = run_topics(ingested_slice, STATIC, progress=False)
    save_topics(run, tmp_path)
    apply_edits(run, tmp_path, labels={1: "Safer sleep"})
    save_topics(run, tmp_path)  # the same fit again (rerunning notebook 02): edits kept
    assert saved_edits(tmp_path) == {"labels": {1: "Safer sleep"}}
    other = run_topics(ingested_slice, STATIC.replace(**{"topics.n_clusters": 5}), progress=False)
    with pytest.warns(EditsWarning, match="earlier fit"):
        save_topics(other, tmp_path)  # another notebook's fit into the same folder
    assert saved_edits(tmp_path) == {}
    assert "Safer sleep" in (tmp_path / "topic_edits.earlier.yaml").read_text()
    apply_edits(other, tmp_path, labels={2: "Exploitation"})
    with pytest.warns(EditsWarning):
        save_topics(run, tmp_path)  # back to the first fit: the second's edits go aside too
    assert "Exploitation" in (tmp_path / "topic_edits.earlier-2.yaml").read_text()
    (tmp_path / "topic_edits.earlier-2.yaml").rename(tmp_path / "topic_edits.yaml")  # back
    with pytest.raises(RunError, match="made for another fit"):
        saved_edits(tmp_path)  # `lip evaluate` and `lip compare` refuse to apply it


def test_the_report_shows_no_passage_twice_for_a_topic(fitted):
    import dataclasses
    from types import SimpleNamespace

    from lip_research import workbench

    reps = fitted.result.representatives
    first = reps[reps["rank"] == 1]
    copies = first.assign(rank=2, passage_id=first["passage_id"] + "-copy")  # a reused paragraph
    doubled = pd.concat([first, copies, reps[reps["rank"] > 1]]).sort_values(["topic", "rank"])
    run = SimpleNamespace(result=dataclasses.replace(fitted.result, representatives=doubled))
    table = workbench.representative_table(run, per_topic=2)
    assert not table.duplicated(["topic", "excerpt"]).any()
    assert (table.groupby("topic").size() == 2).all()


def test_the_report_says_which_passages_the_topics_leave_out(ingested_slice, fitted):
    from lip_research import workbench

    title_pages = ingested_slice.passages["section"].isin(STATIC.topics.exclude_sections).sum()
    assert title_pages > 0 and fitted.excluded == title_pages
    assert len(fitted.corpus.passages) == len(ingested_slice.passages) - title_pages
    assert f"{title_pages} more left out, in the excluded sections front_matter" in (
        workbench.topic_summary(fitted)
    )


def test_too_few_passages_left_by_excluded_sections_names_them(ingested_slice):
    from lip_research.config import ConfigError
    from lip_research.pipeline import check_sizes

    passages = ingested_slice.passages.head(30).assign(section="front_matter")
    passages.loc[passages.index[:5], "section"] = "findings"
    corpus = dataclasses.replace(ingested_slice, passages=passages)
    with pytest.raises(ConfigError) as error:
        check_sizes(corpus, STATIC)
    assert str(error.value).startswith(
        "only 5 of the 30 passages are left once topics.exclude_sections (front_matter"
    )
    assert "Exclude fewer sections" in str(error.value)


def test_stability_refits_wrap_round_the_largest_seed(ingested_slice):
    from lip_research.topic_bench import evaluation

    run = run_topics(ingested_slice, STATIC.replace(seed=2**32 - 1), progress=False)
    table = evaluation(run, seeds=2).set_index("measure")["value"]
    assert table["stability_seeds"] == "4294967295, 0"  # not 4294967296, which numpy refuses


def test_a_refit_that_finds_no_topic_is_counted_not_fatal(fitted, monkeypatch):
    """A seed or a draw of the reports in which HDBSCAN finds no topic is an unstable fit:
    it counts with ARI 0 and is named; one that cannot be made is left out, with its reason."""
    from lip_research import topics
    from lip_research.config import ConfigError
    from lip_research.topic_bench import evaluation

    def no_topic(passages, *args, **kwargs):
        raise topics.NoTopicFound("HDBSCAN found no topic")

    fitted = copy.copy(fitted)  # evaluation() records its figures in the run
    monkeypatch.setattr(topics, "fit_topics", no_topic)
    table = evaluation(fitted, seeds=3, resamples=2).set_index("measure")["value"]
    assert table["stability_ari_min"] == 0 and table["resample_ari_mean"] == 0
    assert table["stability_ari_mean"] == 0  # the two failed refits do not agree at ARI 1
    assert table["stability_note"].startswith("2 of 2 seeds found no topic (counted")
    assert table["resample_note"].startswith("2 of 2 draws found no topic")
    assert table["n_topics"] == fitted.evaluation["n_topics"]  # the run's own figures stay

    def too_few(passages, *args, **kwargs):
        raise ConfigError("only 4 passages: too few to model topics")

    monkeypatch.setattr(topics, "fit_topics", too_few)
    table = evaluation(fitted, seeds=1, resamples=2).set_index("measure")["value"]
    assert table["resample_note"] == (
        "2 of 2 draws could not be made (only 4 passages: too few to model topics)"
    )
    assert "resample_ari_mean" not in table


def test_umap_gives_the_same_coordinates_every_time_when_passages_repeat(fitted):
    """umap-learn, seeded, is not repeatable when rows repeat (a reused paragraph): the
    reduction fits the distinct rows and gives each copy its row's coordinates."""
    from lip_research.topics import DistinctRowsUMAP

    vectors = fitted.embeddings[np.sort(np.unique(fitted.embeddings, axis=0, return_index=True)[1])]
    vectors = vectors[:150]
    copies = np.concatenate([vectors, vectors[:40], vectors[10:30]])
    params = {"n_components": 4, "n_neighbors": 10, "metric": "cosine", "random_state": 7}
    runs = [DistinctRowsUMAP(**params, n_jobs=1).fit_transform(copies) for _ in range(2)]
    np.testing.assert_array_equal(runs[0], runs[1])
    np.testing.assert_array_equal(runs[0][150:190], runs[0][:40])  # a copy sits on its row
    reducer = DistinctRowsUMAP(**params, n_jobs=1).fit(copies)
    assert reducer.transform(copies) is reducer.embedding_  # BERTopic's fit, then transform
    np.testing.assert_array_equal(  # no copies: UMAP's own coordinates
        DistinctRowsUMAP(**params, n_jobs=1).fit_transform(vectors),
        __import__("umap").UMAP(**params, n_jobs=1).fit_transform(vectors),
    )


def test_similar_topics_lists_distinct_pairs_most_alike_first(fitted):
    from lip_research import workbench

    pairs = workbench.similar_topics(fitted, n=5)
    assert list(pairs.columns) == ["topic_a", "label_a", "topic_b", "label_b", "similarity"]
    assert len(pairs) == 5 and (pairs["topic_a"] < pairs["topic_b"]).all()
    assert -1 not in set(pairs["topic_a"]) | set(pairs["topic_b"])
    assert pairs["similarity"].is_monotonic_decreasing and pairs["similarity"].max() < 1
    labels = fitted.result.topics.set_index("topic")["label"]
    assert pairs["label_a"].tolist() == labels[pairs["topic_a"]].tolist()


def test_more_components_than_the_embeddings_have_is_capped_not_a_crash(fitted):
    passages = fitted.corpus.passages
    cfg = STATIC.replace(**{"topics.n_components": 1000}).topics
    narrow = np.ascontiguousarray(fitted.embeddings[:, :64])  # fewer dimensions than passages
    result = fit_topics(passages, narrow, cfg, seed=1)
    assert result.config.n_components == 64


def test_a_mostly_template_corpus_is_assigned_as_it_was_modelled_whole():
    template = (
        "This review was commissioned by the safeguarding partnership under statutory guidance. "
        "The panel met several times to consider the information gathered from agencies. "
        "Agencies were asked to provide chronologies and analysis of their involvement. "
    )
    words = ["neglect housing nursery", "police arrest injury", "midwife pregnancy birth"]
    rng = np.random.default_rng(0)
    passages = pd.DataFrame(
        {
            "doc_id": [f"doc{d}" for d in range(12) for _ in range(4)],
            "passage_id": [f"doc{d}-{p}" for d in range(12) for p in range(4)],
            "text": [
                template + " ".join(rng.choice(words[(d + p) % 3].split(), 12)) + "."
                for d in range(12)
                for p in range(4)
            ],
        }
    )
    vectors = embed_texts(passages["text"].tolist(), backend="static", cache=False)
    cfg = STATIC.replace(**{"topics.min_df": 1, "topics.min_docs": 1, "topics.max_df": 1.0})
    result = fit_topics(passages, vectors, cfg.topics, seed=1)
    want = result.passage_topics["topic"].to_numpy()
    assert (want != -1).all()  # every passage is mostly template, so all were modelled
    assert (assign_topics(result.model, passages["text"], vectors) == want).all()


def test_a_mostly_template_corpus_still_leaves_wordless_passages_out_or_says_why():
    template = (
        "This review was commissioned by the safeguarding partnership under statutory guidance. "
        "The panel met several times to consider the information gathered from agencies. "
    )
    words = ["neglect housing nursery", "police arrest injury", "midwife pregnancy birth"]
    rng = np.random.default_rng(0)
    texts = [
        template + (" ".join(rng.choice(words[d % 3].split(), 12)) + "." if p == 0 else "")
        for d in range(12)
        for p in range(4)
    ]  # three passages in four are the template alone: no topic word
    passages = pd.DataFrame(
        {
            "doc_id": [f"doc{d}" for d in range(12) for _ in range(4)],
            "passage_id": [f"doc{d}-{p}" for d in range(12) for p in range(4)],
            "text": texts,
        }
    )
    vectors = embed_texts(texts, backend="static", cache=False)
    cfg = STATIC.replace(**{"topics.min_df": 1, "topics.min_docs": 1, "topics.max_df": 1.0})
    result = fit_topics(passages, vectors, cfg.topics, seed=1)
    topics = result.passage_topics["topic"].to_numpy()
    assert (topics[0::4] != -1).all() and (np.delete(topics, np.s_[0::4]) == -1).all()
    inliers = result.topics[result.topics["topic"] != -1]
    assert "emptydoc" not in set(inliers["label"]) and inliers["words"].str.len().min() > 0
    assert result.left_out == {"template": 0, "no_topic_word": 36}  # template ones modelled
    with pytest.raises(ConfigError, match="only 5 of the 20 passages hold topic words"):
        fit_topics(passages.head(20), vectors[:20], cfg.topics, seed=1)


def test_sizes_are_chosen_for_the_passages_left_in_topics():
    """A small table of summaries with placeholder rows ("To be added."): PCA and Ward are
    sized for the passages that hold topic words, not for every row."""
    rng = np.random.default_rng(0)
    words = ["neglect housing nursery", "police arrest injury", "midwife pregnancy birth"]
    texts = [" ".join(rng.choice(words[i % 3].split(), 20)) + "." for i in range(10)]
    texts += ["To be."] * 2  # placeholders
    passages = pd.DataFrame({"passage_id": [f"p{i}" for i in range(12)], "text": texts})
    passages["doc_id"] = passages["passage_id"]
    vectors = embed_texts(texts, backend="static", cache=False)
    cfg = STATIC.replace(**{"topics.min_docs": 1, "topics.min_df": 1, "topics.max_df": 1.0})
    result = fit_topics(passages, vectors, cfg.topics, seed=1)
    assert result.config.n_components == 9 and result.passage_topics["topic"].tolist()[-2:] == [
        -1,
        -1,
    ]
    assert result.choices["n_components"].startswith("9 (lowered from 11 for the 10 of 12 passages")
    asked = cfg.replace(**{"topics.n_clusters": 10})
    with pytest.raises(ConfigError, match="n_clusters=10 needs more passages than the 10 of 12"):
        fit_topics(passages, vectors, asked.topics, seed=1)


def test_lip_topics_names_the_warning_signs_of_a_poor_fit(fitted):
    from types import SimpleNamespace

    from lip_research.pipeline import warning_signs

    assert warning_signs(fitted) == []  # the sample slice fits well
    poor = SimpleNamespace(
        corpus=fitted.corpus,
        evaluation={"outlier_share": 0.22, "largest_share": 0.89, "diversity": 0.17, "n_topics": 7},
        result=SimpleNamespace(
            config=fitted.result.config,
            left_out={"template": 0, "no_topic_word": 61},
            choices={},
        ),
    )
    signs = warning_signs(poor)
    assert signs[0].startswith("22% of the passages are in no topic: 61 hold no topic word")
    assert signs[1].startswith("one topic holds 89% of the passages")
    assert signs[2].startswith("the topics share most of their words (diversity 0.17")
    assert "topics.n_clusters" in signs[1] and "nr_topics" not in signs[1]
    hdbscan = dataclasses.replace(
        fitted.result.config, clustering="hdbscan", min_topic_size=5, nr_topics=4
    )
    poor.result.config = hdbscan  # HDBSCAN's own outliers, and its own advice
    signs = warning_signs(poor)
    assert signs[0].startswith("22% of the passages are in no topic: HDBSCAN left them out")
    assert "topics.min_topic_size finds more topics, or leave topics.nr_topics unset" in signs[1]
    assert "n_clusters" not in signs[1]


def test_nr_topics_not_below_the_topics_clustered_merges_nothing_and_says_so(
    fitted, ingested_slice
):
    from lip_research.pipeline import warning_signs

    many = fitted.result.config.n_clusters + 5
    run = run_topics(ingested_slice, STATIC.replace(**{"topics.nr_topics": many}), progress=False)
    assert run.result.passage_topics.equals(fitted.result.passage_topics)  # ids by size, as fitted
    assert run.result.topics.equals(fitted.result.topics)
    assert run.result.choices["nr_topics"].startswith(f"not applied: {many} is not below the")
    assert warning_signs(run) == [f"topics.nr_topics {run.result.choices['nr_topics']}"]


def test_passages_without_a_topic_word_are_in_no_topic(fitted, tmp_path):
    """A heading and its judgement ("Requires improvement") alone says nothing a topic can
    be about: such passages are outliers, never a topic without words."""
    import dataclasses

    corpus = fitted.corpus
    extra = pd.DataFrame(
        {
            "passage_id": ["x-1", "x-2"],
            "doc_id": [corpus.documents["doc_id"].iloc[0]] * 2,
            "section": ["findings"] * 2,
            "text": ["Requires improvement", "Good"],
        }
    )
    passages = pd.concat([corpus.passages, extra], ignore_index=True)
    run = run_topics(dataclasses.replace(corpus, passages=passages), STATIC, progress=False)
    topics = run.result.passage_topics.set_index("passage_id")["topic"]
    assert topics[["x-1", "x-2"]].tolist() == [-1, -1]
    table = run.result.topics
    assert (table.loc[table["topic"] != -1, "words"].str.len() > 0).all()
    assert "2 with no topic word" in run.result.choices["template_passages"]
    model = run.result.model
    assert (assign_topics(model, ["Requires improvement"]) == -1).all()


def test_topic_words_are_those_several_of_its_passages_share():
    """c-TF-IDF favours a rare word; one that only one passage of the topic uses goes after
    the words its passages share."""
    documents = pd.DataFrame(
        {
            "Document": ["foster carer appealed", "foster carer placement", "placement carer", "x"],
            "Topic": [0, 0, 0, 1],
        }
    )
    candidates = {0: [("appealed", 0.9), ("foster", 0.5), ("carer", 0.4), ("placement", 0.3)]}
    words = SharedWords(min_passages=2, top_n=3).extract_topics(None, documents, None, candidates)
    assert [w for w, _ in words[0]] == ["foster", "carer", "placement"]
    # before MMR, which picks among what it is given: every shared word, others to make up top_n
    shared = SharedWords(min_passages=2, top_n=2, all_shared=True)
    assert [w for w, _ in shared.extract_topics(None, documents, None, candidates)[0]] == [
        "foster",
        "carer",
        "placement",
    ]
    few = SharedWords(min_passages=3, top_n=2, all_shared=True)  # only 'carer' is in all 3
    assert [w for w, _ in few.extract_topics(None, documents, None, candidates)[0]] == [
        "carer",
        "appealed",
    ]


def test_a_word_a_higher_phrase_holds_or_a_phrase_adding_only_stopwords_takes_no_place():
    documents = pd.DataFrame({"Document": ["a b c"] * 3, "Topic": [0, 0, 0]})
    candidates = {
        0: [
            ("child_sexual_exploitation", 0.9),
            ("return_home_interview", 0.8),
            ("sexual_exploitation", 0.7),
            ("exploitation", 0.6),
            ("police", 0.5),
            ("return_home", 0.4),
            ("offer_return_home_interview", 0.35),  # a higher phrase and a stopword more
            ("child_sexual_exploitation_panel", 0.3),  # a higher phrase and a word more: kept
        ]
    }
    # before MMR, every shared word is kept, and no unshared one fills a nested word's place
    both = "child_sexual_exploitation sexual_exploitation police"
    docs = pd.DataFrame({"Document": [both, both, f"{both} rare_a rare_b"], "Topic": [0, 0, 0]})
    ranked = {0: [(w, 1.0 - i / 10) for i, w in enumerate([*both.split(), "rare_a", "rare_b"])]}
    shared = SharedWords(min_passages=2, top_n=1, all_shared=True)
    assert [w for w, _ in shared.extract_topics(None, docs, None, ranked)[0]] == [
        "child_sexual_exploitation",
        "police",
    ]
    words = SharedWords(min_passages=0, top_n=4, stopwords=frozenset({"offer"})).extract_topics(
        None, documents, None, candidates
    )
    assert [w for w, _ in words[0]] == [
        "child_sexual_exploitation",
        "return_home_interview",
        "police",
        "child_sexual_exploitation_panel",
    ]


def test_a_fit_leaves_out_topic_words_that_add_only_stopwords_to_a_phrase(fitted):
    """The fit hands its analyzer's stopwords to the word picker: no topic word is a higher
    phrase of its own topic with only stopwords added."""
    model = fitted.result.model
    (picker,) = model.representation_model
    assert picker.stopwords == model.lip_analyzer.stopwords and "report" in picker.stopwords
    for topic in fitted.result.topics["topic"]:
        terms = [w for w, _ in model.get_topic(int(topic)) or []]
        assert terms == [w for w, _ in _not_nested([(w, 0.0) for w in terms], picker.stopwords)]


def test_representative_passages_are_ranked_without_gaps(fitted, tmp_path):
    write_topic_tables(fitted, tmp_path)
    reps = pd.read_csv(tmp_path / "representative_passages.csv")
    for _, group in reps.groupby("topic"):
        assert group["rank"].tolist() == list(range(1, len(group) + 1))
    assert not reps.duplicated(["topic", "excerpt"]).any()


def test_themes_take_their_years_from_the_time_column_as_topics_do(fitted, tmp_path):
    """A corpus dated by another column (publication dates here, five years after the
    reviews' own years) gives themes' first and last years and trend from that column."""
    from lip_research import lens_bench

    run = copy.copy(fitted)
    docs = run.corpus.documents
    published = (pd.to_numeric(docs["year"]) + 5).astype(int).astype(str) + "-03-31"
    run.corpus = dataclasses.replace(run.corpus, documents=docs.assign(published=published))
    by_year = lens_bench.lenses(run, tmp_path / "year").outputs.summary.set_index("theme_id")
    lens = lens_bench.lenses(run, tmp_path / "published", time_column="published")
    by_date = lens.outputs.summary.set_index("theme_id")
    coded = by_year["n_present"] > 0
    assert coded.any()
    assert (by_date.loc[coded, "first_year"] == by_year.loc[coded, "first_year"] + 5).all()
    assert (by_date.loc[coded, "last_year"] == by_year.loc[coded, "last_year"] + 5).all()
    theme = by_year[coded].index[0]
    lens_bench.fig_theme_trend(lens, tmp_path, theme)
    caption = (tmp_path / "figures" / f"trend-{theme}.caption.txt").read_text()
    assert "(years from published)" in caption
    written = tmp_path / "published" / "prevalence_by_published.csv"
    assert list(pd.read_csv(written).columns[:2]) == ["published", "theme_id"]
    assert not (tmp_path / "published" / "prevalence_by_year.csv").exists()
    skipped = lens_bench.lenses(run, tmp_path / "skipped", time_column="")
    assert "first_year" not in skipped.outputs.summary
    assert not (tmp_path / "skipped" / "prevalence_by_year.csv").exists()


def test_the_topic_browser_has_a_static_form_for_reports_read_outside_jupyterlab(fitted):
    """JupyterLab draws the widget; report.html, offline, draws every topic's panel."""
    from lip_research.explore import topic_browser
    from lip_research.report import WIDGET

    bundle = topic_browser(fitted)._repr_mimebundle_()
    assert WIDGET in bundle
    static = bundle["text/html"]
    inliers = fitted.result.topics[fitted.result.topics["topic"] != -1]
    assert static.count("<details>") == len(inliers)
    first = inliers.iloc[0]
    assert f"<summary>{first['topic']}: {first['label']} ({first['size']})</summary>" in static
    assert "Representative passages" in static and "Reports where it is largest" in static
