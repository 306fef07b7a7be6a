"""Reading configuration values: each value conformed to its field's annotation, or a
`ConfigError` naming the field, what it takes and what was given; YAML syntax errors
explained in a line. Used by :mod:`lip_research.config`.
"""

from __future__ import annotations

import dataclasses
import functools
import numbers
import re
import types
from dataclasses import fields
from pathlib import Path
from typing import Any, NoReturn, Union, get_args, get_origin, get_type_hints

import yaml


class ConfigError(ValueError):
    """A parameter is out of range, of the wrong kind or unknown; the message says which."""


def check(ok: bool, message: str) -> None:
    if not ok:
        raise ConfigError(message)


def sorted_keys(keys: set[Any]) -> list[Any]:
    return sorted(keys, key=str)  # YAML keys need not be text: `1:` or `yes:` are keys too


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def check_types(obj: Any) -> None:
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
    raise ConfigError(f"{name} must be {expected}, not {describe(value)}{hint_text}")


def describe(value: Any) -> str:
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


class DuplicateKeyError(yaml.constructor.ConstructorError):
    """A name given twice in one YAML mapping."""


class UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a name given twice in one mapping (the last would win
    without a word: ``n_clusters: 5`` then ``n_clusters: 6``)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # '<<: *base' merges, as YAML allows
                continue
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise DuplicateKeyError(
                    None, None, f"{key!r} is given twice; keep one", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_unique(text: str) -> Any:
    """Parse YAML as ``yaml.safe_load`` does, but a name given twice is an error."""
    return yaml.load(text, Loader=UniqueKeyLoader)  # noqa: S506 (a SafeLoader)


def yaml_text(path: Path, error: type[Exception]) -> str:
    """A YAML file's text, read as UTF-8 (a byte-order mark allowed); ``error`` if it is not
    UTF-8 (a Latin-1 or UTF-16 file saved by another editor)."""
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(
            f"{path} is not UTF-8 text (byte {exc.start + 1} is {exc.object[exc.start]:#04x}): "
            "save it as UTF-8 in your editor and run again"
        ) from None


def yaml_problem(path: Path, exc: yaml.YAMLError) -> str:
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
    if isinstance(exc, DuplicateKeyError):
        return f"{path}{where}: {problem}"
    return f"{path} is not valid YAML{where}: {problem}; {fix}"


_YAML_WORDS = {"flow sequence": "[list]", "flow mapping": "{mapping}", "scalar": "text"}


def plain(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain(v) for v in obj]
    return obj


def undot(changes: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in changes.items():
        node = out
        *parents, leaf = key.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    return out


def merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out
