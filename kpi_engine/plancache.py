"""The plan cache: `kpi score` keeps the plans it compiled (as plain data: `execute.run.CompiledPlan`,
the SQL text and what the result needs) under the user's cache folder, so scoring the same policy
again imports neither the parser nor sqlglot, and parses, checks and compiles nothing (about a third
of a run's CPU time at 200k records).

A plan is found again only for the same policy text, policy chosen, period, params and engine
(its version and every source and grammar file of the installed package). The data's schema is not
part of the key: the plan reads the typed tables the loader makes from the declared fields, and the
loader checks every file against them on every run."""
from __future__ import annotations

import os
import pickle
import zlib
from pathlib import Path

from . import __version__, user_cache

_PACKAGE = Path(__file__).resolve().parent


def cache_folder() -> Path:
    """Where the plans are kept: the user's cache, never the project's."""
    return user_cache("plans")


def plan_key(policy_text: str, policy_id: str | None, period: str, params: dict[str, str]) -> str:
    """Everything a plan depends on, as one text: a plan is used only where its stored key is
    this text exactly (its file is named by a checksum of it, which may collide)."""
    return repr((__version__, _engine_signature(), policy_text, policy_id, period, sorted(params.items())))


def _file(key: str) -> Path:
    # a checksum names the file, not a cryptographic digest: hashlib loads OpenSSL (~4 ms of
    # every run), and two keys sharing a name only take turns in it
    data = key.encode("utf-8")
    return cache_folder() / f"{zlib.crc32(data):08x}{len(data):x}.pickle"


def _engine_signature() -> str:
    """Every source and grammar file of the engine by size and modification time, so an edited
    or upgraded engine never reads a plan an earlier one compiled."""
    files = sorted([*_PACKAGE.rglob("*.py"), *_PACKAGE.rglob("*.lark"),
                    *(_PACKAGE.parent / "grammars").glob("*.lark")])   # the grammar of a source checkout
    return ";".join(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files)


def load_plans(key: str) -> list | None:
    """The compiled plans stored under ``key``, or None (absent, unreadable or another key's:
    compiled afresh)."""
    try:
        with open(_file(key), "rb") as f:
            stored_key, plans = pickle.load(f)
    except Exception:  # a missing, partly written or outdated file is only a cache miss
        return None
    return plans if stored_key == key else None


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
            pickle.dump((key, plans), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(name, _file(key))
    except OSError:
        Path(name).unlink(missing_ok=True)
