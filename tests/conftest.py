"""Fixtures shared by the book, site and browser tests.

Imports beyond the standard library and pytest stay inside the fixtures: the
package tests load this file too, in an environment without mkdocs.
"""

import os
import pathlib
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[1]
SITE_ENV = "RNNBOOK_SITE_DIR"
LANGUAGES = {"zh": "", "en": "en/"}  # language -> URL prefix in the built site


def nav_sources(config_path=REPO / "mkdocs.yml"):
    """The docs-relative source paths of the pages in mkdocs.yml's nav, in order."""
    if str(REPO / "tools") not in sys.path:
        sys.path.insert(0, str(REPO / "tools"))
    import mkdocs_config  # tools/ is not a package

    return mkdocs_config.nav_sources(config_path)


def page_url(src):
    """The directory URL of a page, relative to its language's root."""
    stem = src.rsplit(".", 1)[0]
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


@pytest.fixture(scope="session")
def repo_root():
    return REPO


@pytest.fixture(scope="session")
def nav_pages():
    """[(src, url)] for every page of the nav, e.g. ("rnn/model.md", "rnn/model/")."""
    return [(src, page_url(src)) for src in nav_sources()]


@pytest.fixture(scope="session")
def site_dir():
    """The built site: $RNNBOOK_SITE_DIR, or site/ after `mkdocs build`."""
    configured = os.environ.get(SITE_ENV)
    path = pathlib.Path(configured or REPO / "site")
    if not path.is_absolute():
        path = REPO / path
    if not (path / "index.html").is_file():
        message = f"no built site in {path} (run `nox -s docs`, or set {SITE_ENV})"
        if configured:
            pytest.fail(message)
        pytest.skip(message)
    return path
