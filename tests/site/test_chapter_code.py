"""Each chapter's code, as the built site offers it (tools/chapter_code.py).

- Every page with Python code (the home page apart) links ``<stem>.py`` and
  ``<stem>.ipynb`` beside its title, in both languages, and the files are
  there; a page without code links none.
- The files hold the page's blocks in order, the page's headings in the page's
  language, and a notebook without outputs.
- Every Python block has its id; a block that continues an earlier one, and
  only such a block, has the 接上文 / "continues above" label linking to the
  block before it in its chain.
- Every page's code runs to the end against the installed rnnbook (in
  parallel processes): the Chinese page's script and the English page's
  notebook, so each language's code and each format runs once per page (a
  page's two files hold the same blocks, checked above, and twin pages the
  same code, checked by tests/book/test_parity.py); one that raises fails.
- What the build does with blocks the book's tests skip or expect to fail,
  on a small page made up for it.
"""

import concurrent.futures
import hashlib
import html
import json
import os
import pathlib
import re
import subprocess
import sys
import textwrap
import time

import pytest
from sitehtml import CJK

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools"))

import book_markdown  # noqa: E402 - tools/ is not a package
import chapter_code  # noqa: E402
import notebook_cache  # noqa: E402

DOCS = REPO / "docs"
PRINT_MARKER = "<!-- rnnbook-print-edition -->"
LANGUAGE_PREFIX = {"zh": "", "en": "en/"}
RUN_LOG = REPO / "artifacts" / "chapter-code" / "runs.txt"
RUN_TIMEOUT = 600  # seconds, per file
# Files that ran to the end, keyed by what their run depends on: the file's
# bytes, every file of rnnbook, the pinned versions and the Python version
# (notebook_cache.dependencies_digest).  A warm `nox -s docs` runs only what
# changed; `nox -s docs -- --fresh` and a clean checkout (CI) run everything.
RUN_CACHE = pathlib.Path(os.environ.get("RNNBOOK_CHAPTER_CODE_CACHE")
                         or REPO / ".cache" / "chapter-code")
DOWNLOAD_LINK = re.compile(
    r'<a href="(?P<href>[^"]+)" download="(?P<name>[^"]+)" '
    r'class="md-content__button md-icon rnnbook-code-download"')
CONTINUES_LABEL = re.compile(
    r'<p class="rnnbook-continues"><a href="#(?P<target>code-\d+)"[^>]*>(?P<text>[^<]+)</a></p>'
    r'<div id="(?P<id>code-\d+)"[^>]*\bdata-continues="(?P<continues>code-\d+)"')
BLOCK_ID = re.compile(r'<div id="(code-\d+)"')
RUN_NOTEBOOK = textwrap.dedent("""\
    import sys
    import nbclient
    import nbformat

    book = nbformat.read(sys.argv[1], as_version=4)
    nbclient.NotebookClient(book, timeout=600, kernel_name="python3").execute()
    """)


def source_pages():
    """[(docs-relative source, language, site folder)] of every Markdown page."""
    found = []
    for path in sorted(DOCS.rglob("*.md")):
        if "assets" in path.parts or PRINT_MARKER in path.read_text("utf-8"):
            continue  # the print edition holds every page, download links too
        relative = path.relative_to(DOCS).as_posix()
        language = "en" if relative.endswith(".en.md") else "zh"
        stem = relative[: -len(".en.md")] if language == "en" else relative[: -len(".md")]
        folder = "" if stem == "index" else stem + "/"
        found.append((path, language, LANGUAGE_PREFIX[language] + folder))
    return found


def offers_code(path):
    stem = path.name.split(".")[0]
    return stem != "index" and any(not chain.skipped
                                   for chain in book_markdown.python_chains(path))


def shown_blocks(path):
    """The code of each block the downloads hold, in order: a chain that is
    expected to raise is commented out there, a skipped one left out."""
    return [("".join(f"# {line}".rstrip() + "\n" for line in block.code.splitlines())
             if chain.expects_error else block.code)
            for chain in book_markdown.python_chains(path) if not chain.skipped
            for block in chain.blocks]


@pytest.fixture(scope="module")
def chapters(site_dir):
    """[(source, language, site folder, stem)] of the pages that offer their code."""
    found = [(path, language, site_dir / folder, path.name.split(".")[0])
             for path, language, folder in source_pages() if offers_code(path)]
    assert len(found) >= 10, f"only {len(found)} pages with code found"
    return found


def test_pages_with_code_link_both_downloads(site_dir):
    problems, checked = [], 0
    for path, language, folder in source_pages():
        page = site_dir / folder / "index.html"
        if not page.is_file():
            problems.append(f"{folder}: no page")
            continue
        links = [(m["href"], m["name"]) for m in DOWNLOAD_LINK.finditer(page.read_text("utf-8"))]
        if not offers_code(path):
            if links:
                problems.append(f"{folder}: downloads {links} on a page without code")
            continue
        checked += 1
        stem = path.name.split(".")[0]
        wanted = [(f"{stem}.ipynb", f"{stem}.ipynb"), (f"{stem}.py", f"{stem}.py")]
        if links != wanted:
            problems.append(f"{folder}: download links {links}, expected {wanted}")
        for href, _ in links:
            if not (site_dir / folder / href).is_file():
                problems.append(f"{folder}: {href} is not in the built site")
    assert checked >= 10, f"only {checked} pages with downloads checked"
    assert not problems, "\n".join(problems)


def test_downloads_hold_the_page_blocks_in_order_in_its_language(chapters):
    problems = []
    for path, language, folder, stem in chapters:
        script = (folder / f"{stem}.py").read_text("utf-8")
        notebook = json.loads((folder / f"{stem}.ipynb").read_text("utf-8"))
        blocks = shown_blocks(path)
        # the script: every block, in order
        position = 0
        for index, code in enumerate(blocks, 1):
            found = script.find(code, position)
            if found < 0:
                problems.append(f"{path.name}: block {index} is not in {stem}.py "
                                "(or not in order)")
                break
            position = found + len(code)
        # the notebook: one code cell per block, no outputs
        cells = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
        sources = ["".join(cell["source"]) for cell in cells]
        if len(sources) != len(blocks) or not all(
                source.endswith(code.rstrip("\n")) for source, code in zip(sources, blocks)):
            problems.append(f"{path.name}: the code cells of {stem}.ipynb are not its blocks")
        if any(cell["outputs"] or cell["execution_count"] is not None for cell in cells):
            problems.append(f"{path.name}: {stem}.ipynb has outputs")
        # headings in the page's language: every section that has code is there
        markdown = "\n".join("".join(cell["source"]) for cell in notebook["cells"]
                             if cell["cell_type"] == "markdown")
        title = next(title for level, _, title in book_markdown.page_headings(path)
                     if level == 1)
        comments = "\n".join(line for line in script.splitlines() if line.startswith("#"))
        if not comments.startswith(f"# {title}") or not markdown.startswith(f"# {title}"):
            problems.append(f"{path.name}: the files do not start with the title {title!r}")
        wanted_cjk = language == "zh"
        if bool(CJK.search(comments)) != wanted_cjk or bool(CJK.search(markdown)) != wanted_cjk:
            problems.append(f"{path.name}: the comments of the {language} files are not in "
                            f"{'Chinese' if wanted_cjk else 'English'}")
        sections = {title for level, _, title in book_markdown.page_headings(path) if level > 1}
        shown = set(re.findall(r"^# #{2,6} (.*)$", script, re.M))
        if not shown or not shown <= sections:
            problems.append(f"{path.name}: heading comments {sorted(shown - sections)} "
                            "are not the page's")
    assert not problems, "\n".join(problems)


def test_continuation_blocks_are_labelled(chapters, site_dir):
    problems, labels = [], 0
    for path, language, _, _ in chapters:
        folder = next(site_dir / f for p, _, f in source_pages() if p == path)
        page = (folder / "index.html").read_text("utf-8")
        chains = book_markdown.python_chains(path)
        blocks = sorted((block for chain in chains for block in chain.blocks),
                        key=lambda block: block.line)
        number = {block.line: n for n, block in enumerate(blocks, 1)}
        wanted = {f"code-{number[later.line]}": f"code-{number[earlier.line]}"
                  for chain in chains for earlier, later in zip(chain.blocks, chain.blocks[1:])}
        found = {}
        for match in CONTINUES_LABEL.finditer(page):
            found[match["id"]] = match["target"]
            if match["target"] != match["continues"]:
                problems.append(f"{path.name}: the label of {match['id']} links elsewhere")
            if match["text"] != chapter_code.TEXT[language]["continues"]:
                problems.append(f"{path.name}: label {match['text']!r} in a {language} page")
        if found != wanted:
            problems.append(f"{path.name}: labels {found}, expected {wanted}")
        if page.count('class="rnnbook-continues"') != len(wanted):
            problems.append(f"{path.name}: labels beside blocks that run alone")
        ids = BLOCK_ID.findall(page)
        if ids != [f"code-{n}" for n in range(1, len(blocks) + 1)]:
            problems.append(f"{path.name}: block ids {ids}")
        labels += len(found)
    assert labels >= 40, f"only {labels} continuation labels found"
    assert not problems, "\n".join(problems)


OUTPUT_BLOCK = re.compile(
    r'<p class="rnnbook-output-label">(?P<label>[^<]*)</p>'
    r'<div class="no-copy rnnbook-output highlight"><pre><span></span><code>(?P<text>.*?)</code>',
    re.S)


def test_outputs_are_labelled_and_not_code(site_dir):
    """Every output a page shows is the labelled, uncoloured, uncopied block
    (tools/chapter_code.py), holding the text of the source, in its order."""
    problems, shown = [], 0
    for path, language, folder in source_pages():
        page = (site_dir / folder / "index.html").read_text("utf-8")
        wanted = [chain.expected_output for chain in book_markdown.python_chains(path)
                  if chain.output is not None]
        found = [(m["label"], html.unescape(m["text"])) for m in OUTPUT_BLOCK.finditer(page)]
        label = chapter_code.TEXT[language]["output"]
        if found != [(label, text) for text in wanted]:
            problems.append(f"{folder}: outputs {found}, expected {wanted} labelled {label!r}")
        if page.count("rnnbook-output highlight") != len(wanted):
            problems.append(f"{folder}: an output without its label")
        shown += len(found)
    assert shown >= 30, f"only {shown} outputs found"
    assert not problems, "\n".join(problems)


def run(path, workdir):
    """(seconds, None or the error) of running one script or notebook."""
    command = ([sys.executable, str(path)] if path.suffix == ".py"
               else [sys.executable, "-c", RUN_NOTEBOOK, str(path)])
    environment = dict(os.environ, OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg")
    start = time.monotonic()
    try:
        done = subprocess.run(command, cwd=workdir, env=environment, capture_output=True,
                              text=True, timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        return time.monotonic() - start, f"did not finish in {RUN_TIMEOUT} s"
    seconds = time.monotonic() - start
    if done.returncode != 0:
        return seconds, f"exit status {done.returncode}:\n{done.stderr[-3000:]}"
    return seconds, None


def run_key(path, dependencies):
    digest = hashlib.sha256(b"rnnbook-chapter-code 1\0" + dependencies.encode())
    digest.update(path.suffix.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


# which download of a page runs, by the page's language (see the docstring)
RUN_FORMAT = {"zh": ".py", "en": ".ipynb"}


def test_every_page_code_runs(chapters, site_dir, tmp_path):
    files = [folder / f"{stem}{RUN_FORMAT[language]}" for _, language, folder, stem in chapters]
    assert {path.suffix for path in files} == {".py", ".ipynb"}
    dependencies = notebook_cache.dependencies_digest(REPO)
    keys = {path: run_key(path, dependencies) for path in files}
    ran_before = {path for path, key in keys.items() if (RUN_CACHE / key).is_file()}
    workers = max(2, os.cpu_count() or 1)
    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        futures = {}
        for index, path in enumerate(files):
            if path in ran_before:
                continue
            workdir = tmp_path / str(index)  # a script that writes files writes them here
            workdir.mkdir()
            futures[path] = pool.submit(run, path, workdir)
        results = {path: future.result() for path, future in futures.items()}
    total = time.monotonic() - start
    RUN_CACHE.mkdir(parents=True, exist_ok=True)
    for path, (_, error) in results.items():
        if error is None:
            (RUN_CACHE / keys[path]).write_text(str(path.relative_to(site_dir)) + "\n")
    RUN_LOG.parent.mkdir(parents=True, exist_ok=True)
    RUN_LOG.write_text(
        f"{len(results)} of {len(files)} files run in {total:.0f} s with {workers} processes "
        f"at a time; {len(ran_before)} ran to the end before with the same bytes, rnnbook, "
        f"pinned versions and Python ({RUN_CACHE})\n"
        + "".join(f"{seconds:7.1f} s  {'ok' if error is None else 'FAILED'}  "
                  f"{path.relative_to(site_dir)}\n"
                  for path, (seconds, error) in results.items()), encoding="utf-8")
    failed = [f"{path.relative_to(site_dir)}: {error}"
              for path, (_, error) in results.items() if error is not None]
    assert not failed, f"{len(failed)} of {len(files)} downloads fail:\n" + "\n\n".join(failed)


SAMPLE = textwrap.dedent("""\
    # 1 A page

    ## 1.1 Runs

    ```python
    a = 1
    ```

    <!--pytest-codeblocks:cont-->
    ```python
    b = a + 1
    print(b)
    ```

    <!--pytest-codeblocks:expected-output-->
    ```text
    2
    ```

    ## 1.2 Shows an error

    <!--pytest.mark.xfail-->
    ```python
    raise ValueError("shown on the page")
    ```

    <!--pytest-codeblocks:cont-->
    ```python
    print("never reached")
    ```

    ## 1.3 Needs what is not there

    <!--pytest-codeblocks:skip-->
    ```python
    import not_installed
    ```

    ```python
    assert b == 2
    ```
    """)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_skipped_and_failing_blocks(tmp_path, language):
    page = tmp_path / "page.md"
    page.write_text(SAMPLE, encoding="utf-8")
    code = chapter_code.PageCode(page, SAMPLE)
    text = chapter_code.TEXT[language]
    script = chapter_code.script(code, text, "https://example.org/page/", "page")
    notebook = json.loads(chapter_code.notebook(code, text, "https://example.org/page/",
                                                "page", language))
    # the xfail chain is commented out, with a note; the skipped one is left out, with a note
    assert "# raise ValueError" in script and "# print(\"never reached\")" in script
    assert text["expects_error"].format(numbers="3, 4") in script
    assert "not_installed" not in script
    assert text["skipped"].format(numbers="5", why="pytest.mark.skip") in script
    assert "#     2" in script  # the expected output, as a comment
    cells = ["".join(cell["source"]) for cell in notebook["cells"]]
    assert not any("not_installed" in cell for cell in cells)
    assert any(text["skipped"].format(numbers="5", why="`pytest.mark.skip`") in cell
               for cell in cells)
    # ... and both still run to the end
    (tmp_path / "page.py").write_text(script, encoding="utf-8")
    (tmp_path / "page.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    for name in ("page.py", "page.ipynb"):
        seconds, error = run(tmp_path / name, tmp_path)
        assert error is None, f"{name}: {error}"
    # run() does see an exception
    (tmp_path / "raises.py").write_text("raise ValueError('seen')\n", encoding="utf-8")
    assert "ValueError: seen" in run(tmp_path / "raises.py", tmp_path)[1]
    # the page itself: ids on the blocks, the block before named on each continuation
    marked = code.markdown(SAMPLE)
    assert "```{.python #code-2 data-continues=\"code-1\"}" in marked
    assert "```{.python #code-4 data-continues=\"code-3\"}" in marked
    assert marked.count("#code-") == 6


def test_a_run_is_reused_only_for_the_same_file_and_dependencies(tmp_path):
    script = tmp_path / "bptt.py"
    script.write_text("print(1)\n", encoding="utf-8")
    key = run_key(script, "rnnbook A")
    assert run_key(script, "rnnbook A") == key
    assert run_key(script, "rnnbook B") != key  # rnnbook, a pin or Python changed
    script.write_text("print(2)\n", encoding="utf-8")
    assert run_key(script, "rnnbook A") != key  # the page's code changed


OUTPUT_SAMPLE = textwrap.dedent("""\
    # 1 A page

    ```python
    a = 1
    print(a)
    ```

    <!--pytest-codeblocks:expected-output-->
    ```text
    1
    ```

    <!--pytest-codeblocks:cont-->
    ```python
    b = a + 1
    ```
    """)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_outputs_are_shown_as_outputs(tmp_path, language):
    """An output shown after the first block of a chain: set apart on the page,
    a comment or Markdown after that block in the downloads, never code."""
    page = tmp_path / "page.md"
    page.write_text(OUTPUT_SAMPLE, encoding="utf-8")
    code = chapter_code.PageCode(page, OUTPUT_SAMPLE)
    text = chapter_code.TEXT[language]
    markdown = code.markdown(OUTPUT_SAMPLE)
    assert "```{.text .no-copy .rnnbook-output}\n1\n```" in markdown
    html = ('<div id="code-1" class="highlight"></div>'
            '<div class="no-copy rnnbook-output highlight"><pre><code>1\n</code></pre></div>')

    class Page:
        class file:
            abs_src_path = "elsewhere.md"

    class Config:
        theme = {"language": language}

    content = chapter_code.on_page_content(html, Page, Config, None)
    assert f'<p class="rnnbook-output-label">{text["output"]}</p><div class="no-copy' in content
    script = chapter_code.script(code, text, "https://example.org/page/", "page")
    shown = script.index("#     1")
    assert script.index("print(a)") < shown < script.index("b = a + 1")
    notebook = json.loads(chapter_code.notebook(code, text, "https://example.org/page/",
                                                "page", language))
    cells = [(cell["cell_type"], "".join(cell["source"])) for cell in notebook["cells"]]
    kinds = [kind for kind, source in cells[1:]]
    assert kinds == ["code", "markdown", "code"]
    assert cells[2][1].endswith("```text\n1\n```") and "b = a + 1" in cells[3][1]
    (tmp_path / "page.py").write_text(script, encoding="utf-8")
    assert run(tmp_path / "page.py", tmp_path)[1] is None
