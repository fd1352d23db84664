"""Figures: the committed SVGs are what tools/draw_figures.py draws today,
and every image a page shows exists."""

import posixpath
import subprocess
import sys
import urllib.parse

import pytest
from booksource import DOCS, REPO, image_targets, markdown_pages, prose

SCRIPT = REPO / "tools" / "draw_figures.py"
FIGURES = DOCS / "figures"


@pytest.mark.skipif(not SCRIPT.exists(), reason="tools/draw_figures.py is not written yet")
def test_committed_figures_are_up_to_date(tmp_path):
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"draw_figures.py failed:\n{result.stdout}\n{result.stderr}"
    drawn = sorted(tmp_path.rglob("*.svg"))
    assert drawn, "draw_figures.py wrote no SVG"
    stale = []
    for svg in drawn:
        name = svg.relative_to(tmp_path)
        committed = FIGURES / name
        if not committed.exists():
            stale.append(f"docs/figures/{name} is missing")
        elif committed.read_bytes() != svg.read_bytes():
            stale.append(f"docs/figures/{name} differs from what the script draws")
    assert not stale, (
        "\n".join(stale) + "\nrun `python tools/draw_figures.py` and commit docs/figures/"
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


ENCDEC_SCRIPT = REPO / "tools" / "draw_encdec_figures.py"


def test_encoder_decoder_figures_are_up_to_date(tmp_path):
    """Chapter 10's figures come from their own script; redrawn, they are byte-identical."""
    result = subprocess.run(
        [sys.executable, str(ENCDEC_SCRIPT), "--out", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"{ENCDEC_SCRIPT.name} failed:\n{result.stdout}\n{result.stderr}"
    drawn = sorted(tmp_path.glob("*.svg"))
    assert [svg.name for svg in drawn] == ["encdec-beam.svg", "encdec-unrolled.svg"]
    stale = [f"docs/figures/{svg.name}" for svg in drawn
             if not (FIGURES / svg.name).exists()
             or (FIGURES / svg.name).read_bytes() != svg.read_bytes()]
    assert not stale, f"{stale} differ from what the script draws; run `python {SCRIPT.parent.name}/{ENCDEC_SCRIPT.name}`"
