"""Settings: a shipped TOML defaults file plus optional user overrides.

Overrides come from the file named by ``$TAKEAWAYS_CONFIG`` or from
``~/.config/takeaways/config.toml``. Sections merge key by key.
"""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from takeaways.errors import ConfigError

Config = dict[str, Any]


def _merge(base: Config, over: Config) -> Config:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
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


def _user_config_path() -> Path | None:
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
    user = _user_config_path()
    if user is not None:
        config = _merge(config, _read_toml(user))
    return config


def section(name: str) -> Config:
    """One section of the configuration, e.g. ``section("limits")``."""
    return dict(load_config().get(name, {}))
