"""The book's figures, drawn by script: SVG files in docs/figures/.

    python tools/draw_figures.py            # rewrite docs/figures/*.svg
    python tools/draw_figures.py --out DIR  # write the same files into DIR

One module per chapter draws that chapter's figures (model, forward, bptt,
lstm, gru, deep, fast, encdec, attention); primitives.py holds what the
diagrams share (shapes, arrows, math labels) and plotting.py what the data
plots share (matplotlib set up to write deterministic SVG).  Each module's FIGURES maps a figure's
name to a function theme -> drawing.

Every figure is written twice, once per palette of the site: NAME.svg for the
light scheme and NAME-dark.svg for the dark one (primitives.LIGHT, DARK).  A
page shows both, marked ``#only-light`` and ``#only-dark``; Material hides
the one that does not match the reader's palette.  One file with transparent
background cannot do it: its text and lines would need a colour that reads on
white and on near-black alike, and an SVG shown by <img> cannot see which
palette the page has chosen (a media query inside it follows the system's
preference, not Material's toggle).

Every label is mathematics (x^<t>, W_aa, tanh, ...), never a word in Chinese
or English, so one file serves both languages; the captions are translated in
the Markdown.  The output is deterministic: a test regenerates the figures
into a temporary directory and compares them byte for byte with docs/figures/.
"""

import argparse
from pathlib import Path

from . import attention, bptt, deep, encdec, fast, forward, gru, lstm, model
from .primitives import THEMES

DEFAULT_OUT = Path(__file__).resolve().parents[2] / "docs" / "figures"
CHAPTERS = (model, forward, bptt, lstm, gru, deep, fast, encdec, attention)


def file_name(name, theme):
    """NAME.svg for the light palette, NAME-dark.svg for the dark one."""
    return f"{name}.svg" if theme["name"] == "light" else f"{name}-{theme['name']}.svg"


def figures():
    """{name: (draw, source)} of every figure, chapter by chapter."""
    found = {}
    for chapter in CHAPTERS:
        source = "tools/figures/" + Path(chapter.__file__).name
        for name, draw in chapter.FIGURES.items():
            if name in found:
                raise ValueError(f"two figures are called {name!r}")
            found[name] = (draw, source)
    return found


def render_all():
    """{file name: SVG text} for every figure in every palette."""
    rendered = {}
    for name, (draw, source) in figures().items():
        for theme in THEMES:
            rendered[file_name(name, theme)] = draw(theme).svg(source)
    return rendered


def write_figures(out_dir):
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, svg in render_all().items():
        path = out_dir / name
        # newline="\n": the same bytes on every platform.
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(svg)
        written.append(path)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="directory to write into (default: docs/figures)",
    )
    args = parser.parse_args(argv)
    for path in write_figures(args.out):
        print(path)
    return 0
