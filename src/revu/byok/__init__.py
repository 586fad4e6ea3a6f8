"""BYOK: where a slot's configuration comes from (the environment in Fixed Mode, or an org's)."""

from __future__ import annotations

from revu.byok._env import SettingsError, fixed_mode, read_environment, routing_from_env

__all__ = ["SettingsError", "fixed_mode", "read_environment", "routing_from_env"]
