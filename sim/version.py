"""The installed distribution's version (from ``pyproject.toml`` via the package metadata).

It feeds the resume hash of sweeps and sensitivity analyses; ``sim.__version__`` reads it too.
"""

from __future__ import annotations

from functools import cache


@cache
def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("scaleup")
    except PackageNotFoundError:  # pragma: no cover - a source tree that is not installed
        return "0+unknown"
