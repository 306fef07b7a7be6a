"""The bundled FICTIONAL sample corpus: composed deterministically from a labelled paragraph bank.

Every paragraph in ``data/sample/bank/*.yaml`` was written by the project and carries its
labels (section, practice-issue and typology ids, whether it explains *why*, the quality
marker it evidences). :func:`plan_reports` draws case profiles (harm, review model, year,
nation) with one seeded RNG and picks paragraphs for each report section; :func:`render_*`
turn a report into text, Markdown, Word or a paginated PDF. The label tables record which
paragraph went where, so every downstream figure can be checked against ground truth.

No real person, place or case is described: names, places and boards are invented.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lip_research.segment import SECTIONS

# Report sections in reading order: the segmenter's canonical ids, less those a composed
# report never has (appendix, contents list, title page, unrecognised text).
SECTION_ORDER = [s for s in SECTIONS if s not in ("appendix", "contents", "front_matter", "other")]
HARMS = [
    "nahi",
    "sudi",
    "neglect",
    "domestic",
    "suicide",
    "cse",
    "cce",
    "fii",
    "disability",
    "mental",
]
HARM_TITLES = {
    "nahi": "non-accidental head injury to an infant",
    "sudi": "sudden unexpected death of an infant",
    "neglect": "chronic neglect",
    "domestic": "domestic abuse",
    "suicide": "the suicide of a young person",
    "cse": "child sexual exploitation",
    "cce": "child criminal exploitation",
    "fii": "fabricated or induced illness",
    "disability": "serious harm to a disabled child",
    "mental": "parental mental ill-health and substance misuse",
}
MODEL_YEARS = {
    "chapter8": (2010, 2014),
    "scie": (2012, 2019),
    "silp": (2013, 2019),
    "wales_cpr": (2013, 2024),
    "lcspr": (2019, 2024),
}
MODEL_NAMES = {
    "chapter8": "Serious Case Review (Chapter 8, with individual management reviews)",
    "scie": "Serious Case Review (SCIE Learning Together systems model)",
    "silp": "Serious Case Review (Significant Incident Learning Process)",
    "wales_cpr": "Child Practice Review (Wales)",
    "lcspr": "Local Child Safeguarding Practice Review",
}
HEADINGS = {
    "executive_summary": ["Executive summary", "Summary"],
    "introduction": ["Introduction", "Reason for the review", "Introduction and circumstances"],
    "terms_of_reference": [
        "Terms of reference",
        "Scope and terms of reference",
        "Scope of the review",
    ],
    "methodology": ["Methodology", "The review process", "Review methodology"],
    "family_involvement": [
        "Family involvement",
        "Involvement of the family",
        "Family contribution",
    ],
    "background": ["Background", "Family background", "Background and family context"],
    "chronology": ["Key practice episodes", "Chronology", "Summary of events"],
    "analysis": ["Analysis", "Analysis of practice", "Analysis and contributory factors"],
    "findings": ["Findings", "Key findings", "Findings and learning", "Lessons learned"],
    "good_practice": ["Good practice", "Examples of good practice"],
    "recommendations": ["Recommendations"],
    "board_response": ["Board response", "Partnership response", "Response of the partnership"],
}
AREAS = [
    "Castlebrook", "Westmoor", "Elmsford", "Larkhaven", "Marrowby", "Quillington",
    "Rushcombe", "Stenbury", "Tallowfield", "Wrenmouth", "Harrowmere", "Fenwick Vale",
]  # fmt: skip
WELSH_AREAS = ["Cwm Derwen", "Aberllyn", "Bryn Tawel", "Glanafon"]
LETTERS = "ABCDEFGHJKLMNPRSTVWY"
FORMATS = {"pdf": 6, "docx": 4, "md": 14}  # the rest are .txt
RECOMMENDATION = re.compile(r"^Recommendation \d+[:.]")
FINDING = re.compile(r"^Finding \d+[:.]")
PRONOUNS = {
    "m": {"he": "he", "him": "him", "his": "his", "He": "He", "His": "His"},
    "f": {"he": "she", "him": "her", "his": "her", "He": "She", "His": "Her"},
}
SENTENCE_START = re.compile(r"(?:^|[.!?][\"')]?\s+)[\"'(]?$")  # text before a sentence's first word
EXCLUSIVE = (  # alternatives that contradict each other within one report
    {"gen-tor-08", "gen-tor-09", "gen-tor-11"},
    {"gen-fam-03", "gen-fam-04", "gen-fam-10", "gen-fam-06"},
    {"gen-fam-05", "gen-fam-07"},
)
FICTION_NOTICE = (
    "FICTIONAL SAMPLE. This report was written for the lip_research sample corpus. "
    "The child, family, places, agencies and events are invented."
)


@dataclass(frozen=True)
class Paragraph:
    id: str
    section: str
    harm: str
    model: str
    themes: tuple[str, ...]
    typology: tuple[str, ...]
    why: bool
    marker: str | None
    text: str


@dataclass
class Report:
    doc_id: str
    title: str
    year: int
    harm: str
    model: str
    nation: str
    fmt: str
    names: dict[str, str]
    style: int
    sections: list[tuple[str, str, list[Paragraph]]] = field(default_factory=list)


def load_bank(folder: Path) -> list[Paragraph]:
    """Read every bank file; a malformed entry is an error naming its id."""
    out: list[Paragraph] = []
    for path in sorted(Path(folder).glob("*.yaml")):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            try:
                out.append(
                    Paragraph(
                        id=str(raw["id"]),
                        section=str(raw["section"]),
                        harm=str(raw.get("harm") or "any"),
                        model=str(raw.get("model") or "any"),
                        themes=tuple(raw.get("themes") or ()),
                        typology=tuple(raw.get("typology") or ()),
                        why=bool(raw.get("why")),
                        marker=raw.get("marker") or None,
                        text=" ".join(str(raw["text"]).split()),
                    )
                )
            except KeyError as exc:
                raise ValueError(f"{path.name}: entry {raw.get('id')!r} lacks {exc}") from exc
    ids = [p.id for p in out]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise ValueError(f"duplicate bank ids: {sorted(dupes)}")
    return out


def _profiles(n_reports: int, rng: random.Random) -> list[dict[str, Any]]:
    harms = [HARMS[i % len(HARMS)] for i in range(n_reports)]
    models = list(MODEL_YEARS)
    profiles = []
    for i, harm in enumerate(harms):
        model = models[(i * 3 + i // len(HARMS)) % len(models)]
        lo, hi = MODEL_YEARS[model]
        year = rng.randint(lo, hi)
        nation = "Wales" if model == "wales_cpr" else "England"
        profiles.append({"harm": harm, "model": model, "year": year, "nation": nation})
    rng.shuffle(profiles)
    profiles.sort(key=lambda p: p["year"])
    return profiles


def _names(profile: dict[str, Any], rng: random.Random, used: set[str]) -> dict[str, str]:
    area = rng.choice(WELSH_AREAS if profile["nation"] == "Wales" else AREAS)
    letter = rng.choice([c for c in LETTERS if f"{area}{c}" not in used] or list(LETTERS))
    used.add(f"{area}{letter}")
    infant = profile["harm"] in ("nahi", "sudi")
    child = f"{'Baby' if infant else 'Child'} {letter}"
    sex = rng.choice("mf")
    if profile["nation"] == "Wales":
        board = f"{area} Regional Safeguarding Children Board"
    elif profile["year"] >= 2019:
        board = f"{area} Safeguarding Children Partnership"
    else:
        board = f"{area} Local Safeguarding Children Board"
    others = [c for c in LETTERS if c != letter]
    a, b = rng.sample(others, 2)
    names = {
        "child": child,
        "mother": "the mother",
        "father": f"Mr {a}",
        "partner": f"Mr {b}",
        "sibling": "the sibling",
        "area": area,
        "board": board,
    }
    names.update(PRONOUNS[sex])
    return names


def fill(text: str, names: dict[str, str]) -> str:
    """Replace ``{placeholder}`` markers, capitalised where a sentence starts; unknown markers
    are an error."""

    def sub(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in names:
            raise KeyError(f"unknown placeholder {{{key}}}")
        value = names[key]
        if SENTENCE_START.search(text[: match.start()]):
            value = value[:1].upper() + value[1:]
        return value

    return re.sub(r"\{(\w+)\}", sub, text)


def _pick(
    pool: list[Paragraph], k: int, rng: random.Random, ordered: bool = False
) -> list[Paragraph]:
    chosen: list[Paragraph] = []
    for para in rng.sample(pool, len(pool)):
        if len(chosen) == k:
            break
        clash = any(para.id in g and any(c.id in g for c in chosen) for g in EXCLUSIVE)
        if not clash:
            chosen.append(para)
    return sorted(chosen, key=lambda p: p.id) if ordered else chosen


def _section_plan(
    bank: list[Paragraph], profile: dict[str, Any], rng: random.Random
) -> dict[str, list[Paragraph]]:
    harm, model = profile["harm"], profile["model"]

    def pool(section: str, harm_: str = "any", prefix: str | None = None) -> list[Paragraph]:
        return [
            p
            for p in bank
            if p.section == section
            and p.harm == harm_
            and p.model in ("any", model)
            and (prefix is None or p.id.startswith(prefix))
        ]

    generic = [p for p in bank if p.harm == "any" and not p.id.startswith("x-")]
    cross = [p for p in bank if p.id.startswith("x-")]
    plan: dict[str, list[Paragraph]] = {}
    if rng.random() < 0.7:
        plan["executive_summary"] = _pick(pool("executive_summary", harm), 1, rng) + _pick(
            [p for p in generic if p.section == "executive_summary"], 1, rng
        )
    plan["introduction"] = _pick([p for p in generic if p.section == "introduction"], 2, rng)
    plan["terms_of_reference"] = _pick(
        [p for p in generic if p.section == "terms_of_reference"], rng.choice([1, 2]), rng
    )
    methods = [p for p in generic if p.section == "methodology" and p.model == model]
    plan["methodology"] = _pick(methods or pool("methodology"), 2, rng)
    plan["family_involvement"] = _pick(
        [p for p in generic if p.section == "family_involvement"], 1, rng
    )
    plan["background"] = _pick(pool("background", harm), rng.choice([2, 3]), rng, ordered=True)
    plan["chronology"] = _pick(pool("chronology", harm), rng.choice([5, 6, 7]), rng, ordered=True)
    analysis = _pick(pool("analysis", harm), rng.choice([3, 4]), rng)
    cross_themes = sorted({p.id.split("-")[1] for p in cross if not p.marker})
    picked = rng.sample(cross_themes, min(2, len(cross_themes)))
    analysis += [
        rng.choice([p for p in cross if p.id.split("-")[1] == t and p.section == "analysis"])
        for t in picked
        if any(p.id.split("-")[1] == t and p.section == "analysis" for p in cross)
    ]
    method_paras = [p for p in cross if p.marker == "qm13_analysis"]
    if method_paras and rng.random() < 0.5:
        analysis.append(rng.choice(method_paras))
    plan["analysis"] = analysis
    findings = _pick(pool("findings", harm), rng.choice([2, 3]), rng, ordered=True)
    findings += [p for p in cross if p.section == "findings" and p.id.split("-")[1] in picked[:1]][
        :1
    ]
    plan["findings"] = findings
    good = pool("good_practice", harm) + [p for p in generic if p.section == "good_practice"]
    plan["good_practice"] = _pick(good, 1, rng)
    plan["recommendations"] = _pick(pool("recommendations", harm), 2, rng) + _pick(
        [p for p in generic if p.section == "recommendations"], 1, rng
    )
    if rng.random() < 0.75:
        plan["board_response"] = _pick(
            [p for p in generic if p.section == "board_response"], 1, rng
        )
    return plan


def _trim(plan: dict[str, list[Paragraph]], max_words: int) -> None:
    def words() -> int:
        return sum(len(p.text.split()) for ps in plan.values() for p in ps)

    for floor in (3, 2, 1):
        for section in ("analysis", "chronology", "recommendations", "introduction", "background",
                        "findings", "methodology", "executive_summary"):  # fmt: skip
            while words() > max_words and len(plan.get(section, [])) > floor:
                plan[section].pop()


def plan_reports(bank: list[Paragraph], n_reports: int = 48, seed: int = 2016) -> list[Report]:
    """Case profiles and paragraph choices for every report; same seed, same corpus."""
    rng = random.Random(seed)
    used: set[str] = set()
    formats = [f for f, n in FORMATS.items() for _ in range(n)]
    formats += ["txt"] * (n_reports - len(formats))
    rng.shuffle(formats)
    reports = []
    for i, profile in enumerate(_profiles(n_reports, rng)):
        names = _names(profile, rng, used)
        plan = _section_plan(bank, profile, rng)
        _trim(plan, rng.randint(2000, 3800))
        kind = "Child Practice Review" if profile["nation"] == "Wales" else (
            "Local Child Safeguarding Practice Review" if profile["model"] == "lcspr"
            else "Serious Case Review"
        )  # fmt: skip
        title = f"{kind}: {names['child']} ({names['area']}, {profile['year']})"
        slug = re.sub(r"[^a-z0-9]+", "-", f"{names['area']} {names['child']}".lower()).strip("-")
        report = Report(
            doc_id=f"{profile['year']}-{slug}",
            title=title,
            year=profile["year"],
            harm=profile["harm"],
            model=profile["model"],
            nation=profile["nation"],
            fmt=formats[i],
            names=names,
            style=rng.randrange(3),
        )
        for section in SECTION_ORDER:
            if plan.get(section):
                heading = rng.choice(HEADINGS[section])
                report.sections.append((section, heading, plan[section]))
        reports.append(report)
    return reports


def heading_text(report: Report, number: int, heading: str) -> str:
    if report.style == 0:
        return f"{number}. {heading}"
    if report.style == 1:
        return f"{number} {heading.upper()}"
    return heading


def paragraphs(report: Report) -> Iterable[tuple[int, str, str, Paragraph, str]]:
    """(section number, heading, section id, bank paragraph, filled text) in reading order."""
    n_rec = n_find = 0
    for number, (section, heading, paras) in enumerate(report.sections, start=1):
        for para in paras:
            text = fill(para.text, report.names)
            if RECOMMENDATION.match(text):
                n_rec += 1
                text = RECOMMENDATION.sub(f"Recommendation {n_rec}:", text, count=1)
            if FINDING.match(text):
                n_find += 1
                text = FINDING.sub(f"Finding {n_find}:", text, count=1)
            yield number, heading, section, para, text


def front_matter(report: Report) -> list[str]:
    return [
        report.title,
        MODEL_NAMES[report.model],
        f"Published by {report.names['board']}, {report.year}",
        FICTION_NOTICE,
    ]
