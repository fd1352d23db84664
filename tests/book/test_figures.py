"""Figures: the committed SVGs are what the drawing scripts draw today
(tools/draw_figures.py for chapters 1-7, tools/draw_seq2seq_figures.py for
chapter 11), and every image a page shows exists."""

import posixpath
import subprocess
import sys
import urllib.parse

import pytest
from booksource import DOCS, REPO, image_targets, markdown_pages, prose

SCRIPTS = [REPO / "tools" / "draw_figures.py", REPO / "tools" / "draw_seq2seq_figures.py"]
FIGURES = DOCS / "figures"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_committed_figures_are_up_to_date(script, tmp_path):
    if not script.exists():
        pytest.skip(f"tools/{script.name} is not written yet")
    result = subprocess.run(
        [sys.executable, str(script), "--out", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"{script.name} failed:\n{result.stdout}\n{result.stderr}"
    drawn = sorted(tmp_path.rglob("*.svg"))
    assert drawn, f"{script.name} wrote no SVG"
    stale = []
    for svg in drawn:
        name = svg.relative_to(tmp_path)
        committed = FIGURES / name
        if not committed.exists():
            stale.append(f"docs/figures/{name} is missing")
        elif committed.read_bytes() != svg.read_bytes():
            stale.append(f"docs/figures/{name} differs from what the script draws")
    assert not stale, (
        "\n".join(stale) + f"\nrun `python tools/{script.name}` and commit docs/figures/"
    )


def local_target(page, target):
    parts = urllib.parse.urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("data:"):
        return None
    relative = posixpath.normpath(posixpath.join(page.parent.relative_to(DOCS).as_posix(),
                                                 urllib.parse.unquote(parts.path)))
    return DOCS / relative


def test_every_referenced_image_exists():
    missing = []
    remote = []
    for page in markdown_pages():
        for target in image_targets(prose(page)):
            path = local_target(page, target)
            if path is None:
                remote.append(f"{page.relative_to(REPO)}: {target}")
            elif not path.is_file():
                missing.append(f"{page.relative_to(REPO)}: {target}")
    assert not missing, "images that do not exist:\n" + "\n".join(missing)
    assert not remote, "images loaded from outside the site:\n" + "\n".join(remote)
