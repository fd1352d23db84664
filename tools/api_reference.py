"""MkDocs hook: the API reference lists every public module of rnnbook.

docs/api.md and docs/api.en.md hold the marker ``<!-- rnnbook-api-modules -->``
where the reference goes; this hook replaces it with one mkdocstrings
directive (``::: rnnbook.NAME``) per public module of the package, so that a
module added to rnnbook/ is documented in both languages without an edit here.
Modules come in the book's order (MODULE_ORDER), then any others by name.
mkdocstrings renders them from the docstrings, which are English in both
languages (tools/griffe_plain_docstrings.py makes them proper Markdown).

mkdocstrings titles the docstrings' sections ("Parameters:", "Returns:") in
the locale it reads from the theme in its own on_config, which runs before
mkdocs-static-i18n sets the language of the build; so the English pages would
get the Chinese titles.  on_config here, which runs first, tells mkdocstrings
the language of the build that is starting (and clears what its previous
on_config added to the shared config).
"""

import pathlib

from mkdocs.plugins import event_priority

MARKER = "<!-- rnnbook-api-modules -->"
PACKAGE = "rnnbook"
PACKAGE_DIR = pathlib.Path(__file__).resolve().parents[1] / PACKAGE

# the models first, as the chapters meet them, then what trains and checks them
MODULE_ORDER = [
    "rnn",
    "lstm",
    "gru",
    "stacked",
    "seq2seq",
    "attention",
    "decoding",
    "parameters",
    "activations",
    "loss",
    "gradcheck",
    "gradient_flow",
    "clipping",
    "recurrent",
    "optim",
    "data",
    "charlm",
    "ngram",
    "longrange",
    "fast",
    "interop",
    "validate",
]


def public_modules(package_dir=PACKAGE_DIR):
    """The names of the package's public modules, in the reference's order."""
    names = {
        path.stem
        for path in package_dir.glob("*.py")
        if not path.stem.startswith("_")
    }
    ordered = [name for name in MODULE_ORDER if name in names]
    return ordered + sorted(names - set(ordered))


def directives(package_dir=PACKAGE_DIR):
    return "\n\n".join(f"::: {PACKAGE}.{name}" for name in public_modules(package_dir))


@event_priority(100)  # before mkdocstrings (0) and mkdocs-static-i18n (-100)
def on_config(config):
    i18n = config.plugins.get("i18n")
    mkdocstrings = config.plugins.get("mkdocstrings")
    if i18n is None or mkdocstrings is None:
        return config
    mkdocstrings.config["locale"] = i18n.current_language or i18n.default_language
    # mkdocstrings adds its stylesheet and its Markdown extension to the config
    # in every build, and each language's build reuses the config: drop the
    # previous build's, or the English pages would link the stylesheet twice.
    css = getattr(mkdocstrings, "css_filename", None)
    config.extra_css[:] = [path for path in config.extra_css if path != css]
    config.markdown_extensions[:] = [
        extension for extension in config.markdown_extensions
        if type(extension).__name__ != "MkdocstringsExtension"
    ]
    return config


def on_page_markdown(markdown, page, config, files):
    if MARKER not in markdown:
        return markdown
    return markdown.replace(MARKER, directives())
