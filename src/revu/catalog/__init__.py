"""The catalog: providers, plans, models, quirks, prices and curated cards (pure data).

Its only I/O is reading the user's `providers.toml` in `load_catalog()`.
"""

from __future__ import annotations

from revu.catalog._catalog import BUILTIN_CATALOG, Catalog, load_catalog
from revu.catalog._model import (
    Card,
    Model,
    ModelProfile,
    Plan,
    Price,
    Provider,
    Source,
    Thinking,
    ThinkingStyle,
    Wire,
)
from revu.catalog._user import CatalogError, config_dir, providers_file

__all__ = [
    "BUILTIN_CATALOG",
    "Card",
    "Catalog",
    "CatalogError",
    "Model",
    "ModelProfile",
    "Plan",
    "Price",
    "Provider",
    "Source",
    "Thinking",
    "ThinkingStyle",
    "Wire",
    "config_dir",
    "load_catalog",
    "providers_file",
]
