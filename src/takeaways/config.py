"""Settings: a shipped TOML defaults file plus optional user overrides.

Overrides come from the file named by ``$TAKEAWAYS_CONFIG`` or from
``~/.config/takeaways/config.toml``. Sections merge key by key.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

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
    """The user's config file that `load_config` reads, or None when there is none."""
    env = os.environ.get("TAKEAWAYS_CONFIG")
    if env:
        return Path(env)
    home = Path.home() / ".config" / "takeaways" / "config.toml"
    return home if home.is_file() else None


@lru_cache(maxsize=1)
def load_config() -> Config:
    """The effective configuration (defaults merged with the user's file), cached."""
    text = resources.files("takeaways").joinpath("data/defaults.toml").read_text("utf-8")
    config = tomllib.loads(text)
    user = user_config_path()
    if user is not None:
        config = merge(config, _read_toml(user))
    return config


def section(name: str) -> Config:
    """One section of the configuration, e.g. ``section("limits")``."""
    return dict(load_config().get(name, {}))


def overlay(name: str, shipped: Config) -> Config:
    """The shipped settings of section ``name`` with the user's ``[name]`` keys merged in.

    A key the shipped section does not have is a `ConfigError` naming the file, the key and
    the allowed keys (a typo would otherwise be ignored silently). Free-form tables (such
    as ``weights``) may hold any key.
    """
    user = dict(load_config().get(name, {}))
    unknown = sorted(k for k in user if k not in shipped)
    if unknown:
        where = user_config_path() or "the user config"
        raise ConfigError(
            f"{where}: unknown key {unknown[0]!r} in [{name}]; allowed keys: "
            f"{', '.join(sorted(shipped))}. Remove or rename it."
        )
    return merge(shipped, user)


#: the shipped settings files, in the order they are read (the user's file comes last)
SHIPPED_FILES = ("data/defaults.toml", "data/keypoints.toml", "data/audit.toml")


def files_read() -> list[str]:
    """The settings files behind the effective settings: shipped ones, then the user's."""
    root = resources.files("takeaways")
    out = [str(root.joinpath(name)) for name in SHIPPED_FILES]
    user = user_config_path()
    if user is not None:
        out.append(str(user))
    return out


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
