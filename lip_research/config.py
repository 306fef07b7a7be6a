"""One validated, frozen run configuration, built once and passed explicitly.

A `RunConfig` holds every choice that changes a result: the seed, how passages are cut,
how they are embedded, reduced, clustered and described, and how themes are coded.
Values left as ``None`` are chosen from the corpus by :func:`lip_research.resolve.resolve`
and the choice is recorded in ``run.json``, so a run never relies on a default it does not
show. How each value is read and checked against its field is :mod:`lip_research.config_values`.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
import math
import warnings
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar

import yaml

from lip_research.codebook import BUILTIN
from lip_research.config_values import (
    ConfigError,
    check,
    check_types,
    describe,
    load_unique,
    merge,
    plain,
    sorted_keys,
    undot,
    yaml_problem,
    yaml_text,
)
from lip_research.io import LipWarning
from lip_research.segment import SECTIONS

EMBEDDING_BACKENDS = ("minilm", "static")
REDUCTIONS = ("auto", "umap", "pca", "none")
CLUSTERINGS = ("auto", "hdbscan", "kmeans", "agglomerative")
OUTLIER_STRATEGIES = ("none", "embeddings", "c-tf-idf", "distributions")
REPRESENTATIONS = ("ctfidf", "mmr")


SEED_MAX = 2**32 - 1  # numpy's seeds stop here
# Keys an earlier version had: (the value every run recorded, why it went). That value, found
# in an earlier run's config.yaml or run.json, is dropped with a warning; any other is an error.
# Keys added since runs were first recorded, at the value that does what runs before them did:
# a run that recorded no such key ran as if it held this value (`lip compare` reads it so).
ADDED_KEYS = {"topics.phrases": []}
REMOVED_KEYS = {
    "topics.ngram_max": (
        1,
        "it was never used: phrases ('child protection plan', 'health visitor') are found by "
        "collocation detection, not n-grams (see 'Topic words' in docs/parameters.md)",
    ),
}


class _Typed:
    """Checks every field against its annotation when built (directly, by `from_dict`, by
    `replace`), so a quoted number or a bare word where a list belongs is a `ConfigError`
    naming the field, never a TypeError deep in a model. See `config_values.check_types`."""

    section: ClassVar[str] = ""  # the YAML section, for dotted names in messages

    def __post_init__(self) -> None:
        check_types(self)


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
        check(
            0 < self.min_words < self.max_words, "ingest.min_words must be > 0 and below max_words"
        )
        check(
            0 < self.timeout_s < math.inf, "ingest.timeout_s must be a positive number of seconds"
        )
        check(0 < self.max_megabytes < math.inf, "ingest.max_megabytes must be a positive number")
        check(
            self.workers is None or self.workers >= 1,
            "ingest.workers must be 1 or more (null: one per CPU core)",
        )


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
    phrases: tuple[str, ...] = ()
    template_share: float = 0.2
    exclude_sections: tuple[str, ...] = ("front_matter", "contents")

    def validate(self) -> None:
        _choice("topics.embedding", self.embedding, EMBEDDING_BACKENDS)
        _choice("topics.device", self.device, ("auto", "cpu", "cuda"))
        _choice("topics.reduction", self.reduction, REDUCTIONS)
        _choice("topics.clustering", self.clustering, CLUSTERINGS)
        _choice("topics.outliers", self.outliers, OUTLIER_STRATEGIES)
        _choice("topics.representation", self.representation, REPRESENTATIONS)
        check(
            self.embedding_window == 0 or self.embedding_window >= 20,
            f"topics.embedding_window must be 0 or at least 20 words, not "
            f"{self.embedding_window}: passages longer than about 1.5 windows are embedded as "
            "the mean of their windows; 0 embeds each passage whole, and MiniLM then reads only "
            "its first ~190 words",
        )
        check(
            self.n_components is None or self.n_components >= 2,
            "topics.n_components must be at least 2",
        )
        check(
            self.n_neighbors is None or self.n_neighbors >= 2,
            "topics.n_neighbors must be at least 2",
        )
        check(
            self.min_topic_size is None or self.min_topic_size >= 2,
            "topics.min_topic_size must be at least 2",
        )
        check(
            self.n_clusters is None or self.n_clusters >= 2, "topics.n_clusters must be at least 2"
        )
        check(0 < self.max_df <= 1, "topics.max_df must be in (0, 1]")
        check(
            self.min_df is None or self.min_df >= 1,
            f"topics.min_df must be at least 1, not {self.min_df}: it is the number of passages "
            "a topic word must occur in; write 1 to keep every word, or null to choose from the "
            "corpus",
        )
        check(
            self.min_docs is None or self.min_docs >= 1,
            f"topics.min_docs must be at least 1, not {self.min_docs}: it is the number of "
            "documents a topic word must occur in; write 1 to keep every word, or null to choose "
            "from the corpus",
        )
        check(
            self.nr_topics is None or self.nr_topics >= 2,
            f"topics.nr_topics must be at least 2, not {self.nr_topics}: it is the number of "
            "topics to reduce to after fitting; write null to keep the topics found",
        )
        check(5 <= self.top_n_words <= 30, "topics.top_n_words must be between 5 and 30")
        check(0 <= self.diversity <= 1, "topics.diversity must be in [0, 1]")
        check(0 <= self.outlier_threshold < 1, "topics.outlier_threshold must be in [0, 1)")
        check(0 <= self.template_share <= 1, "topics.template_share must be in [0, 1]")
        for name in self.exclude_sections:
            check(name in SECTIONS, _unknown_section(name))
        for i, phrase in enumerate(self.phrases):
            check(
                len(phrase.split()) > 1,
                f"topics.phrases[{i}] is {phrase!r}, one word: a phrase joins two words or more "
                "('signs of safety'), and a hyphenated word ('well-being') is kept whole already",
            )
        self._check_combinations()

    def _check_combinations(self) -> None:
        """A parameter the chosen method would ignore is an error (no corpus needed to know:
        'auto' clustering is Ward or k-means, and 'auto' reduction is UMAP only for HDBSCAN)."""
        density = self.clustering == "hdbscan"
        umap = self.reduction == "umap" or (self.reduction == "auto" and density)
        method = "auto (Ward or k-means)" if self.clustering == "auto" else self.clustering
        check(
            not (density and self.n_clusters is not None),
            f"topics.n_clusters={self.n_clusters} does not apply to clustering: hdbscan, which "
            "finds the number of topics itself; remove n_clusters (from the config file or the "
            "options), or use clustering: agglomerative or kmeans to fix the number.",
        )
        check(
            density or self.min_topic_size is None,
            f"topics.min_topic_size={self.min_topic_size} applies only to clustering: hdbscan, "
            f"not {method}, which makes n_clusters topics; remove min_topic_size (from the "
            "config file or the options), or use clustering: hdbscan.",
        )
        check(
            umap or self.n_neighbors is None,
            f"topics.n_neighbors={self.n_neighbors} applies only to reduction: umap; remove it, "
            "or set reduction: umap.",
        )
        default = {f.name: f.default for f in fields(self)}
        check(
            density
            or (self.outliers in ("none", default["outliers"]) and self.outlier_threshold == 0),
            f"topics.outliers={self.outliers!r} / outlier_threshold={self.outlier_threshold} "
            f"apply only to clustering: hdbscan, not {method}, which puts every passage in a "
            "topic; remove them (from the config file or the options), or use clustering: hdbscan.",
        )
        check(
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
        check(self.min_passages >= 1, "themes.min_passages must be at least 1")
        for key in ("codebooks", "extra_codebooks"):
            for name in getattr(self, key):
                check(
                    name in BUILTIN or Path(name).suffix.lower() in (".yaml", ".yml"),
                    _unknown_codebook(key, name),
                )


@dataclass(frozen=True)
class RunConfig(_Typed):
    """Every parameter of a run. One seed feeds every random component."""

    seed: int = 2016
    ingest: IngestConfig = field(default_factory=IngestConfig)
    topics: TopicConfig = field(default_factory=TopicConfig)
    themes: ThemeConfig = field(default_factory=ThemeConfig)

    def __post_init__(self) -> None:
        super().__post_init__()
        check(
            0 <= self.seed <= SEED_MAX,
            f"seed must be a whole number from 0 to {SEED_MAX} (2**32 - 1), not {self.seed}",
        )
        self.ingest.validate()
        self.topics.validate()
        self.themes.validate()

    # -- serialisation -------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return plain(dataclasses.asdict(self))

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False)

    def fingerprint(self) -> str:
        """Short hash of the parameters (stable across processes)."""
        blob = json.dumps(self.to_dict(), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:10]

    def replace(self, **changes: Any) -> RunConfig:
        """A copy with dotted keys changed, e.g. ``replace(**{"topics.embedding": "static"})``."""
        return from_dict(merge(self.to_dict(), undot(changes)))


def from_dict(data: dict[str, Any] | None) -> RunConfig:
    """Build and validate a config; unknown keys are an error, not silently ignored."""
    data = dict(data or {})
    kwargs: dict[str, Any] = {}
    sub = {"ingest": IngestConfig, "topics": TopicConfig, "themes": ThemeConfig}
    allowed = {f.name for f in fields(RunConfig)}
    unknown = set(data) - allowed
    check(not unknown, _unknown_keys("config", unknown, allowed))
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
        data = load_unique(yaml_text(path, ConfigError)) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(yaml_problem(path, exc)) from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path} must hold a mapping of parameters, not {type(data).__name__}")
    return from_dict(data)


# -- helpers ---------------------------------------------------------------------------------
def _choice(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    check(value in allowed, f"{name}={value!r} is not one of {', '.join(allowed)}")


def _unknown_keys(prefix: str, unknown: set[Any], allowed: set[str]) -> str:
    guesses = [
        f"{key!r} -> {close[0]!r}"
        for key in sorted(map(str, unknown))
        for close in [difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.6)]
        if close
    ]
    guess = f" (did you mean {', '.join(guesses)}?)" if guesses else ""
    return f"unknown {prefix} keys {sorted_keys(unknown)}{guess}; allowed: {sorted(allowed)}"


def _unknown_codebook(key: str, name: str) -> str:
    close = difflib.get_close_matches(name, BUILTIN, n=1, cutoff=0.6)
    guess = f"did you mean {close[0]!r}? " if close else ""
    return (
        f"themes.{key}: {name!r} is not a built-in codebook; {guess}"
        f"built-in: {', '.join(BUILTIN)}; a codebook of your own is a .yaml file path"
    )


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
                LipWarning,
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
            f"not {describe(data)}"
        )
    data = _without_removed(data, prefix)
    names = {f.name: f for f in fields(cls)}
    unknown = set(data) - set(names)
    check(not unknown, _unknown_keys(prefix, unknown, set(names)))
    try:
        return cls(**data)
    except TypeError as exc:  # pragma: no cover - guarded by the unknown-key check
        raise ConfigError(f"{prefix}: {exc}") from exc
