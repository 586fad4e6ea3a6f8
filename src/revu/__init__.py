"""revu: self-hostable AI code review that brings its own LLM key."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("revu")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0"

USER_AGENT = f"revu/{__version__}"

__all__ = ["USER_AGENT", "__version__"]
