"""One validated, frozen run configuration, built once and passed explicitly.

A `RunConfig` holds every choice that changes a result: the seed, how passages are cut,
how they are embedded, reduced, clustered and described, and how themes are coded.
Values left as ``None`` are chosen from the corpus by :func:`lip_research.resolve.resolve`
and the choice is recorded in ``run.json``, so a run never relies on a default it does not
show.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import hashlib
import json
import numbers
import re
import types
import warnings
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar, NoReturn, Union, get_args, get_origin, get_type_hints

import yaml

from lip_research.segment import SECTIONS

EMBEDDING_BACKENDS = ("minilm", "static")
REDUCTIONS = ("auto", "umap", "pca", "none")
CLUSTERINGS = ("auto", "hdbscan", "kmeans", "agglomerative")
OUTLIER_STRATEGIES = ("none", "embeddings", "c-tf-idf", "distributions")
REPRESENTATIONS = ("ctfidf", "mmr")


SEED_MAX = 2**32 - 1  # numpy's seeds stop here
# Keys an earlier version had: (the value every run recorded, why it went). That value, found
# in an earlier run's config.yaml or run.json, is dropped with a warning; any other is an error.
REMOVED_KEYS = {
    "topics.ngram_max": (
        1,
        "it was never used: phrases ('child protection plan', 'health visitor') are found by "
        "collocation detection, not n-grams (see 'Topic words' in docs/parameters.md)",
    ),
}


class ConfigError(ValueError):
    """A parameter is out of range, of the wrong kind or unknown; the message says which."""


class _Typed:
    """Checks every field against its annotation when built (directly, by `from_dict`, by
    `replace`), so a quoted number or a bare word where a list belongs is a `ConfigError`
    naming the field, never a TypeError deep in a model. See `_conform`."""

    section: ClassVar[str] = ""  # the YAML section, for dotted names in messages

    def __post_init__(self) -> None:
        _check_types(self)


@dataclass(frozen=True)
class IngestConfig(_Typed):
    """How files become passages."""

    section: ClassVar[str] = "ingest"
    min_words: int = 100
    max_words: int = 250
    timeout_s: float = 120.0
    max_megabytes: float = 200.0
    text_column: str | None = None
    workers: int | None = None

    def validate(self) -> None:
        _check(
            0 < self.min_words < self.max_words, "ingest.min_words must be > 0 and below max_words"
        )
        _check(self.timeout_s > 0, "ingest.timeout_s must be positive")
        _check(self.max_megabytes > 0, "ingest.max_megabytes must be positive")


@dataclass(frozen=True)
class TopicConfig(_Typed):
    """The whole BERTopic pipeline; ``None`` means 'choose from the corpus' (`lip_research.resolve`)."""

    section: ClassVar[str] = "topics"
    embedding: str = "minilm"
    device: str = "auto"
    # 0: each passage embedded whole (MiniLM reads its first 256 word pieces, ~190 words);
    # N: a passage over 1.5 N words is the mean of its windows of ~N words (embed.windows)
    embedding_window: int = 0
    reduction: str = "auto"
    n_neighbors: int | None = None
    n_components: int | None = None
    clustering: str = "auto"
    min_topic_size: int | None = None
    n_clusters: int | None = None
    min_df: int | None = None
    min_docs: int | None = None
    max_df: float = 0.5
    top_n_words: int = 10
    representation: str = "ctfidf"
    diversity: float = 0.3
    outliers: str = "embeddings"
    outlier_threshold: float = 0.0
    nr_topics: int | None = None
    extra_stopwords: tuple[str, ...] = ()
    template_share: float = 0.2
    exclude_sections: tuple[str, ...] = ("front_matter", "contents")

    def validate(self) -> None:
        _choice("topics.embedding", self.embedding, EMBEDDING_BACKENDS)
        _choice("topics.device", self.device, ("auto", "cpu", "cuda"))
        _choice("topics.reduction", self.reduction, REDUCTIONS)
        _choice("topics.clustering", self.clustering, CLUSTERINGS)
        _choice("topics.outliers", self.outliers, OUTLIER_STRATEGIES)
        _choice("topics.representation", self.representation, REPRESENTATIONS)
        _check(
            self.embedding_window == 0 or self.embedding_window >= 20,
            f"topics.embedding_window must be 0 or at least 20 words, not "
            f"{self.embedding_window}: passages longer than about 1.5 windows are embedded as "
            "the mean of their windows; 0 embeds each passage whole, and MiniLM then reads only "
            "its first ~190 words",
        )
        _check(
            self.n_components is None or self.n_components >= 2,
            "topics.n_components must be at least 2",
        )
        _check(
            self.n_neighbors is None or self.n_neighbors >= 2,
            "topics.n_neighbors must be at least 2",
        )
        _check(
            self.min_topic_size is None or self.min_topic_size >= 2,
            "topics.min_topic_size must be at least 2",
        )
        _check(
            self.n_clusters is None or self.n_clusters >= 2, "topics.n_clusters must be at least 2"
        )
        _check(0 < self.max_df <= 1, "topics.max_df must be in (0, 1]")
        _check(
            self.min_df is None or self.min_df >= 1,
            f"topics.min_df must be at least 1, not {self.min_df}: it is the number of passages "
            "a topic word must occur in; write 1 to keep every word, or null to choose from the "
            "corpus",
        )
        _check(
            self.min_docs is None or self.min_docs >= 1,
            f"topics.min_docs must be at least 1, not {self.min_docs}: it is the number of "
            "documents a topic word must occur in; write 1 to keep every word, or null to choose "
            "from the corpus",
        )
        _check(
            self.nr_topics is None or self.nr_topics >= 2,
            f"topics.nr_topics must be at least 2, not {self.nr_topics}: it is the number of "
            "topics to reduce to after fitting; write null to keep the topics found",
        )
        _check(5 <= self.top_n_words <= 30, "topics.top_n_words must be between 5 and 30")
        _check(0 <= self.diversity <= 1, "topics.diversity must be in [0, 1]")
        _check(0 <= self.outlier_threshold < 1, "topics.outlier_threshold must be in [0, 1)")
        _check(0 <= self.template_share <= 1, "topics.template_share must be in [0, 1]")
        for name in self.exclude_sections:
            _check(name in SECTIONS, _unknown_section(name))
        self._check_combinations()

    def _check_combinations(self) -> None:
        """A parameter the chosen method would ignore is an error (no corpus needed to know:
        'auto' clustering is Ward or k-means, and 'auto' reduction is UMAP only for HDBSCAN)."""
        density = self.clustering == "hdbscan"
        umap = self.reduction == "umap" or (self.reduction == "auto" and density)
        method = "auto (Ward or k-means)" if self.clustering == "auto" else self.clustering
        _check(
            not (density and self.n_clusters is not None),
            f"topics.n_clusters={self.n_clusters} does not apply to clustering: hdbscan, which "
            "finds the number of topics itself; remove n_clusters (from the config file or the "
            "options), or use clustering: agglomerative or kmeans to fix the number.",
        )
        _check(
            density or self.min_topic_size is None,
            f"topics.min_topic_size={self.min_topic_size} applies only to clustering: hdbscan, "
            f"not {method}, which makes n_clusters topics; remove min_topic_size (from the "
            "config file or the options), or use clustering: hdbscan.",
        )
        _check(
            umap or self.n_neighbors is None,
            f"topics.n_neighbors={self.n_neighbors} applies only to reduction: umap; remove it, "
            "or set reduction: umap.",
        )
        default = {f.name: f.default for f in fields(self)}
        _check(
            density
            or (self.outliers in ("none", default["outliers"]) and self.outlier_threshold == 0),
            f"topics.outliers={self.outliers!r} / outlier_threshold={self.outlier_threshold} "
            f"apply only to clustering: hdbscan, not {method}, which puts every passage in a "
            "topic; remove them (from the config file or the options), or use clustering: hdbscan.",
        )
        _check(
            self.representation == "mmr" or self.diversity == default["diversity"],
            f"topics.diversity={self.diversity} applies only to representation: mmr; remove it, "
            "or set representation: mmr.",
        )


@dataclass(frozen=True)
class ThemeConfig(_Typed):
    """How passages are coded against the Learning into Practice codebooks."""

    section: ClassVar[str] = "themes"
    codebooks: tuple[str, ...] = ("practice_issues", "scie_typology", "quality_markers")
    extra_codebooks: tuple[str, ...] = ()
    min_passages: int = 1
    briefing_themes: tuple[str, ...] = ()

    def validate(self) -> None:
        _check(self.min_passages >= 1, "themes.min_passages must be at least 1")


@dataclass(frozen=True)
class RunConfig(_Typed):
    """Every parameter of a run. One seed feeds every random component."""

    seed: int = 2016
    ingest: IngestConfig = field(default_factory=IngestConfig)
    topics: TopicConfig = field(default_factory=TopicConfig)
    themes: ThemeConfig = field(default_factory=ThemeConfig)

    def __post_init__(self) -> None:
        super().__post_init__()
        _check(
            0 <= self.seed <= SEED_MAX,
            f"seed must be a whole number from 0 to {SEED_MAX} (2**32 - 1), not {self.seed}",
        )
        self.ingest.validate()
        self.topics.validate()
        self.themes.validate()

    # -- serialisation -------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return _plain(dataclasses.asdict(self))

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False)

    def fingerprint(self) -> str:
        """Short hash of the parameters (stable across processes)."""
        blob = json.dumps(self.to_dict(), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:10]

    def replace(self, **changes: Any) -> RunConfig:
        """A copy with dotted keys changed, e.g. ``replace(**{"topics.embedding": "static"})``."""
        return from_dict(_merge(self.to_dict(), _undot(changes)))


def from_dict(data: dict[str, Any] | None) -> RunConfig:
    """Build and validate a config; unknown keys are an error, not silently ignored."""
    data = dict(data or {})
    kwargs: dict[str, Any] = {}
    sub = {"ingest": IngestConfig, "topics": TopicConfig, "themes": ThemeConfig}
    allowed = {f.name for f in fields(RunConfig)}
    unknown = set(data) - allowed
    _check(not unknown, f"unknown config keys {_sorted(unknown)}; allowed: {sorted(allowed)}")
    for name, value in data.items():
        if name in sub:
            kwargs[name] = _build(sub[name], value or {}, name)
        else:
            kwargs[name] = value
    return RunConfig(**kwargs)


def load_yaml(path: str | Path) -> RunConfig:
    path = Path(path)
    if not path.exists():
        where = "" if path.is_absolute() else f" (paths are relative to {Path.cwd()})"
        raise ConfigError(f"config file {path} does not exist{where}")
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(_yaml_problem(path, exc)) from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path} must hold a mapping of parameters, not {type(data).__name__}")
    return from_dict(data)


# -- helpers ---------------------------------------------------------------------------------
def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ConfigError(message)


def _choice(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    _check(value in allowed, f"{name}={value!r} is not one of {', '.join(allowed)}")


def _unknown_section(name: str) -> str:
    close = difflib.get_close_matches(name, SECTIONS, n=1, cutoff=0.6)
    guess = f"did you mean {close[0]!r}? " if close else ""
    return (
        f"topics.exclude_sections: {name!r} is not a section name; {guess}"
        f"the sections passages can have are {', '.join(SECTIONS)}"
    )


def removed_as_recorded(name: str, value: Any) -> bool:
    """Whether ``name`` (``section.key``) is a removed key (`REMOVED_KEYS`) holding the value
    every earlier run recorded, so that dropping it changes nothing."""
    recorded = REMOVED_KEYS.get(name, (None,))[0]
    return name in REMOVED_KEYS and type(value) is type(recorded) and value == recorded


def _without_removed(data: dict[str, Any], prefix: str) -> dict[str, Any]:
    """``data`` without keys an earlier version had (`REMOVED_KEYS`): a key at the value every
    earlier run recorded is dropped with a warning, any other value is a `ConfigError`."""
    out = dict(data)
    for key, value in data.items():
        name = f"{prefix}.{key}"
        if name not in REMOVED_KEYS:
            continue
        why = REMOVED_KEYS[name][1]
        if removed_as_recorded(name, value):
            warnings.warn(
                f"{name}: {value!r} is ignored: {name} was removed because {why}; delete it "
                "from the config file (an earlier run's config.yaml or run.json still has it)",
                UserWarning,
                stacklevel=4,
            )
            del out[key]
        else:
            raise ConfigError(
                f"{name} was removed because {why}; delete {key}: {value!r} from the config file"
            )
    return out


def _build(cls: type, data: dict[str, Any], prefix: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(
            f"{prefix} must be a mapping of parameters (one 'name: value' per line), "
            f"not {_describe(data)}"
        )
    data = _without_removed(data, prefix)
    names = {f.name: f for f in fields(cls)}
    unknown = set(data) - set(names)
    _check(not unknown, f"unknown {prefix} keys {_sorted(unknown)}; allowed: {sorted(names)}")
    try:
        return cls(**data)
    except TypeError as exc:  # pragma: no cover - guarded by the unknown-key check
        raise ConfigError(f"{prefix}: {exc}") from exc


def _sorted(keys: set[Any]) -> list[Any]:
    return sorted(keys, key=str)  # YAML keys need not be text: `1:` or `yes:` are keys too


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def _check_types(obj: Any) -> None:
    """Hold every field of a config dataclass to its annotation; see `_conform`."""
    hints = _hints(type(obj))
    for f in fields(obj):
        name = f"{obj.section}.{f.name}" if obj.section else f.name
        value = getattr(obj, f.name)
        conformed = _conform(name, value, hints[f.name], f.default)
        if conformed is not value:
            object.__setattr__(obj, f.name, conformed)  # frozen: only lists and numpy scalars


def _conform(name: str, value: Any, hint: Any, default: Any = None) -> Any:
    """`value` if it is of the annotated kind (lists become tuples, numpy numbers plain ones).

    Nothing is guessed: ``"10"`` is not 10, ``10.0`` is not 10 and ``"contents"`` is not
    ``[contents]``; each is refused with what was given and what to write instead.
    """
    optional = get_origin(hint) in (Union, types.UnionType) and type(None) in get_args(hint)
    if optional:
        if value is None:
            return None
        (hint,) = (a for a in get_args(hint) if a is not type(None))  # only `X | None` is used
    if hint is int:
        if isinstance(value, numbers.Integral) and not _is_bool(value):
            return value if type(value) is int else int(value)
    elif hint is float:
        if isinstance(value, numbers.Real) and not _is_bool(value):
            return value if type(value) in (int, float) else float(value)
    elif hint is bool:
        if _is_bool(value):
            return bool(value)
    elif hint is str:
        if isinstance(value, str):
            return value
    elif get_origin(hint) is tuple and get_args(hint) == (str, Ellipsis):
        if isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                if not isinstance(item, str):
                    _refuse(f"{name}[{i}]", item, str)
            return value if type(value) is tuple else tuple(value)
    elif dataclasses.is_dataclass(hint):
        if isinstance(value, hint):
            return value
    else:  # pragma: no cover - a new field of a kind this function does not know yet
        raise TypeError(f"config field {name}: no type check for {hint!r}; add one to _conform")
    _refuse(name, value, hint, default, optional)


def _refuse(
    name: str, value: Any, hint: Any, default: Any = None, optional: bool = False
) -> NoReturn:
    """Raise the `ConfigError` for a value of the wrong kind: field, expectation, given, fix."""
    if hint is int:
        example = default if type(default) is int else 10
        expected = f"a whole number, e.g. {example}"
    elif hint is float:
        example = default if type(default) is float else 0.5
        expected = f"a number, e.g. {example}"
    elif hint is bool:
        expected = "true or false"
    elif hint is str:
        expected = f"text, e.g. {default!r}" if isinstance(default, str) else "text"
    elif get_origin(hint) is tuple:
        words = default if isinstance(default, tuple) and default else ("first", "second")
        expected = f"a list of words, e.g. [{', '.join(words)}]"
    else:
        expected = f"a {hint.__name__}"
    if optional:
        expected += ", or null"
    hint_text = ""
    if isinstance(value, str) and hint in _NUMERALS and re.fullmatch(_NUMERALS[hint], value):
        hint_text = "; write it without quotes"
        if "e" in value.lower():  # YAML 1.1 reads 1e-3 as text
            hint_text = f"; write {float(value)!r} (YAML reads {value.strip()} as text)"
    elif isinstance(value, str) and get_origin(hint) is tuple:
        hint_text = f"; write a YAML list, even for one word: [{value}]"
    elif isinstance(value, float) and hint is int and value.is_integer():
        hint_text = f"; write {int(value)}"
    elif _is_bool(value) and hint is not bool:
        hint_text = "; YAML reads yes, no, on, off, true and false as yes/no values"
    elif isinstance(value, numbers.Number) and hint is str and not isinstance(default, str):
        hint_text = f"; put it in quotes: '{value}'"
    raise ConfigError(f"{name} must be {expected}, not {_describe(value)}{hint_text}")


def _describe(value: Any) -> str:
    """A value and its kind in plain words: "the text '10'", "the number 5.5"."""
    if value is None:
        return "nothing (null)"
    if _is_bool(value):
        kind = "the yes/no value"
    elif isinstance(value, numbers.Integral):
        kind, value = "the whole number", int(value)
    elif isinstance(value, numbers.Real):
        kind, value = "the number", float(value)
    elif isinstance(value, str):
        kind = "the text"
    elif isinstance(value, (list, tuple)):
        kind, value = "the list", list(value)
    elif isinstance(value, dict):
        kind = "the mapping"
    else:
        kind = f"a {type(value).__name__}"
    shown = repr(value)
    return f"{kind} {shown if len(shown) <= 60 else shown[:57] + '...'}"


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool) or type(value).__name__ in ("bool", "bool_")  # numpy's too


_NUMERALS = {int: r"\s*[-+]?\d+\s*", float: r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*"}


def _yaml_problem(path: Path, exc: yaml.YAMLError) -> str:
    """One line for a YAML syntax error: file, line, what is wrong and what usually fixes it."""
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1}" if mark is not None else ""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context, start = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and start is not None and (mark is None or start.line != mark.line):
        for jargon, plain in _YAML_WORDS.items():
            context = context.replace(jargon, plain)
        problem += f" ({context} from line {start.line + 1})"
    fix = (
        "indent with spaces, not tabs"
        if "\\t" in problem
        else "check the indentation, the ': ' after each name, that brackets and quotes are "
        "closed, and quote text that holds ': ' or ' #'"
    )
    return f"{path} is not valid YAML{where}: {problem}; {fix}"


_YAML_WORDS = {"flow sequence": "[list]", "flow mapping": "{mapping}", "scalar": "text"}


def _plain(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    return obj


def _undot(changes: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in changes.items():
        node = out
        *parents, leaf = key.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    return out


def _merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out
