"""Every workflow of the project.  ``nox`` alone runs every check.

    nox              lint, package tests, code blocks, strict site build, browser tests
    nox -s serve     build the book and serve it on http://127.0.0.1:8000
    nox -s tests     the package tests only (and the PyTorch cross-checks)

Sessions use uv to create their environments when uv is installed and fall
back to virtualenv otherwise.
"""

import glob
import os
import shutil
import sys

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = False
nox.options.error_on_missing_interpreters = True

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


@nox.session(default=False)
def serve(session):
    """Build the book and serve it on http://127.0.0.1:8000 (Ctrl-C stops it)."""
    session.install("-e", ".[docs]")
    session.run("mkdocs", "serve", "--dev-addr", "127.0.0.1:8000", *session.posargs)
