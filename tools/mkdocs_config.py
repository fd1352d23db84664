"""mkdocs.yml read as plain data, without building: for the tools and tests
that need its nav or a plugin's options (the pages of the nav for the tests
and tools/audit.py, notebook_cache.py's mkdocs-jupyter options).

MkDocs' own loader would resolve ``!!python/name:`` and ``!ENV`` tags (and so
import the extensions they name); this one reads them as None.
"""

import pathlib


def read(path):
    """The mkdocs.yml at path as dicts and lists, its tags read as None."""
    import yaml

    class Loader(yaml.SafeLoader):
        """Reads mkdocs.yml, ignoring !!python/... and !ENV style tags."""

    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda *args: None)
    Loader.add_multi_constructor("!", lambda *args: None)
    return yaml.load(pathlib.Path(path).read_text(encoding="utf-8"), Loader=Loader)


def nav_sources(path):
    """The docs-relative source paths of the pages in the nav, in order."""

    def walk(items):
        for item in items:
            if isinstance(item, str):
                yield item
            elif isinstance(item, dict):
                for value in item.values():
                    if isinstance(value, str):
                        yield value
                    elif isinstance(value, list):
                        yield from walk(value)

    return [src for src in walk(read(path)["nav"]) if "://" not in src]
