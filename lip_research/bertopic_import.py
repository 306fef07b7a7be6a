"""Import BERTopic without the parts a fit on precomputed embeddings never touches.

``import bertopic`` eagerly imports its plotting package (plotly figure factories and UMAP,
about 2 s here), optional extras built on transformers (the multimodal backend and the
text-generation, zero-shot and visual representations, about 2.7 s) and torch for its save
utilities (0.9 s). A warm rerun of ``lip topics`` uses none of them, and they were most of
its time. :func:`import_bertopic` imports BERTopic with them deferred: each loads, whole and
unchanged, the first time anything uses it (``model.visualize_barchart()``,
``from bertopic.representation import TextGeneration``).

This relies on a few module names inside BERTopic. If a future BERTopic moves them, the
import falls back to the ordinary one: slower, never wrong (``tests/test_topics.py`` checks).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
import warnings

PLOTTING = "bertopic.plotting"
TORCH = "torch"  # imported by bertopic._save_utils, used only to save in PyTorch format
# Optional extras that a package's __init__ imports inside try/except ModuleNotFoundError:
# package -> {public name: defining module}.
EXTRAS = {
    "bertopic.backend": {"MultiModalBackend": "bertopic.backend._multimodal"},
    "bertopic.representation": {
        "TextGeneration": "bertopic.representation._textgeneration",
        "ZeroShotClassification": "bertopic.representation._zeroshot",
        "VisualRepresentation": "bertopic.representation._visual",
    },
}


class _Deferred(types.ModuleType):
    """Stands in for a module in ``sys.modules``; the first attribute used loads the real one."""

    def __getattr__(self, attr: str):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return getattr(_load(self.__name__), attr)


class _Absent(types.ModuleType):
    """Stands in for an optional extra while BERTopic imports: BERTopic treats it as missing."""

    def __getattr__(self, attr: str):
        if attr.startswith("__"):
            raise AttributeError(attr)
        raise ModuleNotFoundError(f"{self.__name__} is loaded on first use")


class _ExtrasHook:
    """PEP 562 ``__getattr__`` for a package: its deferred extras, imported on first use."""

    def __init__(self, package: str, names: dict[str, str]) -> None:
        self.package = package
        self.names = names

    def __call__(self, attr: str):
        if attr in self.names:
            value = getattr(_load(self.names[attr]), attr)
            setattr(sys.modules[self.package], attr, value)
            return value
        raise AttributeError(f"module {self.package!r} has no attribute {attr!r}")


def _load(name: str) -> types.ModuleType:
    if isinstance(sys.modules.get(name), (_Deferred, _Absent)):
        del sys.modules[name]
    module = importlib.import_module(name)
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)
    if name == PLOTTING and "bertopic._bertopic" in sys.modules:
        sys.modules["bertopic._bertopic"].plotting = module  # BERTopic's own reference
    return module


def _stand_ins() -> list[types.ModuleType]:
    absent = [_Absent(m) for names in EXTRAS.values() for m in names.values()]
    deferred = [_Deferred(PLOTTING)]
    if TORCH not in sys.modules and importlib.util.find_spec(TORCH) is not None:
        deferred.append(_Deferred(TORCH))
    return [*deferred, *absent]


def import_bertopic() -> types.ModuleType:
    """``import bertopic`` with plotting and transformer-based extras loaded on first use."""
    if "bertopic" in sys.modules:
        return sys.modules["bertopic"]
    for module in _stand_ins():
        module.__spec__ = None
        sys.modules[module.__name__] = module
    try:
        bertopic = _import()
        if isinstance(sys.modules.get(TORCH), _Deferred):
            del sys.modules[TORCH]  # only bertopic._save_utils keeps the stand-in
        # BERTopic recorded each extra as not installed: undo that, and load the real one
        # when it is asked for.
        for package, names in EXTRAS.items():
            for name, defining in names.items():
                if isinstance(sys.modules.get(defining), _Absent):
                    del sys.modules[defining]
                pkg = sys.modules.get(package)
                if pkg is not None:
                    pkg.__dict__.pop(name, None)
                    pkg.__getattr__ = _ExtrasHook(package, names)
        return bertopic
    except Exception:  # BERTopic changed shape: import it the ordinary way
        for name in [n for n in sys.modules if n == "bertopic" or n.startswith("bertopic.")]:
            del sys.modules[name]
        if isinstance(sys.modules.get(TORCH), _Deferred):
            del sys.modules[TORCH]
        return _import()


def _import() -> types.ModuleType:
    """``import bertopic``, undoing the filter its import sets to ignore every UserWarning in
    the process (it hid the workbench's own warnings, such as a reloaded model's)."""
    with warnings.catch_warnings():
        import bertopic

    return bertopic
