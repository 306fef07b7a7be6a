"""Abbreviations a corpus defines: "independent reviewing officers (IROs)", "child and
adolescent mental health services (CAMHS)".

Reports define an abbreviation once, in brackets after its long form, and then use either.
Topic words read the two as one term (:func:`lip_research.preprocess.build_analyzer`), so
"IROs" and "independent reviewing officers" do not take two of a topic's ten places. The
match is Schwartz and Hearst's (2003), simplified: the initials of the long form's words (of
each part of a hyphenated word: "multi-agency safeguarding hub (MASH)") spell the
abbreviation, a short function word may be passed over ("children in care council (CiCC)"
spells it, "child and adolescent ... (CAMHS)" passes over "and"), and the long form is the
shortest run of words before the bracket that does so.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

# up to ten words, then a bracketed abbreviation: capitals, perhaps with lower-case letters
# inside ('CiCC', 'EHaSH') and a plural s ('IROs')
_DEFINED = re.compile(
    r"(?<![\w'\-])((?:[A-Za-z][\w'\-]*,?[ \t\n]+){1,10})\(([A-Z][A-Za-z\-]*[A-Z]s?)\)"
)
# function words a long form may hold without a letter in the abbreviation
SKIPPABLE = frozenset("a an and at by for in of on or the to with".split())


def letters(short: str) -> str:
    """The letters an abbreviation's long form spells: 'IROs' -> 'iro', 'CiCC' -> 'cicc'."""
    if short.endswith("s") and short[-2:-1].isupper():  # 'IROs', 'CiCCs'; not 'CAMHS'
        short = short[:-1]
    return short.replace("-", "").lower()


def long_form(words: list[str], short: str) -> list[str] | None:
    """The shortest run of ``words`` (those before the bracket, in order) ending at the
    last whose initials spell ``short``; None when none does."""
    spelt = letters(short)
    for start in range(len(words) - 1, -1, -1):
        run = words[start:]
        if run[0].lower() in SKIPPABLE or run[-1].lower() in SKIPPABLE:
            continue
        if _spells(run, spelt):
            return run
    return None


def _spells(run: list[str], spelt: str) -> bool:
    """Whether the initials of ``run`` (a function word's optional) are exactly ``spelt``."""
    heads = ["".join(part[0] for part in word.lower().split("-") if part) for word in run]
    reach = {0}  # how many letters of ``spelt`` the words so far can have spelt
    for word, head in zip(run, heads, strict=True):
        nxt = {n + len(head) for n in reach if spelt.startswith(head, n)}
        if word.lower() in SKIPPABLE:
            nxt |= reach
        reach = nxt
        if not reach:
            return False
    return len(spelt) in reach


def defined(texts: Iterable[str]) -> Counter[tuple[str, str]]:
    """How often the texts define each abbreviation: (abbreviation as written, long form in
    lower case) -> count."""
    out: Counter[tuple[str, str]] = Counter()
    for text in texts:
        if "(" not in text:
            continue
        for match in _DEFINED.finditer(text):
            short = match[2]
            words = [w.rstrip(",") for w in match[1].split()]
            run = long_form(words, short)
            if run and len(run) >= 2:
                out[(short, " ".join(run).lower())] += 1
    return out
