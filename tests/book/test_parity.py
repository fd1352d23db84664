"""The zh and en versions of every page are twins.

Each docs/PATH.md has docs/PATH.en.md and the other way round (notebooks
too), and the twins have: the same headings, level by level, with the same
section numbers; the same equation tags in the same order; the same images in
the same order; the same Python blocks (same AST once docstrings and comments
are gone) behind the same pytest-codeblocks directives.  Only the language of
the prose, comments and docstrings may differ.
"""

import ast
import difflib
import io
import json
import re
import tokenize

import pytest
from booksource import (
    DOCS,
    REPO,
    english_twin,
    equation_tags,
    fences,
    headings,
    image_targets,
    is_english,
    markdown_pages,
    normalized,
    python_chains,
    notebook_cells,
    notebooks,
    page_headings,
    prose,
    unparsed,
)


def chinese_twin(path):
    return path.with_name(path.stem[: -len(".en")] + path.suffix)


SOURCES = markdown_pages() + notebooks()
ZH = [path for path in SOURCES if not is_english(path)]
PAIRS = [(zh, english_twin(zh)) for zh in ZH if english_twin(zh).exists()]
MD_PAIRS = [pair for pair in PAIRS if pair[0].suffix == ".md"]
NB_PAIRS = [pair for pair in PAIRS if pair[0].suffix == ".ipynb"]


def pair_id(pair):
    return str(pair[0].relative_to(DOCS))


def rel(path):
    return str(path.relative_to(REPO))


def test_every_page_has_its_twin():
    missing = [f"{rel(zh)} has no {english_twin(zh).name}" for zh in ZH
               if not english_twin(zh).exists()]
    missing += [f"{rel(en)} has no {chinese_twin(en).name}" for en in SOURCES
                if is_english(en) and not chinese_twin(en).exists()]
    assert not missing, "\n".join(missing)


def compare(what, zh_items, en_items, zh, en):
    if zh_items != en_items:
        diff = "\n".join(
            difflib.unified_diff(
                [str(item) for item in zh_items],
                [str(item) for item in en_items],
                fromfile=rel(zh),
                tofile=rel(en),
                lineterm="",
            )
        )
        pytest.fail(f"{what} differ between {rel(zh)} and {rel(en)}:\n{diff}", pytrace=False)


@pytest.mark.parametrize("pair", MD_PAIRS, ids=pair_id)
def test_same_heading_structure(pair):
    zh, en = pair
    shape = [(level, number) for level, number, _ in page_headings(zh)]
    other = [(level, number) for level, number, _ in page_headings(en)]
    compare("heading levels and section numbers", shape, other, zh, en)


@pytest.mark.parametrize("pair", MD_PAIRS, ids=pair_id)
def test_same_equation_tags(pair):
    zh, en = pair
    compare("equation tags", equation_tags(prose(zh)), equation_tags(prose(en)), zh, en)


@pytest.mark.parametrize("pair", MD_PAIRS, ids=pair_id)
def test_same_images(pair):
    zh, en = pair
    compare("image targets", image_targets(prose(zh)), image_targets(prose(en)), zh, en)


def python_blocks(path):
    return [fence for fence in fences(path) if fence.is_exact_python]


@pytest.mark.parametrize("pair", MD_PAIRS, ids=pair_id)
def test_same_code(pair):
    zh, en = pair
    zh_blocks, en_blocks = python_blocks(zh), python_blocks(en)
    compare(
        "Python blocks (line: directives)",
        [f"block {i + 1}: {block.directives}" for i, block in enumerate(zh_blocks)],
        [f"block {i + 1}: {block.directives}" for i, block in enumerate(en_blocks)],
        zh,
        en,
    )
    for zh_block, en_block in zip(zh_blocks, en_blocks):
        try:
            same = normalized(zh_block.code) == normalized(en_block.code)
        except SyntaxError as error:
            pytest.fail(f"{zh_block.where()} / {en_block.where()}: {error}", pytrace=False)
        if not same:
            diff = "\n".join(
                difflib.unified_diff(
                    unparsed(zh_block.code).splitlines(),
                    unparsed(en_block.code).splitlines(),
                    fromfile=zh_block.where(),
                    tofile=en_block.where(),
                    lineterm="",
                )
            )
            pytest.fail(
                f"the code of {zh_block.where()} and {en_block.where()} differs "
                f"(comments and docstrings aside):\n{diff}",
                pytrace=False,
            )


@pytest.mark.parametrize("pair", MD_PAIRS, ids=pair_id)
def test_same_outputs(pair):
    """The outputs shown after the code are the same, character for character, after
    the same block: the code is the same and prints no words in the page's language."""
    def outputs(path):
        chains = python_chains(path)
        blocks = [block.line for chain in chains for block in chain.blocks]
        return [(f"after block {sum(line < chain.output.line for line in blocks)}",
                 chain.expected_output) for chain in chains if chain.output is not None]

    zh, en = pair
    compare("outputs shown (after block: text)", outputs(zh), outputs(en), zh, en)


def labels_cells(path):
    """(index among the code cells, source) of the cells tagged ``labels``."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    return [(index, "".join(cell["source"])) for index, cell in enumerate(code)
            if "labels" in cell.get("metadata", {}).get("tags", [])]


def constant_assignments(source):
    """{name: shape} of a labels cell, which may only bind names to constants
    (strings, numbers, and tuples, lists or dicts of them); the shape keeps the
    keys and lengths, not the strings, which are the language's own."""
    def shape(node):
        if isinstance(node, ast.Constant):
            return type(node.value).__name__
        if isinstance(node, (ast.Tuple, ast.List)):
            return [shape(item) for item in node.elts]
        if isinstance(node, ast.Dict):
            return {ast.literal_eval(key): shape(value) for key, value in zip(node.keys, node.values)}
        raise ValueError(f"not a constant: {ast.unparse(node)}")

    found = {}
    for statement in ast.parse(source).body:
        if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)):
            raise ValueError(f"not an assignment to a name: {ast.unparse(statement)}")
        found[statement.targets[0].id] = shape(statement.value)
    return found


@pytest.mark.parametrize("pair", NB_PAIRS, ids=pair_id)
def test_notebooks_have_the_same_code_and_sections(pair):
    """The same code cells, but for those tagged ``labels``: there each twin
    binds the same names to strings in its own language (tools/notebook_cache.py
    shares the heavy results between twins on that understanding)."""
    zh, en = pair
    zh_cells, en_cells = notebook_cells(zh), notebook_cells(en)
    compare("cell types", [t for t, _ in zh_cells], [t for t, _ in en_cells], zh, en)
    zh_labels, en_labels = labels_cells(zh), labels_cells(en)
    compare("labels cells (index among the code cells)", [i for i, _ in zh_labels],
            [i for i, _ in en_labels], zh, en)
    for (index, a), (_, b) in zip(zh_labels, en_labels):
        try:
            compare(f"names bound by labels cell {index + 1}", constant_assignments(a),
                    constant_assignments(b), zh, en)
        except ValueError as error:
            pytest.fail(f"labels cell {index + 1} of {rel(zh)} or {rel(en)}: {error}",
                        pytrace=False)
        if a == b:
            pytest.fail(f"labels cell {index + 1} is the same in {rel(zh)} and {rel(en)}",
                        pytrace=False)
    skip = {index for index, _ in zh_labels}
    zh_code = [source for i, source in enumerate(s for k, s in zh_cells if k == "code")
               if i not in skip]
    en_code = [source for i, source in enumerate(s for k, s in en_cells if k == "code")
               if i not in skip]
    for index, (a, b) in enumerate(zip(zh_code, en_code), 1):
        if normalized(a) != normalized(b):
            diff = "\n".join(difflib.unified_diff(
                ast.unparse(ast.parse(a)).splitlines(), ast.unparse(ast.parse(b)).splitlines(),
                fromfile=f"{rel(zh)} code cell {index}", tofile=f"{rel(en)} code cell {index}",
                lineterm=""))
            pytest.fail(f"code cell {index} differs:\n{diff}", pytrace=False)

    def shape(cells):
        lines = [line for kind, source in cells if kind == "markdown"
                 for line in source.splitlines()]
        return [(level, number) for level, number, _ in headings(lines)]

    compare("notebook headings", shape(zh_cells), shape(en_cells), zh, en)
    compare(
        "notebook equation tags",
        equation_tags("\n".join(s for k, s in zh_cells if k == "markdown")),
        equation_tags("\n".join(s for k, s in en_cells if k == "markdown")),
        zh,
        en,
    )


@pytest.mark.parametrize("pair", NB_PAIRS, ids=pair_id)
def test_notebook_twins_share_what_they_remember(pair):
    """The build runs a twin's remember() computations once for both when the
    twins' code, the labels cell aside, has the same cache key
    (tools/notebook_cache.py): comments and docstrings may be translated,
    nothing else may differ."""
    import notebook_cache  # tools/, on the path through booksource

    shared = [notebook_cache.notebook_key(
        notebook_cache.without_labels(json.loads(path.read_text(encoding="utf-8"))),
        path.parent, REPO, dependencies="the same for both") for path in pair]
    assert shared[0] == shared[1], (
        f"{rel(pair[0])} and {rel(pair[1])} would not share their remembered results")


def test_notebooks_are_stored_without_outputs():
    """They execute when the site is built; stored outputs would go stale."""
    import json

    dirty = []
    for path in notebooks():
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for index, cell in enumerate(notebook["cells"], 1):
            if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count")):
                dirty.append(f"{rel(path)} cell {index}")
    assert not dirty, "notebooks stored with outputs (clear them):\n" + "\n".join(dirty)


CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_WORDS = re.compile(r"[A-Za-z]{3,}\s+[A-Za-z]{2,}\s+[A-Za-z]{2,}")


@pytest.mark.parametrize("pair", NB_PAIRS, ids=pair_id)
def test_chinese_notebooks_comment_in_chinese(pair):
    """A comment of three English words or more in a Chinese notebook is an
    untranslated one (shapes such as "# (n_x, m, T_x)" are not words)."""
    zh, _ = pair
    english = []
    for index, source in enumerate(s for kind, s in notebook_cells(zh) if kind == "code"):
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if (token.type == tokenize.COMMENT and not CJK.search(token.string)
                    and ENGLISH_WORDS.search(token.string)):
                english.append(f"code cell {index + 1}: {token.string}")
    assert not english, f"{rel(zh)} has comments in English:\n" + "\n".join(english)
