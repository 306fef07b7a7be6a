"""Theme coding: scores, coded passages, report presence with evidence, supervised layer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lens_fixtures import fake_embed, mini_book, mini_documents, mini_passages, thresholds

from lip_research import lens_eval, lens_run, lenses, themes
from lip_research.themes import ScoreParams


@pytest.fixture
def book():
    return mini_book()


def test_prompt_table_lists_description_then_seeds(book):
    table = themes.prompt_table(book.entries)
    first = table[table["theme_id"] == "bruising"]
    assert list(first["kind"]) == ["description", "seed", "seed"]
    assert first["text"].iloc[0].startswith("Bruising in babies. ")


def test_similarity_blends_description_and_best_seed():
    prompts = pd.DataFrame(
        {"theme_id": ["a", "a", "a"], "kind": ["description", "seed", "seed"], "text": ["", "", ""]}
    )
    prompt_vectors = np.array([[1, 0], [0, 1], [0.6, 0.8]], dtype=np.float32)
    passage = np.array([[0, 1]], dtype=np.float32)
    got = themes.similarity_scores(
        passage, prompt_vectors, prompts, ["a"], ScoreParams(seed_weight=0.5)
    )
    assert got == pytest.approx(np.array([[0.5 * 0 + 0.5 * 1.0]]))


def test_lexical_scores_full_and_partial_phrases(book):
    texts = [
        "A bruise was seen on the baby.",  # one full phrase (1) + 2/3 of another (0.5)
        "Information was not shared, and the school did not share information.",  # two phrases
        "Nothing relevant here.",
        "The non-mobile baby was seen.",  # 2/3 of 'non-mobile baby bruising' only
    ]
    got = themes.lexical_scores(texts, book.entries)
    assert got[0, 0] == pytest.approx(0.75)
    assert got[1, 1] == pytest.approx(1.0)
    assert got[2].tolist() == [0.0, 0.0]
    assert got[3, 0] == pytest.approx(0.25)  # partial credit 0.5 / 2


def test_zero_shot_scores_rank_matching_passages_first(book):
    passages = mini_passages()
    prompts = themes.prompt_table(book.entries)
    scores = themes.zero_shot_scores(
        fake_embed(passages["text"]),
        passages["text"],
        book.entries,
        fake_embed(prompts["text"]),
        prompts,
    )
    assert scores.shape == (9, 2)
    assert set(np.argsort(-scores[:, 0])[:2]) == {0, 1}
    assert set(np.argsort(-scores[:, 1])[:2]) == {3, 4}


def test_code_passages_and_document_presence_with_evidence():
    passages = mini_passages()
    scores = np.zeros((9, 2), dtype=np.float32)
    scores[[0, 1], 0] = [0.9, 0.7]
    scores[[3], 1] = [0.8]
    th = thresholds(["bruising", "sharing"], 0.5)
    coded = themes.code_passages(scores, passages, ["bruising", "sharing"], th)
    assert coded[["passage_id", "theme_id", "score"]].values.tolist() == [
        ["d1-p0001", "bruising", 0.9],
        ["d1-p0002", "bruising", 0.7],
        ["d2-p0001", "sharing", 0.8],
    ]
    presence = themes.document_presence(coded, passages, ["bruising", "sharing"], th)
    assert len(presence) == 6
    present = presence[presence["present"]]
    assert present[["doc_id", "theme_id", "n_passages"]].values.tolist() == [
        ["d1", "bruising", 2],
        ["d2", "sharing", 1],
    ]
    assert present["evidence"].tolist() == ["d1-p0001;d1-p0002", "d2-p0001"]  # as the docs say
    assert (presence.loc[~presence["present"], "evidence"] == "").all()
    evidence = themes.evidence_table(coded, presence, passages)
    assert evidence["citation"].tolist() == [
        "d1, chronology, p. 1",
        "d1, analysis, p. 2",
        "d2, chronology, p. 1",
    ]
    assert evidence["rank"].tolist() == [1, 2, 1]
    assert all(len(e.split()) <= 42 for e in evidence["excerpt"])


def test_report_rule_k_applies_to_long_reports_only():
    passages = mini_passages()
    scores = np.zeros((9, 1), dtype=np.float32)
    scores[0, 0] = 0.9
    th = thresholds(["bruising"], 0.5, k=2)
    coded = themes.code_passages(scores, passages, ["bruising"], th)
    short = themes.document_presence(
        coded, passages, ["bruising"], th, params=ScoreParams(short_doc=5)
    )
    long = themes.document_presence(
        coded, passages, ["bruising"], th, params=ScoreParams(short_doc=2)
    )
    assert short.loc[short["doc_id"] == "d1", "present"].item()  # 3 passages < 5: one is enough
    assert not long.loc[long["doc_id"] == "d1", "present"].item()  # needs k = 2
    at_least = themes.document_presence(
        coded,
        passages,
        ["bruising"],
        thresholds(["bruising"], 0.5),
        min_passages=2,
        params=ScoreParams(short_doc=1),
    )
    assert not at_least["present"].any()


def test_default_thresholds_fall_back_for_unknown_entries():
    table = pd.DataFrame(
        {
            "theme_id": ["a", "b", "why"],
            "method": "zero_shot",
            "backend": "minilm",
            "threshold": [0.4, 0.6, 3.0],
            "k": [1, 3, 1],
            "source": "calibrated",
        }
    )
    got = themes.default_thresholds(["a", "mine"], "minilm", table)
    assert got["threshold"].tolist() == [0.4, 0.5]
    assert got["k"].tolist() == [1, 2]
    assert got["source"].iloc[1].startswith("fallback")
    none = themes.default_thresholds(["a"], "static", table)
    assert none["source"].iloc[0].startswith("uncalibrated fallback")


def test_shipped_thresholds_cover_the_builtin_codebooks():
    from lip_research.codebook import BUILTIN, all_entries, load_codebooks

    ids = [e.id for e in all_entries(load_codebooks(BUILTIN))]
    shipped = themes.shipped_table()
    for backend in ("minilm", "static"):
        got = themes.default_thresholds(ids, backend)
        assert not got["source"].str.contains("fallback").any(), backend
        assert themes.shipped_threshold("why", backend) is not None
    assert set(shipped.columns) >= set(themes.THRESHOLD_COLUMNS)


def test_supervised_coder_skips_entries_without_positives():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 5)).astype(np.float32)
    Y = np.zeros((40, 2), dtype=bool)
    Y[:, 0] = X[:, 0] > 0
    coder = themes.SupervisedCoder(C=1.0, random_state=0).fit(X, Y)
    scores = coder.predict_scores(X)
    assert coder.fitted_.tolist() == [True, False]
    assert np.isnan(scores[:, 1]).all()
    assert scores[Y[:, 0], 0].mean() > scores[~Y[:, 0], 0].mean()


def test_code_corpus_zero_shot_and_supervised(book):
    passages, ids = mini_passages(), ["bruising", "sharing"]
    params = lenses.LensParams(
        backend="fake", method="zero_shot", folds=2, score=ScoreParams(short_doc=1)
    )
    zero = lenses.code_corpus(
        passages,
        fake_embed(passages["text"]),
        book.entries,
        fake_embed,
        params,
        thresholds=thresholds(ids, 0.35),
    )
    assert zero.method == "zero_shot"
    present = set(
        map(tuple, zero.presence.loc[zero.presence["present"], ["doc_id", "theme_id"]].values)
    )
    assert present == {("d1", "bruising"), ("d2", "sharing")}
    y = np.zeros((9, 2), dtype=bool)
    y[[0, 1], 0] = True
    y[[3, 4], 1] = True
    truth = pd.DataFrame({"doc_id": ["d1", "d2"], "theme_id": ids})
    training = lenses.Training(y, truth, ("d1", "d2", "d3"))
    sup = lenses.code_corpus(
        passages,
        fake_embed(passages["text"]),
        book.entries,
        fake_embed,
        params.__class__(backend="fake", method="supervised", folds=3, min_passages=1),
        training,
    )
    assert set(sup.thresholds["method"]) <= {"supervised", "zero_shot"}
    assert sup.scores.shape == (9, 2)
    assert {"doc_id", "theme_id", "present", "n_passages", "method", "evidence"} <= set(
        sup.presence.columns
    )
    calibrated = lenses.code_corpus(
        passages, fake_embed(passages["text"]), book.entries, fake_embed, params, training
    )
    assert (
        calibrated.thresholds["source"]
        .str.startswith("calibrated on 3 labelled reports (too few")
        .all()
    )


def test_lens_params_validate_the_method():
    with pytest.raises(ValueError, match="method="):
        lenses.LensParams(method="magic")


def test_run_lenses_and_calibrate_defaults(book):
    from lip_research.codebook import load_codebook

    passages, docs = mini_passages(), mini_documents()
    books = (book, load_codebook("quality_markers"))
    params = lenses.LensParams(backend="fake", method="zero_shot")
    out = lens_run.run_lenses(
        passages, docs, fake_embed(passages["text"]), fake_embed, books, params
    )
    assert len(out.screening) == 3 * 18
    assert set(out.by) == {"year", "review_model"}
    assert out.summary["denominator"].eq(3).all()
    assert len(out.why.detected) == 9
    paragraphs = passages.assign(para_index=range(9), why=[False] * 8 + [True], marker="")
    labels = lens_eval.Labels(
        paragraphs=paragraphs,
        passage_themes=pd.DataFrame(
            {
                "doc_id": ["d1", "d1", "d2", "d2"],
                "para_index": [0, 1, 3, 4],
                "theme_id": ["bruising", "bruising", "sharing", "sharing"],
            }
        ),
        document_themes=pd.DataFrame({"doc_id": ["d1", "d2"], "theme_id": ["bruising", "sharing"]}),
        document_markers=pd.DataFrame(columns=["doc_id", "marker_id"]),
    )
    table = lens_run.calibrate_defaults(
        passages, fake_embed(passages["text"]), fake_embed, books, params, labels
    )
    assert set(table["theme_id"]) == {"bruising", "sharing", "why", *books[1].ids}
    assert table.loc[table["theme_id"] == "bruising", "source"].item().startswith("calibrated on 3")


def test_briefings_default_to_the_most_prevalent_issue(book):
    from lip_research.codebook import load_codebook

    passages, docs = mini_passages(), mini_documents()
    books = (book, load_codebook("quality_markers"))
    params = lenses.LensParams(backend="fake", method="zero_shot")
    out = lens_run.run_lenses(
        passages, docs, fake_embed(passages["text"]), fake_embed, books, params
    )
    assert lens_run.default_briefing_themes(out) == [out.summary["theme_id"].iloc[0]]
    briefs = lens_run.briefings(out, passages, docs, ["sharing", "qm12_family_involvement"])
    assert [b.theme_id for b in briefs] == ["sharing", "qm12_family_involvement"]
    assert briefs[1].data["codebook"].startswith("SCR Quality Markers")
