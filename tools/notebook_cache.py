"""Executed notebooks, cached by what their outputs depend on (an MkDocs hook).

mkdocs-jupyter executes every notebook on every build, and its own cache
keys on the notebook file and the plugin's config only: it would serve
outputs computed by an older ``rnnbook`` (so mkdocs.yml turns it off).  This
hook wraps the function with which mkdocs-jupyter converts a notebook,
``mkdocs_jupyter.convert.nb2html``:

- The outputs of a notebook are looked up under a key, the SHA-256 of
  everything they depend on: the notebook's code cells (as Python's AST
  without docstrings, so comments and docstrings do not count, other strings
  and names do), its folder (the kernel's
  working directory), the kernel settings, every file of the ``rnnbook``
  package, ``requirements/constraints.txt`` (every pinned version) and the
  Python version.  Markdown cells are not part of the key: editing prose
  never re-executes.
- A hit merges the stored outputs into the notebook as it is now (its
  Markdown cells included); a miss executes the notebook with nbclient, as
  mkdocs-jupyter would, and stores the executed notebook under its key.
  mkdocs-jupyter then renders the executed notebook without executing it.
- The Chinese and English twins have the same code, comments aside, except
  one cell tagged ``labels`` that holds the strings of their language (plot
  titles, axis labels, legends; a test in tests/book enforces it).  So their
  keys differ, and each twin is executed with its own labels; but what is
  expensive is written ``rnnbook.notebook.remember(name, compute)``, and the
  kernel runs with ``RNNBOOK_REMEMBER`` naming a folder, ``shared/<key>``,
  whose key is the notebook's key *without* its ``labels`` cells: the same
  for both twins.  The twin built first computes and stores the result there,
  the second loads it, so each heavy computation runs once per build (see
  rnnbook/notebook.py).  Everything else a notebook does (printing, plotting)
  is quick and runs in each twin.  Their prose stays their own.
- The kernel's BLAS uses one thread: the notebooks' matrices are small, and
  two threads fighting over two cores with the kernel only slow it down.

The cache lives in ``.cache/notebooks/`` next to mkdocs.yml (gitignored), or
in the folder named by ``RNNBOOK_NOTEBOOK_CACHE``; ``nox -s docs -- --fresh``
empties it.  ``mkdocs serve`` and its live reload use the same cache.

MkDocs converts one page after another, so a cold build would execute the
notebooks one after another on one core.  Before it builds, ``nox`` runs

    python tools/notebook_cache.py prime [--jobs N]

which executes every notebook of docs/ that the cache lacks, a pair of twins
per worker (one computes, the other loads) and as many workers as there are
cores, and stores them as the build would: the build then finds them all.
"""

import ast
import hashlib
import json
import logging
import os
import pathlib
import platform
import sys
import tempfile
import time

log = logging.getLogger("mkdocs.hooks.notebook_cache")

CACHE_ENV = "RNNBOOK_NOTEBOOK_CACHE"
DEFAULT_CACHE = pathlib.Path(".cache") / "notebooks"
# What every notebook's outputs may depend on besides its own code, relative
# to the folder of mkdocs.yml: the package (its corpus files included) and
# every pinned version.
DEPENDENCIES = ["rnnbook", "requirements/constraints.txt"]
# Bumped when what this module stores changes shape.
FORMAT = "1"


def _without_docstrings(tree):
    """The tree without module, class and function docstrings."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if (body and isinstance(body[0], ast.Expr)
                    and isinstance(body[0].value, ast.Constant)
                    and isinstance(body[0].value.value, str)):
                node.body = body[1:] or [ast.Pass()]
    return tree


def _code_fingerprint(source):
    """A code cell as the kernel sees it: its AST without positions, so that
    comments and blank lines do not count, and without docstrings, which the
    twins translate as they translate comments (tests/book/test_parity.py
    allows both) and which change no output.  A cell that is not plain
    Python (an IPython magic) counts byte for byte."""
    try:
        return ast.dump(_without_docstrings(ast.parse(source)))
    except SyntaxError:
        return "raw:" + source


def _files_under(root, top):
    path = root / top
    if path.is_file():
        return [path]
    return sorted(
        p for p in path.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and not p.name.endswith(".pyc")
    )


def dependencies_digest(root):
    """SHA-256 over the paths and bytes of DEPENDENCIES and the Python version."""
    root = pathlib.Path(root)
    digest = hashlib.sha256()
    digest.update(f"{platform.python_implementation()} {sys.version}".encode())
    for top in DEPENDENCIES:
        files = _files_under(root, top)
        if not files:
            digest.update(f"missing:{top}".encode())
        for path in files:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


LABELS_TAG = "labels"
REMEMBER_ENV = "RNNBOOK_REMEMBER"  # read by rnnbook.notebook.remember
KERNEL_ENV = {"OPENBLAS_NUM_THREADS": "1"}


def is_labels_cell(cell):
    """A code cell tagged ``labels``: the strings of the notebook's language."""
    tags = cell.get("metadata", {}).get("tags", [])
    return cell["cell_type"] == "code" and LABELS_TAG in tags


def without_labels(notebook):
    """The notebook (as dicts) without its ``labels`` cells."""
    return {**notebook, "cells": [c for c in notebook["cells"] if not is_labels_cell(c)]}


def notebook_key(notebook, folder, root, kernel_name="", allow_errors=False, dependencies=None):
    """The cache key of a notebook (nbformat's JSON as dicts): what its
    outputs depend on, and nothing they do not.  Of
    ``without_labels(notebook)``, it names the results the twins share."""
    digest = hashlib.sha256(f"rnnbook-notebook-cache {FORMAT}".encode())
    digest.update((dependencies or dependencies_digest(root)).encode())
    digest.update(json.dumps([str(kernel_name), bool(allow_errors)]).encode())
    try:
        where = pathlib.Path(folder).resolve().relative_to(pathlib.Path(root).resolve())
    except ValueError:
        where = pathlib.Path(folder).resolve()
    digest.update(where.as_posix().encode() + b"\0")
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            source = cell["source"]
            source = "".join(source) if isinstance(source, list) else source
            digest.update(_code_fingerprint(source).encode() + b"\0")
    return digest.hexdigest()


def _execute(notebook, folder, kernel_name, allow_errors, shared):
    import nbclient

    client = nbclient.NotebookClient(
        notebook,
        kernel_name=kernel_name or "",
        allow_errors=allow_errors,
        store_widget_state=True,
        resources={"metadata": {"path": str(folder)}},
    )
    env = {**os.environ, **KERNEL_ENV, REMEMBER_ENV: str(shared)}
    client.execute(env=env)
    return notebook


def _write_atomically(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(text)
    os.replace(temporary, path)


def executed(notebook_path, root, cache_dir, kernel_name="", allow_errors=False):
    """The notebook at notebook_path with its outputs, and whether they came
    from the cache: (nbformat NotebookNode, True on a hit)."""
    import nbformat

    notebook_path = pathlib.Path(notebook_path)
    notebook = nbformat.reads(notebook_path.read_text(encoding="utf-8"), as_version=4)
    folder = notebook_path.parent
    key = notebook_key(notebook, folder, root, kernel_name, allow_errors)
    stored = pathlib.Path(cache_dir) / f"{key}.ipynb"
    if stored.is_file():
        cached = nbformat.reads(stored.read_text(encoding="utf-8"), as_version=4)
        code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
        done = [cell for cell in cached["cells"] if cell["cell_type"] == "code"]
        if len(code) == len(done):
            for cell, old in zip(code, done):
                cell["outputs"] = old.get("outputs", [])
                cell["execution_count"] = old.get("execution_count")
            # the kernel's language_info and the like
            notebook.metadata = nbformat.from_dict({**cached.metadata, **notebook.metadata})
            os.utime(stored)  # last used: what a clean-up would keep
            return notebook, True
    shared = pathlib.Path(cache_dir) / "shared" / notebook_key(
        without_labels(notebook), folder, root, kernel_name, allow_errors)
    result = _execute(notebook, folder, kernel_name, allow_errors, shared)
    _write_atomically(stored, nbformat.writes(result))
    return result, False


def cache_dir_for(root):
    configured = os.environ.get(CACHE_ENV)
    return pathlib.Path(configured) if configured else pathlib.Path(root) / DEFAULT_CACHE


def _cached_nb2html(original, root):
    def nb2html(nb_path, execute=False, kernel_name="", allow_errors=True, **options):
        if not execute or not str(nb_path).endswith(".ipynb"):
            return original(nb_path, execute=execute, kernel_name=kernel_name,
                            allow_errors=allow_errors, **options)
        import nbformat

        started = time.perf_counter()
        notebook, hit = executed(nb_path, root, cache_dir_for(root), kernel_name, allow_errors)
        if hit:
            log.info("notebook outputs from the cache: %s", nb_path)
        else:
            log.info("notebook executed in %.1f s and cached: %s",
                     time.perf_counter() - started, nb_path)
        # rendered, without executing it, from a copy outside docs/ (which
        # `mkdocs serve` watches: a file written there would rebuild again)
        handle, copy = tempfile.mkstemp(prefix="rnnbook-executed-", suffix=".ipynb")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(nbformat.writes(notebook))
            return original(copy, execute=False, kernel_name=kernel_name,
                            allow_errors=allow_errors, **options)
        finally:
            os.unlink(copy)

    nb2html._rnnbook_cached = True
    return nb2html


def on_config(config):
    from mkdocs_jupyter import convert

    if not getattr(convert.nb2html, "_rnnbook_cached", False):  # serve reloads hooks
        root = pathlib.Path(config.config_file_path or ".").resolve().parent
        convert.nb2html = _cached_nb2html(convert.nb2html, root)
    return config


def plugin_options(root):
    """(execute, kernel_name, allow_errors) of mkdocs-jupyter in mkdocs.yml,
    the options the build passes to nb2html (and so to the key)."""
    import mkdocs_config  # beside this file (not imported when MkDocs loads the hook)

    config = mkdocs_config.read(pathlib.Path(root) / "mkdocs.yml")
    for plugin in config.get("plugins") or []:
        if isinstance(plugin, dict) and "mkdocs-jupyter" in plugin:
            options = plugin["mkdocs-jupyter"] or {}
            # mkdocs-jupyter's defaults
            return (bool(options.get("execute", False)), options.get("kernel_name", ""),
                    bool(options.get("allow_errors", True)))
    return False, "", True


def _execute_twins(paths, root, cache_dir, kernel_name, allow_errors):
    """Execute and store paths one after another (twins: the first computes
    what they share, the next loads it).  Returns a line per notebook."""
    lines = []
    for path in paths:
        started = time.perf_counter()
        try:
            executed(path, root, cache_dir, kernel_name, allow_errors)
        except Exception as error:  # the build executes it again and reports it
            lines.append(f"FAILED {path}: {type(error).__name__}: {str(error)[-2000:]}")
            break
        lines.append(f"executed in {time.perf_counter() - started:5.1f} s: {path}")
    return lines


def prime(root, cache_dir, jobs=None):
    """Execute every notebook under root/docs whose outputs cache_dir lacks,
    twins in the same worker, up to jobs workers (one per core by default).
    Returns the lines the workers report; a line starting FAILED names a
    notebook that did not run to the end."""
    from concurrent.futures import ProcessPoolExecutor

    import nbformat

    root = pathlib.Path(root).resolve()
    execute, kernel_name, allow_errors = plugin_options(root)
    if not execute:
        return []
    dependencies = dependencies_digest(root)
    groups = {}
    for path in sorted((root / "docs").rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        notebook = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
        key = notebook_key(notebook, path.parent, root, kernel_name, allow_errors, dependencies)
        if (pathlib.Path(cache_dir) / f"{key}.ipynb").is_file():
            continue
        shared = notebook_key(without_labels(notebook), path.parent, root, kernel_name,
                              allow_errors, dependencies)
        groups.setdefault(shared, []).append(path)
    if not groups:
        return []
    # Largest notebooks first (they hold the long trainings), so that the
    # short ones fill in beside them rather than a long one running last.
    order = sorted(groups.values(), key=lambda paths: -sum(p.stat().st_size for p in paths))
    jobs = max(1, min(len(order), jobs or os.cpu_count() or 1))
    with ProcessPoolExecutor(jobs) as pool:
        done = [pool.submit(_execute_twins, paths, root, cache_dir, kernel_name, allow_errors)
                for paths in order]
        return [line for future in done for line in future.result()]


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(description="Execute the notebooks the cache lacks.")
    parser.add_argument("command", choices=["prime"])
    parser.add_argument("--root", default=".", help="the folder of mkdocs.yml")
    parser.add_argument("--jobs", type=int, default=None, help="workers (default: one per core)")
    options = parser.parse_args(argv)
    started = time.perf_counter()
    lines = prime(options.root, cache_dir_for(pathlib.Path(options.root).resolve()), options.jobs)
    for line in lines:
        print(f"notebook_cache: {line}", flush=True)
    ran = [line for line in lines if not line.startswith("FAILED")]
    print(f"notebook_cache: {len(ran)} notebooks executed in "
          f"{time.perf_counter() - started:.1f} s", flush=True)
    # a notebook that failed is left to the build, which reports it with its page
    return 0


if __name__ == "__main__":
    sys.exit(main())
