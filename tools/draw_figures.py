#!/usr/bin/env python3
"""Draw the book's figures into docs/figures/ (or --out DIR).

    python tools/draw_figures.py            # rewrite docs/figures/*.svg
    python tools/draw_figures.py --out DIR  # write the same files into DIR

The drawing code is the package tools/figures/ (one module per chapter, see
its __init__); this script is its entry point.
"""

import pathlib
import sys

# tools/ is not a package: put it on the path to import tools/figures/.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from figures import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
