"""pytest plugin for `pytest --codeblocks`: run the book's Python blocks only.

pytest-codeblocks 0.18 also runs fences written ```sh and ```bash, which in
the book are commands for the reader (installing, serving the site), not
examples to execute in CI.  Loaded with `-p tests.book.python_blocks_only`
(see the noxfile's `book` session); the shell blocks show up as deselected.
"""


def pytest_collection_modifyitems(config, items):
    keep, drop = [], []
    for item in items:
        block = getattr(item, "obj", None)
        syntax = getattr(block, "syntax", None)
        is_codeblock = type(block).__name__ == "CodeBlock"
        (drop if is_codeblock and syntax != "python" else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
