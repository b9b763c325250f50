"""Settings: one frozen tree from the shipped TOML files plus optional user overrides.

Overrides come from the file named by ``$TAKEAWAYS_CONFIG`` or from
``~/.config/takeaways/config.toml``; sections merge key by key, and a key the shipped
files do not have (or a value of another kind) is a `ConfigError` naming the file and
the key. A `Settings` object is passed to the `Pipeline` and to every stage
(``settings=``); inside a stage the readers (`section`, key-point and audit settings) see
the stage's settings through `use`/`active`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from takeaways.errors import ConfigError

Config = dict[str, Any]


def merge(base: Config, over: Config) -> Config:
    """``over`` merged into ``base`` key by key (tables recursively); neither is changed."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def _read_toml(path: Path) -> Config:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            f"cannot read config file {path}: {exc}. Fix the TOML or unset $TAKEAWAYS_CONFIG."
        ) from exc


def user_config_path() -> Path | None:
    """The user's config file that the default `Settings` read, or None when there is none."""
    env = os.environ.get("TAKEAWAYS_CONFIG")
    if env:
        return Path(env)
    home = Path.home() / ".config" / "takeaways" / "config.toml"
    return home if home.is_file() else None


#: the shipped settings files, in the order they are read (the user's file comes last)
SHIPPED_FILES = ("data/defaults.toml", "data/keypoints.toml", "data/audit.toml")


@lru_cache(maxsize=1)
def shipped() -> Config:
    """Every shipped settings file merged into one tree (a fresh copy is made by readers)."""
    root = resources.files("takeaways")
    out: Config = {}
    for name in SHIPPED_FILES:
        out = merge(out, tomllib.loads(root.joinpath(name).read_text("utf-8")))
    return out


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "a list"
    return "a table"


def check(over: Config, base: Config, where: str, path: str = "") -> None:
    """A `ConfigError` naming ``where``, the key and what is allowed, for any key of
    ``over`` that ``base`` does not have or whose value is of another kind. The tables
    named in `FREE_FORM` (feature weights) may hold any key."""
    for key, value in over.items():
        name = f"{path}.{key}" if path else str(key)
        if key not in base:
            if path.rsplit(".", 1)[-1] in FREE_FORM:
                continue
            allowed = ", ".join(sorted(base)) or "none"
            what = f"key {key!r} in [{path}]" if path else f"section [{key}]"
            raise ConfigError(f"{where}: unknown {what}; allowed: {allowed}. Remove or rename it.")
        want = base[key]
        if isinstance(want, dict):
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: {name} must be a table ([{name}]), "
                                  f"got {value!r}.")
            check(value, want, where, name)
        elif _kind(value) != _kind(want):
            raise ConfigError(f"{where}: {name} must be {_kind(want)} (the default is "
                              f"{want!r}), got {value!r}.")
        elif path in NON_NEGATIVE and isinstance(value, int | float) and not value >= 0:
            raise ConfigError(f"{where}: {name} must be 0 or more (the default is {want!r}), "
                              f"got {value!r}; a limit cannot be negative.")


#: tables whose numbers are limits: never negative (nor NaN)
NON_NEGATIVE = frozenset({"limits", "writer"})

#: tables whose keys are open (a weight for any feature name)
FREE_FORM = frozenset({"weights", "summary_weights"})


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


@dataclass(frozen=True, eq=False, slots=True)
class Settings:
    """The one frozen settings tree: every shipped file, then the user's file, then
    overrides given in code. Built once and passed to the `Pipeline` and every stage;
    equal (and hashable) by content, so caches can be keyed by it.

    >>> s = Settings.load().replace(keypoints={"min_words": 8})
    >>> s.section("keypoints")["min_words"]
    8
    """

    tree: Mapping[str, Any]
    files: tuple[str, ...] = ()
    fingerprint: str = ""

    @classmethod
    def from_tree(cls, tree: Config, files: tuple[str, ...] = ()) -> Settings:
        text = json.dumps(tree, sort_keys=True, default=str)
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        return cls(_freeze(tree), files, digest)

    @classmethod
    def load(cls, user: Path | str | None | Literal["auto"] = "auto") -> Settings:
        """Shipped defaults with the user's file merged in: ``"auto"`` reads
        ``$TAKEAWAYS_CONFIG``, else ``~/.config/takeaways/config.toml``; None reads none."""
        tree = shipped()
        root = resources.files("takeaways")
        files = tuple(str(root.joinpath(name)) for name in SHIPPED_FILES)
        path = user_config_path() if user == "auto" else (Path(user) if user else None)
        if path is not None:
            over = _read_toml(path)
            check(over, tree, str(path))
            tree = merge(tree, over)
            files += (str(path),)
        return cls.from_tree(tree, files)

    def replace(self, **sections: Mapping[str, Any]) -> Settings:
        """A copy with some keys of some sections overridden (checked like a user file):
        ``settings.replace(keypoints={"mmr_lambda": 0.5})``."""
        over = _thaw(dict(sections))
        tree = self.to_dict()
        check(over, tree, "Settings.replace()")
        return Settings.from_tree(merge(tree, over), self.files)

    def section(self, name: str) -> Config:
        """One section as plain (mutable, copied) values; ``{}`` when there is none."""
        value = self.tree.get(name, {})
        return dict(_thaw(value))

    def to_dict(self) -> Config:
        return dict(_thaw(self.tree))

    def to_toml(self) -> str:
        return to_toml(self.to_dict())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Settings) and other.fingerprint == self.fingerprint

    def __hash__(self) -> int:
        return hash(self.fingerprint)


@lru_cache(maxsize=1)
def default_settings() -> Settings:
    """The settings used when none are passed: shipped defaults plus the user's file."""
    return Settings.load()


_ACTIVE: ContextVar[Settings | None] = ContextVar("takeaways_settings", default=None)


def active() -> Settings:
    """The settings of the stage that is running (see `use`), else `default_settings()`."""
    return _ACTIVE.get() or default_settings()


@contextmanager
def use(settings: Settings | None) -> Iterator[Settings]:
    """Run a stage under ``settings``: every reader below it (`section`, the key-point
    and audit settings) sees them. Stages call this with the ``settings=`` they are given;
    None keeps the settings already active."""
    if settings is None:
        yield active()
        return
    token = _ACTIVE.set(settings)
    try:
        yield settings
    finally:
        _ACTIVE.reset(token)


def clear_cache() -> None:
    """Forget the default settings (after changing ``$TAKEAWAYS_CONFIG`` or its file)."""
    shipped.cache_clear()
    default_settings.cache_clear()


def load_config() -> Config:
    """The effective settings as plain values (shipped files + the user's file)."""
    return active().to_dict()


def section(name: str) -> Config:
    """One section of the active settings, e.g. ``section("limits")`` (a copy)."""
    return active().section(name)


def files_read() -> list[str]:
    """The settings files behind the default settings: shipped ones, then the user's."""
    return list(default_settings().files)


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else json.dumps(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise ConfigError(f"cannot write a {type(value).__name__} setting as TOML: {value!r}")


def to_toml(config: Config, prefix: str = "") -> str:
    """Settings as TOML text that `tomllib` reads back to the same values."""
    head = f"[{prefix}]\n" if prefix else ""
    body = "".join(f"{_key(k)} = {_value(v)}\n" for k, v in config.items()
                   if not isinstance(v, dict))
    parts = [head + body] if head or body else []
    for k, v in config.items():
        if isinstance(v, dict):
            parts.append(to_toml(v, f"{prefix}.{_key(k)}" if prefix else _key(k)))
    return "\n".join(parts)
