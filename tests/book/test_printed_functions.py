"""A function that the book prints is the package's function.

For every top-level `def NAME(` in a Python block of a page, if a module of
the rnnbook package defines a function NAME, the two must have the same AST
once docstrings are removed (comments never reach the AST): the book may
translate comments and docstrings, nothing else.  Functions the package does
not have are the book's own examples and are not compared.
"""

import ast
import difflib
import importlib
import inspect
import pkgutil
import textwrap
import warnings

import pytest
from booksource import REPO, markdown_pages, without_docstrings
from pytest_codeblocks import extract_from_file

import rnnbook


def package_functions():
    """{name: [function, ...]} for every function defined in an rnnbook module."""
    modules = [rnnbook]
    for info in pkgutil.walk_packages(rnnbook.__path__, "rnnbook."):
        if info.name.endswith("__main__"):
            continue
        try:
            modules.append(importlib.import_module(info.name))
        except ImportError as error:  # an optional dependency, e.g. torch
            warnings.warn(f"{info.name} not searched for printed functions: {error}")
    found = {}
    for module in modules:
        for name, value in vars(module).items():
            if inspect.isfunction(value) and value.__module__ == module.__name__:
                found.setdefault(name, []).append(value)
    return found


def printed_functions():
    """(page, line, name, FunctionDef) for every top-level def in the book's Python."""
    printed = []
    for page in markdown_pages():
        for block in extract_from_file(page):
            if block.syntax != "python":
                continue
            try:
                tree = ast.parse(block.code)
            except SyntaxError as error:
                printed.append((page, block.lineno, f"<syntax error: {error.msg}>", None))
                continue
            for node in tree.body:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    printed.append((page, block.lineno, node.name, node))
    return printed


PACKAGE = package_functions()
CHECKED = [entry for entry in printed_functions() if entry[3] is None or entry[2] in PACKAGE]


def function_tree(node):
    module = ast.Module(body=[node], type_ignores=[])
    return without_docstrings(module)


def package_tree(function):
    source = textwrap.dedent(inspect.getsource(function))
    return without_docstrings(ast.parse(source))


@pytest.mark.parametrize(
    "page, line, name, node",
    CHECKED,
    ids=[f"{page.relative_to(REPO)}:{line}:{name}" for page, line, name, _ in CHECKED],
)
def test_printed_function_is_the_package_function(page, line, name, node):
    assert node is not None, f"{page.relative_to(REPO)}:{line}: the block does not parse: {name}"
    book = function_tree(node)
    candidates = PACKAGE[name]
    if any(ast.dump(book) == ast.dump(package_tree(f)) for f in candidates):
        return
    diffs = []
    for function in candidates:
        where = f"{function.__module__}.{name}"
        diffs.append(
            "\n".join(
                difflib.unified_diff(
                    ast.unparse(package_tree(function)).splitlines(),
                    ast.unparse(book).splitlines(),
                    fromfile=f"{where} (package)",
                    tofile=f"{page.relative_to(REPO)}, block at line {line} (book)",
                    lineterm="",
                )
            )
        )
    pytest.fail(
        f"{page.relative_to(REPO)}:{line} prints {name}() differently from rnnbook "
        "(docstrings and comments aside):\n" + "\n\n".join(diffs),
        pytrace=False,
    )
