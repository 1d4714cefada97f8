"""The installed version of an Adapt distribution. One source: clients/python/VERSION, which both pyprojects
read (setuptools dynamic metadata); at run time it comes from the installed metadata."""
from __future__ import annotations

from importlib import metadata
from pathlib import Path

CHECKOUT_VERSION_FILE = Path(__file__).resolve().parents[1] / "VERSION"  # clients/python/VERSION in a checkout


def distribution_version(name: str) -> str:
    """The version pip installed of `name` ("adapt-sdk", "adapt-server"); from a checkout that pip never
    installed (modules on PYTHONPATH only), the checkout's VERSION file; "0+unknown" when neither exists."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        if CHECKOUT_VERSION_FILE.is_file():
            return CHECKOUT_VERSION_FILE.read_text(encoding="utf-8").strip()
        return "0+unknown"
