"""The plan cache: `kpi score` keeps the plans it compiled (as plain data: `execute.run.CompiledPlan`,
the SQL text and what the result needs) under the user's cache folder, so scoring the same policy
again imports neither the parser nor sqlglot, and parses, checks and compiles nothing (about a third
of a run's CPU time at 200k records).

A plan is found again only for the same policy text, policy chosen, period, params and engine
(its version and every source and grammar file of the installed package). The data's schema is not
part of the key: the plan reads the typed tables the loader makes from the declared fields, and the
loader checks every file against them on every run."""
from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

from . import __version__, user_cache

_PACKAGE = Path(__file__).resolve().parent


def cache_folder() -> Path:
    """Where the plans are kept: the user's cache, never the project's."""
    return user_cache("plans")


def plan_key(policy_text: str, policy_id: str | None, period: str, params: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for part in (__version__, _engine_signature(), policy_text, policy_id or "", period,
                 repr(sorted(params.items()))):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def _engine_signature() -> str:
    """Every source and grammar file of the engine by size and modification time, so an edited
    or upgraded engine never reads a plan an earlier one compiled."""
    files = sorted([*_PACKAGE.rglob("*.py"), *_PACKAGE.rglob("*.lark"),
                    *(_PACKAGE.parent / "grammars").glob("*.lark")])   # the grammar of a source checkout
    return ";".join(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files)


def load_plans(key: str) -> list | None:
    """The compiled plans stored under ``key``, or None (absent, or unreadable: compiled afresh)."""
    try:
        with open(cache_folder() / f"{key}.pickle", "rb") as f:
            return pickle.load(f)
    except Exception:  # a missing, partly written or outdated file is only a cache miss
        return None


def store_plans(key: str, plans: list) -> None:
    """Keep the plans, written whole (a temporary file, then renamed) or not at all: a folder that
    cannot be written only means no cache."""
    import tempfile   # only here: a run finding its plan stores nothing

    folder = cache_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=folder, suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as f:
            pickle.dump(plans, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(name, folder / f"{key}.pickle")
    except OSError:
        Path(name).unlink(missing_ok=True)
