"""A fitted topic model on disk: save it, load it, and assign topics to passages with it.

:func:`save_model` pickles the fitted BERTopic with its analyzer and resolved config;
:func:`load_model` reloads it, warning when the packages that shape the pickle changed;
:func:`assign_topics` gives passages (the fitted ones or new ones) topics the way the fit did.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from lip_research.embed import unit_rows
from lip_research.io import LipWarning
from lip_research.topics import OUTLIER, TopicResult, _quiet_bertopic, left_out


def save_model(result: TopicResult, folder: Path, meta: dict[str, Any]) -> Path:
    """Pickle the fitted BERTopic; ``model.json`` beside it holds ``meta`` (corpus hash, seed),
    the config and the package versions a reload needs."""
    from lip_research import io

    folder.mkdir(parents=True, exist_ok=True)
    with _quiet_bertopic():  # its pickle warning: the versions are recorded and checked on load
        result.model.save(str(folder / "bertopic.pkl"), serialization="pickle", save_ctfidf=True)
    io.write_json(
        {
            **meta,
            "config": dataclasses.asdict(result.config),
            "packages": io.package_versions(),
            "bertopic_sha256": io.sha256_file(folder / "bertopic.pkl"),  # the pickle it describes
        },
        folder / "model.json",
    )
    return folder


def load_model(folder: str | Path):
    """(fitted BERTopic, metadata) saved by :func:`save_model`, from a model folder or the
    run folder that holds one (``RUN/model``); warns when the packages that shape the pickle
    differ from the ones it was saved with."""
    from bertopic import BERTopic

    from lip_research import io

    folder = Path(folder)
    if not (folder / "bertopic.pkl").exists() and (folder / "model" / "bertopic.pkl").exists():
        folder = folder / "model"  # the run folder given
    if not (folder / "bertopic.pkl").exists():
        run = folder if (folder / "run.json").exists() else folder.parent
        why = (
            f"; {run} is a run folder: `lip topics` saves its model in RUN/model (unless "
            "--no-save-model); `lip report` and the notebooks save none"
            if (run / "run.json").exists()
            else ""
        )
        raise FileNotFoundError(f"no saved model in {folder} (expected bertopic.pkl){why}")
    refit = "refit with `lip topics` to save the model again"
    try:
        meta = io.read_json(folder / "model.json")
    except (OSError, ValueError) as exc:
        raise ValueError(
            f"{folder / 'model.json'}, which describes the model, is missing or unreadable "
            f"({type(exc).__name__}); {refit}"
        ) from None
    if not isinstance(meta, dict):
        raise ValueError(f"{folder / 'model.json'} holds no model record; {refit}")
    sha = meta.get("bertopic_sha256")  # none in models saved before 2026-11-28
    if sha and io.sha256_file(folder / "bertopic.pkl") != sha:
        raise ValueError(
            f"{folder / 'bertopic.pkl'} is not the model {folder / 'model.json'} describes (it "
            f"changed, or one of them was copied from another run); {refit}"
        )
    saved = meta.get("packages", {})
    now = io.package_versions(list(saved)) if saved else {}
    changed = [f"{k} {saved[k]} -> {now[k]}" for k in saved if now.get(k) != saved[k]]
    if changed:
        warnings.warn(
            f"{folder} was saved with other package versions ({'; '.join(changed)}); "
            "the reloaded model may fail or assign differently. Refit with `lip topics` here.",
            LipWarning,
            stacklevel=2,
        )
    try:
        with _quiet_bertopic():
            return BERTopic.load(str(folder / "bertopic.pkl")), meta
    except Exception as exc:  # a pickle cut short, or made by packages that cannot read it
        raise ValueError(
            f"{folder / 'bertopic.pkl'} could not be read ({type(exc).__name__}: {exc}); {refit}"
        ) from None


class LanguageWarning(UserWarning):
    """The texts given to a model do not read as English, the language its words are built for."""


def _warn_if_not_english(texts: list[str]) -> None:
    """As `lip topics` says of a corpus (pipeline.warning_signs): a model's topic words are
    English, so passages in another language are placed by their embedding alone."""
    from lip_research.preprocess import english_share

    if sum(len(t.split()) for t in texts) < 20:
        return
    share = english_share(texts)
    if share < 0.2:
        warnings.warn(
            f"these texts do not read as English ({share:.0%} of their words are "
            "English function words, where English prose has about 45%): the model's topics "
            "are English, and the topics given to them may mean little",
            LanguageWarning,
            stacklevel=3,
        )


def assign_topics(model, texts: Sequence[str], embeddings: np.ndarray | None = None) -> np.ndarray:
    """Each passage's topic from a fitted or reloaded model: a passage mostly of template text,
    or with no topic word, gets -1, as in the fit (`topics.left_out`); any other takes the
    topic of the fitted passage most similar to it (cosine of the embeddings), so the fitted
    passages get exactly their fitted topics.

    Without ``embeddings`` the texts are embedded as the run's passages were (its backend and
    ``embedding_window``, on a GPU if there is one); given, they must have been embedded
    that way.
    """
    if isinstance(texts, str | bytes):
        raise TypeError(
            "texts must be a list of passages, not one string (it would be read letter by "
            "letter): write assign_topics(model, [text])"
        )
    texts = list(texts)  # a generator is read once
    strays = [t for t in texts if not isinstance(t, str)]
    if strays:
        raise TypeError(
            f"texts must be strings; {len(strays)} of {len(texts)} are not (such as "
            f"{strays[0]!r}): "
            "drop missing passages first, e.g. texts = [t for t in texts if isinstance(t, str)]"
        )
    if not texts:
        return np.full(0, OUTLIER)
    if embeddings is None:
        from lip_research.embed import embed_texts

        cfg = model.lip_config  # a GPU or not changes no vector: "auto" takes what is here
        embeddings = embed_texts(
            texts, backend=cfg.embedding, device="auto", window=cfg.embedding_window
        )
    embeddings = np.asarray(embeddings, dtype=np.float32)
    if len(texts) != len(embeddings):
        raise ValueError(f"{len(texts)} passages but {len(embeddings)} embeddings")
    fitted = getattr(model, "lip_fitted", None)
    analyzer = getattr(model, "lip_analyzer", None)
    if fitted is None or analyzer is None:
        raise ValueError(
            "this model was saved by an older lip_research, which kept no record of its fitted "
            "passages; refit it with `lip topics` to assign topics with it"
        )
    points, topics = fitted
    if embeddings.shape[1:] != points.shape[1:]:
        raise ValueError(
            f"embeddings of {embeddings.shape[1]} dimensions, but the model was fitted on "
            f"{points.shape[1]}: embed with the run's backend ({model.lip_config.embedding}), "
            "or leave the embeddings out and assign_topics embeds the texts as the run did"
        )
    _warn_if_not_english(texts)
    out = np.full(len(texts), OUTLIER)
    modelled = ~left_out(model, texts)
    unit = unit_rows(embeddings)
    for chunk in np.array_split(np.flatnonzero(modelled), max(1, int(modelled.sum()) // 1000)):
        if len(chunk):
            out[chunk] = topics[(unit[chunk] @ points.T).argmax(axis=1)]
    return out
