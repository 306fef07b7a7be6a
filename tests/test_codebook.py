"""Codebooks: the built-in files, a researcher's own file, and clear errors."""

from __future__ import annotations

import copy

import pytest
import yaml
from lens_fixtures import CODEBOOK

from lip_research import codebook
from lip_research.codebook import CodebookError

THEME_IDS = [
    "domestic_abuse", "parental_mental_health", "parental_substance_misuse", "neglect",
    "non_mobile_injury", "unsafe_sleep", "suicide_self_harm", "sexual_exploitation",
    "criminal_exploitation", "disabled_children", "fabricated_illness", "hidden_men",
    "disguised_compliance", "professional_curiosity", "voice_of_child", "information_sharing",
    "escalation_challenge", "thresholds", "strategy_discussions", "medical_opinion",
    "police_decisions", "conference_practice", "poverty", "supervision_workload",
    "assessment_quality", "cumulative_risk", "education_exclusion", "transitions_mobility",
]  # fmt: skip
TYPOLOGY_IDS = [
    "typ_human_tool", "typ_management_system", "typ_incident_response",
    "typ_longer_term_work", "typ_family_professional", "typ_reasoning_bias",
]  # fmt: skip


def test_builtin_codebooks_hold_the_fixed_ids():
    issues, typology, markers = codebook.load_codebooks(codebook.BUILTIN)
    assert sorted(issues.ids) == sorted(THEME_IDS)
    assert list(typology.ids) == TYPOLOGY_IDS
    assert len(markers.entries) == 18
    assert [m.number for m in markers.entries] == list(range(1, 19))


def test_builtin_entries_have_sources_seeds_and_marker_evidence():
    for book in codebook.load_codebooks(codebook.BUILTIN):
        assert book.sources
        for entry in book.entries:
            assert entry.seed_phrases and entry.description
            assert all(s in book.sources for s in entry.sources)
            assert book.citations(entry)
    markers = codebook.load_codebook("quality_markers")
    groups = {m.number: m.group for m in markers.entries}
    assert {groups[n] for n in range(1, 6)} == {"review_setup"}
    assert {groups[n] for n in range(6, 14)} == {"running_review"}
    assert {groups[n] for n in range(14, 19)} == {"review_outputs"}
    assert all(m.evidence for m in markers.entries)


def test_user_codebook_from_a_file(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(CODEBOOK))
    books = codebook.load_codebooks(["scie_typology"], extra=[path])
    assert [b.id for b in books] == ["scie_typology", "mini"]
    entry = codebook.find_entry(books, "sharing")
    assert entry.codebook == "mini"
    assert entry.prompts[0] == "Agencies did not share information with each other."
    frame = codebook.entries_frame(books)
    assert list(frame.columns) == [
        "codebook", "entry_id", "label", "group", "number", "description", "seed_phrases", "sources",
    ]  # fmt: skip
    assert len(frame) == 8


def _broken(**change):
    data = copy.deepcopy(CODEBOOK)
    for key, value in change.items():
        if key.startswith("entry_"):
            data["entries"][0][key[6:]] = value
        else:
            data[key] = value
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param({"codebook": "x"}, "missing top-level keys", id="missing-keys"),
        pytest.param(_broken(entry_sources=["nope"]), "unknown sources", id="unknown-source"),
        pytest.param(_broken(entry_id="Bad Id"), "lower_snake_case", id="bad-id"),
        pytest.param(_broken(entry_seed_phrases=[]), "at least one seed", id="no-seeds"),
        pytest.param(_broken(entry_seed_phrases="one"), "list of strings", id="seeds-not-list"),
        pytest.param(
            _broken(entries=[CODEBOOK["entries"][0]] * 2), "duplicate entry ids", id="dupes"
        ),
        pytest.param(_broken(sources=[{"id": "src"}]), "'id' and 'citation'", id="bad-source"),
        pytest.param(["not", "a", "mapping"], "must be a mapping", id="not-mapping"),
    ],
)
def test_invalid_codebooks_say_what_is_wrong(data, message):
    with pytest.raises(CodebookError, match=message):
        codebook.parse_codebook(data, origin="mine.yaml")


def test_ids_must_be_unique_across_codebooks(tmp_path):
    data = copy.deepcopy(CODEBOOK)
    data["entries"][0]["id"] = "neglect"
    path = tmp_path / "clash.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(CodebookError, match="'neglect' appears in both"):
        codebook.load_codebooks(["practice_issues"], extra=[path])


def test_unknown_ids_are_named_with_suggestions():
    books = codebook.load_codebooks(["practice_issues"])
    with pytest.raises(CodebookError, match=r"'hiden_men' \(did you mean hidden_men"):
        codebook.check_ids(["hidden_men", "hiden_men"], books)
    with pytest.raises(CodebookError, match="unknown id"):
        books[0].get("nothing_like_it")


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(CodebookError, match="not found"):
        codebook.load_codebook(tmp_path / "absent.yaml")
    with pytest.raises(CodebookError, match="built-in codebooks"):
        codebook.load_codebook("practise_issues")
    bad = tmp_path / "bad.yaml"
    bad.write_text("codebook: [unclosed")
    with pytest.raises(CodebookError, match="not valid YAML"):
        codebook.load_codebook(bad)


def test_a_codebook_loaded_twice_is_named():
    from lip_research.codebook import CodebookError, load_codebooks

    with pytest.raises(CodebookError, match="'practice_issues' is loaded twice"):
        load_codebooks(["practice_issues"], extra=["practice_issues"])
