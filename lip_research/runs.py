"""Past runs: list them with their key figures, and compare two of them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lip_research import io

TABLES = ("topics.csv", "passage_topics.parquet", "document_topics.csv", "theme_documents.csv")


def find_runs(root: Path) -> list[Path]:
    """Folders under ``root`` holding a run.json or a STATUS file (failed runs included)."""
    found = {p.parent for p in root.rglob("run.json")} | {
        p.parent for p in root.rglob(io.RUN_STATUS_FILE)
    }
    return sorted(p for p in found if p.name != "model" and not p.is_symlink())


def list_runs(root: Path) -> pd.DataFrame:
    rows = []
    for run in find_runs(root):
        record = io.read_json(run / "run.json") if (run / "run.json").exists() else {}
        topics_cfg = record.get("config", {}).get("topics", {})
        ev = record.get("evaluation", {})
        rows.append(
            {
                "run": str(run),
                "status": io.run_status(run),
                "created": record.get("created", ""),
                "corpus": (record.get("corpus") or {}).get("source")
                or (record.get("corpus") or {}).get("path"),
                "documents": (record.get("corpus") or {}).get("documents"),
                "seed": record.get("seed"),
                "embedding": topics_cfg.get("embedding"),
                "clustering": (record.get("resolved_topics") or {}).get("clustering"),
                "n_topics": ev.get("n_topics"),
                "npmi": round(ev["npmi"], 3) if "npmi" in ev else None,
                "outlier_share": round(ev["outlier_share"], 3) if "outlier_share" in ev else None,
            }
        )
    return pd.DataFrame(rows)


def _flatten(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out


def parameter_changes(a: dict[str, Any], b: dict[str, Any]) -> pd.DataFrame:
    fa, fb = _flatten(a), _flatten(b)
    rows = [
        {"parameter": k, "run_a": fa.get(k), "run_b": fb.get(k)}
        for k in sorted(set(fa) | set(fb))
        if fa.get(k) != fb.get(k)
    ]
    return pd.DataFrame(rows, columns=["parameter", "run_a", "run_b"])


def match_topics(
    topics_a: pd.DataFrame, topics_b: pd.DataFrame, min_similarity: float = 0.2
) -> pd.DataFrame:
    """One-to-one topic matching by top-word Jaccard similarity (Hungarian assignment)."""
    a = topics_a[topics_a["topic"] != -1].reset_index(drop=True)
    b = topics_b[topics_b["topic"] != -1].reset_index(drop=True)
    wa = [set(str(w).split(";")) for w in a["words"]]
    wb = [set(str(w).split(";")) for w in b["words"]]
    sim = np.array([[len(x & y) / len(x | y) if x | y else 0.0 for y in wb] for x in wa]).reshape(
        len(a), len(b)
    )
    rows: list[dict[str, Any]] = []
    matched_a, matched_b = set(), set()
    if sim.size:
        from scipy.optimize import linear_sum_assignment

        for i, j in zip(*linear_sum_assignment(-sim), strict=True):
            if sim[i, j] >= min_similarity:
                matched_a.add(i)
                matched_b.add(j)
                rows.append(
                    {
                        "status": "matched",
                        "topic_a": int(a["topic"][i]),
                        "label_a": a["label"][i],
                        "topic_b": int(b["topic"][j]),
                        "label_b": b["label"][j],
                        "similarity": round(float(sim[i, j]), 4),
                        "size_a": int(a["size"][i]),
                        "size_b": int(b["size"][j]),
                    }
                )
    for i in set(range(len(a))) - matched_a:
        rows.append(
            {
                "status": "lost",
                "topic_a": int(a["topic"][i]),
                "label_a": a["label"][i],
                "size_a": int(a["size"][i]),
            }
        )
    for j in set(range(len(b))) - matched_b:
        rows.append(
            {
                "status": "gained",
                "topic_b": int(b["topic"][j]),
                "label_b": b["label"][j],
                "size_b": int(b["size"][j]),
            }
        )
    out = pd.DataFrame(
        rows,
        columns=[
            "status",
            "topic_a",
            "label_a",
            "topic_b",
            "label_b",
            "similarity",
            "size_a",
            "size_b",
        ],
    )
    if not out.empty:
        total_a, total_b = topics_a["size"].sum(), topics_b["size"].sum()
        out["share_shift"] = (
            out["size_b"].fillna(0) / total_b - out["size_a"].fillna(0) / total_a
        ).round(4)
    return out


def identical_tables(run_a: Path, run_b: Path) -> dict[str, bool | None]:
    """Per table: True if byte-identical, False if different, None if absent from either run."""
    out: dict[str, bool | None] = {}
    for name in TABLES:
        pa, pb = run_a / name, run_b / name
        out[name] = (
            io.sha256_file(pa) == io.sha256_file(pb) if pa.exists() and pb.exists() else None
        )
    return out


def theme_shifts(run_a: Path, run_b: Path) -> pd.DataFrame | None:
    pa, pb = run_a / "theme_documents.csv", run_b / "theme_documents.csv"
    if not (pa.exists() and pb.exists()):
        return None

    def prevalence(path: Path) -> pd.Series:
        t = pd.read_csv(path)
        n_docs = t["doc_id"].nunique()
        return t[t["present"].astype(bool)].groupby("theme_id")["doc_id"].nunique() / max(n_docs, 1)

    both = pd.concat(
        {"prevalence_a": prevalence(pa), "prevalence_b": prevalence(pb)}, axis=1
    ).fillna(0.0)
    both["shift"] = both["prevalence_b"] - both["prevalence_a"]
    return both.round(4).reset_index().rename(columns={"index": "theme_id"})


def compare(run_a: Path, run_b: Path) -> dict[str, Any]:
    for run in (run_a, run_b):
        if not (run / "topics.csv").exists():
            raise FileNotFoundError(
                f"{run} is not a run folder (no topics.csv); `lip runs` lists runs"
            )
        if io.run_status(run) == "failed":
            raise FileNotFoundError(f"{run} is a failed run; compare complete runs only")
    rec_a = io.read_json(run_a / "run.json") if (run_a / "run.json").exists() else {}
    rec_b = io.read_json(run_b / "run.json") if (run_b / "run.json").exists() else {}
    same = identical_tables(run_a, run_b)
    return {
        "identical": all(v for v in same.values() if v is not None)
        and any(v is not None for v in same.values()),
        "tables": same,
        "same_corpus": (rec_a.get("corpus") or {}).get("content_hash")
        == (rec_b.get("corpus") or {}).get("content_hash"),
        "parameters": parameter_changes(rec_a.get("config", {}), rec_b.get("config", {})),
        "topics": match_topics(
            pd.read_csv(run_a / "topics.csv"), pd.read_csv(run_b / "topics.csv")
        ),
        "themes": theme_shifts(run_a, run_b),
    }
