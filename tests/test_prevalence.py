"""Prevalence tables always carry counts and denominators; national figures are set beside them."""

from __future__ import annotations

import pandas as pd
import pytest
from lens_fixtures import mini_book, mini_documents

from lip_research import prevalence


@pytest.fixture
def presence():
    return pd.DataFrame(
        {
            "doc_id": ["d1", "d1", "d2", "d2", "d3", "d3"],
            "theme_id": ["bruising", "sharing"] * 3,
            "present": [True, False, False, True, True, True],
            "n_passages": [2, 0, 0, 1, 1, 3],
        }
    )


def test_overall_and_by_metadata(presence):
    docs = mini_documents()
    overall = prevalence.prevalence(presence, docs, entries=mini_book().entries)
    assert overall[
        ["theme_id", "label", "n_present", "denominator", "percent"]
    ].values.tolist() == [
        ["bruising", "Bruising in babies", 2, 3, 66.7],
        ["sharing", "Information sharing", 2, 3, 66.7],
    ]
    by = prevalence.prevalence(presence, docs, by="review_model")
    assert by[["review_model", "theme_id", "n_present", "denominator"]].values.tolist() == [
        ["scie", "bruising", 2, 2],
        ["scie", "sharing", 1, 2],
        ["silp", "bruising", 0, 1],
        ["silp", "sharing", 1, 1],
    ]


def test_missing_metadata_is_its_own_group_and_unknown_columns_fail(presence):
    docs = mini_documents().assign(review_model=["scie", None, ""])
    by = prevalence.prevalence(presence, docs, by="review_model")
    assert sorted(by["review_model"].unique()) == ["scie", "unknown"]
    assert by.loc[by["review_model"] == "unknown", "denominator"].unique().tolist() == [2]
    with pytest.raises(KeyError, match="no metadata column 'harm'"):
        prevalence.prevalence(presence, docs, by="harm")


def test_summary_trend_periods_and_cooccurrence(presence):
    docs = mini_documents()
    summary = prevalence.theme_summary(presence, docs, mini_book().entries)
    row = summary.set_index("theme_id").loc["sharing"]
    assert (row["first_year"], row["last_year"], row["n_passages"]) == (2015, 2020, 4)
    trend = prevalence.trend(presence, docs, "bruising")
    assert trend.values.tolist() == [["2015", 1, 2, 50.0], ["2020", 1, 1, 100.0]]
    with_gap = prevalence.prevalence(
        presence, mini_documents().assign(year=[2015.0, None, 2020.0]), by="year"
    )
    assert sorted(with_gap["year"].unique()) == ["2015", "2020", "unknown"]
    periods = prevalence.with_period(docs, 5)
    assert periods["period"].tolist() == ["2015-2019", "2015-2019", "2020-2024"]
    co = prevalence.cooccurrence(presence, "bruising")
    assert co.values.tolist() == [["sharing", 1, 0.5]]
    assert prevalence.metadata_columns(docs) == ["year", "review_model"]
    no_years = docs.assign(year=None)  # no table of reports by year, all 'unknown'
    assert prevalence.metadata_columns(no_years) == ["review_model"]


def test_national_comparison_is_labelled_as_different_samples(presence):
    summary = prevalence.theme_summary(presence, mini_documents(), mini_book().entries)
    national = pd.DataFrame(
        {
            "source_id": ["s1", "s1"],
            "study": ["Study A", "Study A"],
            "period": ["2017-19", "2017-19"],
            "sample_description": ["235 SCRs", "235 SCRs"],
            "denominator": [235, 235],
            "theme_id": ["sharing", "not_in_corpus"],
            "percent": [50.0, 10.0],
            "note": ["", ""],
        }
    )
    sources = pd.DataFrame({"source_id": ["s1"], "citation": ["A. Author (2022)."]})
    got = prevalence.national_comparison(summary, national, sources)
    assert got["theme_id"].tolist() == ["sharing"]
    row = got.iloc[0]
    assert (row["corpus_n"], row["corpus_denominator"], row["national_denominator"]) == (2, 3, 235)
    assert row["difference_points"] == pytest.approx(16.7)
    assert row["citation"] == "A. Author (2022)."
    assert row["caveat"].startswith("Different samples")


def test_shipped_national_figures_have_sources():
    figures, sources = prevalence.load_national()
    assert {"source_id", "study", "period", "denominator", "theme_id", "percent"} <= set(
        figures.columns
    )
    assert set(figures["source_id"]) <= set(sources["source_id"])


def test_class_codes_get_the_names_the_corpus_gives():
    from lip_research.prevalence import names_key, value_names

    docs = pd.DataFrame(
        {
            "review_model": ["lcspr", "silp", "lcspr", None],
            "review_model_name": ["Local Child Safeguarding Practice Review", "SILP", None, None],
            "harm": ["sudi", "cse", "sudi", "cse"],
        }
    )
    assert value_names(docs, "review_model") == {
        "lcspr": "Local Child Safeguarding Practice Review",
        "silp": "SILP",
    }
    assert names_key(docs, "review_model") == (
        " Key: lcspr = Local Child Safeguarding Practice Review; silp = SILP."
    )
    assert names_key(docs, "harm") == ""  # no harm_name or harm_description column
    clash = docs.assign(review_model_name=["A", "B", "C", None])  # lcspr named twice
    assert value_names(clash, "review_model") == {}


def test_dates_and_values_each_report_has_its_own_are_no_classes():
    docs = pd.DataFrame(
        {
            "doc_id": ["a", "b", "c", "d"],
            "year": [2016, 2016, 2017, 2018],
            "published": ["2016-05-16", "2016-09-20", "2017-01-02", "2018-03-04"],
            "local_authority": ["bury", "wakefield", "hackney", "sefton"],
            "grade": ["good", "good", "inadequate", "good"],
        }
    )
    assert prevalence.metadata_columns(docs) == ["year", "grade"]


def test_no_difference_beside_a_national_figure_that_is_not_an_exact_share_of_reviews(presence):
    """A share of deaths, an approximate figure or a lower bound is no base for a corpus
    share of reports minus a national share."""
    summary = prevalence.theme_summary(presence, mini_documents(), mini_book().entries)
    national = pd.DataFrame(
        {
            "source_id": ["s1", "s2", "s3"],
            "study": ["Study A", "Panel", "Study B"],
            "period": ["2017-19", "2020", "2014-17"],
            "sample_description": ["235 SCRs", "206 deaths", "175 SCRs"],
            "denominator": [235, 206, 175],
            "theme_id": ["sharing"] * 3,
            "percent": [50.0, 31.0, 75.0],
            "note": ["", "", ""],
            "base": ["reviews", "deaths", "reviews"],
            "qualifier": ["", "", "about"],
        }
    )
    got = prevalence.national_comparison(summary, national).set_index("source_id")
    assert got.loc["s1", "difference_points"] == pytest.approx(16.7)
    assert got[["difference_points"]].loc[["s2", "s3"]].isna().all().all()
    assert got.loc["s2", "national_figure"] == "31% of deaths"
    assert got.loc["s2", "comparison_note"].startswith("a share of deaths, not of reviews")
    assert got.loc["s3", "national_figure"] == "about 75% of reviews"
    assert got.loc["s1", "comparison_note"] == ""
    # a user's table: other case and spaces, a figure left blank
    typed = national.assign(base=[" Reviews", "Deaths", "reviews"], qualifier=["", "", " About"])
    typed.loc[1, "percent"] = None
    got = prevalence.national_comparison(summary, typed).set_index("source_id")
    assert got.loc["s1", "difference_points"] == pytest.approx(16.7)
    assert got.loc["s2", "national_figure"] == "not given"
    assert got.loc["s3", "comparison_note"].startswith("an approximate figure (about)")


def test_shipped_national_figures_say_what_they_are_a_share_of():
    figures, sources = prevalence.load_national()
    assert set(figures["base"]) <= {
        "reviews",
        "deaths",
        "non-fatal incidents",
        "notifications",
        "children",
    }
    assert set(figures["qualifier"].fillna("")) <= {"", "about", "at least", "over"}
    sudi = figures[(figures["source_id"] == "panel2020") & (figures["theme_id"] == "unsafe_sleep")]
    assert sudi["base"].tolist() == ["deaths"]
    assert sources["short_name"].notna().all()
