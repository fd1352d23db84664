"""Every workflow of the project.  ``nox`` alone runs every check.

    nox              lint, package tests, code blocks, strict site build, browser tests
    nox -s serve     build the book and serve it on http://127.0.0.1:8000
    nox -s tests     the package tests only (and the PyTorch cross-checks)
    nox -s book      every code block of the book, and the book's own tests
    nox -s docs      `mkdocs build --strict` into site/, then the built-site tests
    nox -s browser   the built site in Debian's headless Chromium

Sessions use uv to create their environments when uv is installed and fall
back to virtualenv otherwise.
"""

import glob
import os
import shutil
import subprocess
import sys

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = False
nox.options.error_on_missing_interpreters = True
nox.options.sessions = ["lint", "tests", "book", "docs", "browser"]

# mkdocs-material 9.8 prints a banner about MkDocs 2 on every build.
MKDOCS_ENV = {"NO_MKDOCS_2_WARNING": "1"}
# The browser tests drive Debian's Chromium; Playwright never downloads one.
CHROMIUM = "/usr/bin/chromium"

# The PyTorch release the cross-checks pin.  A CPU build of it lies in a local
# wheel folder on the project's machines; PyPI's default Linux build of torch
# pulls several GB of CUDA libraries, so we never ask an index for it.
TORCH_VERSION = "2.13.0"
PY_TAG = f"cp{sys.version_info.major}{sys.version_info.minor}"


def local_torch_wheel():
    """A local CPU wheel of TORCH_VERSION for this Python, or None."""
    folders = os.environ.get("PIP_FIND_LINKS", "").split() + ["/opt/wheels"]
    for folder in folders:
        pattern = os.path.join(folder, f"torch-{TORCH_VERSION}+cpu-{PY_TAG}-{PY_TAG}-*.whl")
        for wheel in sorted(glob.glob(pattern)):
            return wheel
    return None


def install_torch(session):
    wheel = os.environ.get("RNNBOOK_TORCH_WHEEL") or local_torch_wheel()
    if wheel:
        session.install(wheel)
    else:
        session.warn(
            f"no local CPU wheel of torch {TORCH_VERSION} for {PY_TAG}: the PyTorch "
            "cross-checks will be skipped (set RNNBOOK_TORCH_WHEEL to a wheel to run them)"
        )


@nox.session
def lint(session):
    """Static checks: ruff on the package, the tests and the tooling."""
    session.install("ruff==0.14.0")
    session.run("ruff", "check", "rnnbook", "tests", "tools", "noxfile.py")


@nox.session
def tests(session):
    """The package tests, with the PyTorch cross-checks where torch can be installed."""
    session.install("-e", ".[test]")
    install_torch(session)
    session.run("pytest", "tests/package", *session.posargs)


@nox.session
def book(session):
    """Every Python block of the book runs; the book's structure tests pass.

    pytest-codeblocks would also run ```bash blocks; the plugin given with -p
    leaves them out (the book's shell lines are for readers, not for CI).
    """
    session.install("-e", ".[test]")
    # the conventions appendix checks rnnbook against torch.nn.LSTM/GRU
    install_torch(session)
    # first the fast checks of the sources (a fence that would not run, a
    # printed function that drifted from rnnbook, a zh/en mismatch) ...
    session.run("pytest", "tests/book", *session.posargs)
    # ... then every Python block, zh and en, and the README's example
    session.run(
        "python", "-m", "pytest", "-p", "tests.book.python_blocks_only",
        "--codeblocks", "docs", "README.md",
    )


@nox.session
def docs(session):
    """Build the site strictly into site/ and test what was built."""
    session.install("-e", ".[docs,test]")
    session.run("mkdocs", "build", "--strict", "--site-dir", "site", env=MKDOCS_ENV)
    session.run("pytest", "tests/site", *session.posargs, env={"RNNBOOK_SITE_DIR": "site"})


def ensure_chromium(session):
    """Debian's Chromium at CHROMIUM, installed with apt-get if missing.

    Returns a reason when it cannot be had, None when it is there.
    """
    if os.access(CHROMIUM, os.X_OK):
        return None
    if not shutil.which("apt-get") or not hasattr(os, "geteuid") or os.geteuid() != 0:
        return f"{CHROMIUM} is missing and only root on Debian can apt-get install it"
    session.log(f"{CHROMIUM} is missing: installing Debian's chromium with apt-get")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
        if subprocess.run(command, env=env, stdin=subprocess.DEVNULL).returncode != 0:
            return f"`{' '.join(command)}` failed"
    if not os.access(CHROMIUM, os.X_OK):
        return f"apt-get installed chromium but {CHROMIUM} is not there"
    return None


@nox.session
def browser(session):
    """The built site in headless Chromium: clean loads, math, language, search."""
    reason = ensure_chromium(session)
    if reason:
        if os.environ.get("CI"):
            session.error(f"browser tests cannot run: {reason}")
        session.warn(f"!!! BROWSER TESTS SKIPPED: {reason} !!!")
        session.skip(reason)
    session.install("-e", ".[docs,browser]")
    site = os.path.join(session.create_tmp(), "site")
    session.run("mkdocs", "build", "--strict", "--quiet", "--site-dir", site, env=MKDOCS_ENV)
    session.run(
        "pytest", "tests/browser", *session.posargs,
        env={"RNNBOOK_SITE_DIR": site, "RNNBOOK_CHROMIUM": CHROMIUM},
    )


@nox.session(default=False)
def serve(session):
    """Build the book and serve it on http://127.0.0.1:8000 (Ctrl-C stops it)."""
    session.install("-e", ".[docs]")
    session.run(
        "mkdocs", "serve", "--dev-addr", "127.0.0.1:8000", *session.posargs, env=MKDOCS_ENV
    )
