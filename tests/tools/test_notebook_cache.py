"""tools/notebook_cache.py: a notebook's outputs are reused only while
nothing they depend on has changed.

The main test builds a small MkDocs site, with mkdocs-jupyter and the hook as
mkdocs.yml registers them, around a notebook that prints what a function of
its own ``rnnbook`` package returns; changing that function and rebuilding
must change the page.  Another builds Chinese and English twins whose code
differs only in their ``labels`` cell: the expensive part, wrapped in
``rnnbook.notebook.remember``, runs once for both (a counter file says so),
each page shows its own labels, and a changed rnnbook runs it again.  The
others check the key: prose, comments and docstrings are not in it, code, pinned
versions, the kernel's folder and the labels are; the twins' shared key
leaves the labels out."""

import json
import os
import pathlib
import subprocess
import sys

import pytest

TOOLS = pathlib.Path(__file__).resolve().parents[2] / "tools"
sys.path.insert(0, str(TOOLS))

import notebook_cache  # noqa: E402 - tools/ is not a package

pytest.importorskip("mkdocs_jupyter", reason="nox -s docs installs mkdocs-jupyter")


def notebook(markdown, code, labels=None):
    def cell(kind, source, tags=()):
        extra = {"outputs": [], "execution_count": None} if kind == "code" else {}
        metadata = {"tags": list(tags)} if tags else {}
        return {"cell_type": kind, "metadata": metadata, "source": source, **extra}

    cells = [cell("markdown", markdown)]
    if labels is not None:
        cells.append(cell("code", labels, tags=["labels"]))
    return {
        "cells": cells + [cell("code", code)],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


# The notebook's kernel runs in docs/; the project's own rnnbook is one up.
CODE = (
    "import os, sys\n"
    "sys.path.insert(0, '..')  # {comment}\n"
    "import rnnbook\n"
    "assert os.path.samefile(rnnbook.__file__, '../rnnbook/__init__.py'), rnnbook.__file__\n"
    "print('the answer is', rnnbook.answer())\n"
)


@pytest.fixture
def project(tmp_path):
    """A book of one notebook: mkdocs.yml, docs/, rnnbook/, the constraints."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "rnnbook").mkdir()
    (tmp_path / "requirements").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    write_notebook(tmp_path, "Some prose.", "first")
    set_answer(tmp_path, 41)
    (tmp_path / "requirements" / "constraints.txt").write_text("numpy==2.0.0\n")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: cache test\n"
        f"hooks: [{json.dumps(str(TOOLS / 'notebook_cache.py'))}]\n"
        "plugins:\n"
        "  - mkdocs-jupyter:\n"
        "      execute: true\n"
        "      allow_errors: false\n"
        "      kernel_name: python3\n"
        "      cache: false\n",
        encoding="utf-8",
    )
    return tmp_path


def write_notebook(root, prose, comment):
    path = root / "docs" / "nb.ipynb"
    path.write_text(json.dumps(notebook(f"# A notebook\n\n{prose}\n",
                                        CODE.format(comment=comment))), encoding="utf-8")
    return path


def set_answer(root, value):
    (root / "rnnbook" / "__init__.py").write_text(
        f"def answer():\n    return {value}\n", encoding="utf-8")


def build(root):
    """`mkdocs build` of the project; returns the notebook's page and the cache's files."""
    env = dict(os.environ, RNNBOOK_NOTEBOOK_CACHE=str(root / "cache"))
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"],
                   cwd=root, env=env, check=True)
    page = (root / "site" / "nb" / "index.html").read_text(encoding="utf-8")
    return page, sorted((root / "cache").glob("*.ipynb"))


def test_a_changed_function_changes_the_output_and_prose_never_executes(project):
    page, cached = build(project)
    assert "the answer is 41" in page and len(cached) == 1
    # nbclient records when each cell ran: a second execution rewrites it
    executed = cached[0].read_bytes()
    assert b'"execution"' in executed

    # prose and comments changed: the stored outputs, under the new prose
    write_notebook(project, "Other prose.", "second")
    page, again = build(project)
    assert again == cached and cached[0].read_bytes() == executed
    assert "the answer is 41" in page and "Other prose." in page

    # the function the notebook calls changed: executed again, new output
    set_answer(project, 42)
    page, after = build(project)
    assert "the answer is 42" in page and "the answer is 41" not in page
    assert len(after) == 2


def key(root, code="x = 1\n", folder="docs", markdown="# prose"):
    return notebook_cache.notebook_key(notebook(markdown, code), root / folder, root, "python3")


def test_the_key_holds_code_versions_and_folder_not_prose_or_comments(project):
    first = key(project)
    assert key(project, markdown="# other prose") == first
    assert key(project, code="x = 1  # a comment\n\n") == first
    # a docstring is translated like a comment; any other string counts
    documented = 'def f():\n    """{}"""\n    return "{}"\n'
    assert key(project, code=documented.format("Doc.", "x")) == key(
        project, code=documented.format("说明。", "x"))
    assert key(project, code=documented.format("Doc.", "x")) != key(
        project, code=documented.format("Doc.", "y"))
    assert key(project, code="x = 2\n") != first
    assert key(project, code="x = '1'\n") != first
    assert key(project, folder="docs/other") != first
    (project / "requirements" / "constraints.txt").write_text("numpy==2.0.1\n")
    assert key(project) != first
    (project / "requirements" / "constraints.txt").write_text("numpy==2.0.0\n")
    assert key(project) == first
    (project / "rnnbook" / "corpus.txt").write_text("data the package reads\n")
    assert key(project) != first


def test_the_python_version_is_in_the_key(project, monkeypatch):
    first = key(project)
    monkeypatch.setattr(notebook_cache.sys, "version", sys.version + " (another build)")
    assert key(project) != first


# Twins: the same code but for the labels cell; the expensive part counts its runs.
TWIN_CODE = (
    "import sys\n"
    "sys.path.insert(0, '..')\n"
    "import rnnbook\n"
    "from rnnbook.notebook import remember\n"
    "\n"
    "def expensive():\n"
    "    with open('../runs.txt', 'a') as file:\n"
    "        file.write('run\\n')\n"
    "    return rnnbook.answer()\n"
    "\n"
    "print(LABEL, remember('answer', expensive))\n"
)


def write_twins(root):
    import shutil

    shutil.copy(TOOLS.parent / "rnnbook" / "notebook.py", root / "rnnbook" / "notebook.py")
    for name, label in (("twin.ipynb", "答案是"), ("twin.en.ipynb", "the answer is")):
        (root / "docs" / name).write_text(json.dumps(notebook(
            "# Twin\n", TWIN_CODE, labels=f"LABEL = {label!r}\n")), encoding="utf-8")


def twin_pages(root):
    return [(root / "site" / page / "index.html").read_text(encoding="utf-8")
            for page in ("twin", "twin.en")]


def test_twins_compute_once_and_keep_their_labels(project):
    write_twins(project)
    build(project)
    zh, en = twin_pages(project)
    assert "答案是 41" in zh and "the answer is 41" in en
    assert "the answer is" not in zh and "答案是" not in en
    runs = project / "runs.txt"  # the kernel runs in docs/
    assert runs.read_text().count("run") == 1  # computed for one twin, loaded by the other
    shared = list((project / "cache" / "shared").iterdir())
    assert len(shared) == 1 and [p.name for p in shared[0].iterdir()] == ["answer.pickle"]

    build(project)  # warm: both pages from the cache, nothing computed
    assert runs.read_text().count("run") == 1

    set_answer(project, 42)  # what the computation calls changed: computed again, once
    build(project)
    zh, en = twin_pages(project)
    assert "答案是 42" in zh and "the answer is 42" in en
    assert runs.read_text().count("run") == 2


def test_the_labels_are_in_the_key_but_not_in_the_shared_key(project):
    def keys(label):
        book = notebook("# prose", "print(LABEL)\n", labels=f"LABEL = {label!r}\n")
        return (notebook_cache.notebook_key(book, project / "docs", project, "python3"),
                notebook_cache.notebook_key(notebook_cache.without_labels(book),
                                            project / "docs", project, "python3"))

    (zh, zh_shared), (en, en_shared) = keys("答案"), keys("answer")
    assert zh != en and zh_shared == en_shared
    untagged = notebook("# prose", "print(LABEL)\n", labels="LABEL = 'x'\n")
    untagged["cells"][1]["metadata"] = {}
    assert notebook_cache.without_labels(untagged) == untagged


def test_prime_executes_what_the_cache_lacks_and_the_build_executes_nothing(project):
    """`notebook_cache.py prime` executes the notebooks in parallel workers,
    twins in one worker (the shared computation runs once); the build that
    follows takes every notebook from the cache; priming again runs nothing."""
    write_twins(project)
    env = dict(os.environ, RNNBOOK_NOTEBOOK_CACHE=str(project / "cache"))
    prime = [sys.executable, str(TOOLS / "notebook_cache.py"), "prime", "--jobs", "2"]
    done = subprocess.run(prime, cwd=project, env=env, capture_output=True, text=True,
                          check=True)
    assert "3 notebooks executed" in done.stdout, done.stdout
    runs = project / "runs.txt"
    assert runs.read_text().count("run") == 1
    stored = {path: path.read_bytes() for path in (project / "cache").glob("*.ipynb")}
    assert len(stored) == 3

    page, cached = build(project)
    assert "the answer is 41" in page
    zh, en = twin_pages(project)
    assert "答案是 41" in zh and "the answer is 41" in en
    # nothing executed again: the stored notebooks (which record when each
    # cell ran) are the ones prime wrote
    assert {path: path.read_bytes() for path in cached} == stored
    assert runs.read_text().count("run") == 1

    again = subprocess.run(prime, cwd=project, env=env, capture_output=True, text=True,
                           check=True)
    assert "0 notebooks executed" in again.stdout, again.stdout
