"""Figures: the committed SVGs are what tools/draw_figures.py (the package
tools/figures/) draws today, in both palettes; their colours read on the
palette they are for; every page shows a figure the same way, as a
<figure> with its light and dark files, each a link to itself, and an upright
<figcaption> numbered in order; and every image a page shows exists."""

import posixpath
import re
import subprocess
import sys
import urllib.parse

import pytest
from booksource import DOCS, REPO, image_targets, is_english, markdown_pages, page_headings, prose

SCRIPT = REPO / "tools" / "draw_figures.py"
FIGURES = DOCS / "figures"

sys.path.insert(0, str(REPO / "tools"))
from figures.primitives import THEMES  # noqa: E402 - tools/ is not a package


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    """The directory that tools/draw_figures.py --out has just written."""
    out = tmp_path_factory.mktemp("figures")
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"draw_figures.py failed:\n{result.stdout}\n{result.stderr}"
    return out


def test_committed_figures_are_up_to_date(drawn):
    svgs = sorted(drawn.rglob("*.svg"))
    assert svgs, "draw_figures.py wrote no SVG"
    stale = []
    for svg in svgs:
        name = svg.relative_to(drawn)
        committed = FIGURES / name
        if not committed.exists():
            stale.append(f"docs/figures/{name} is missing")
        elif committed.read_bytes() != svg.read_bytes():
            stale.append(f"docs/figures/{name} differs from what the script draws")
    assert not stale, (
        "\n".join(stale) + "\nrun `python tools/draw_figures.py` and commit docs/figures/"
    )


def test_every_figure_is_drawn_in_both_palettes(drawn):
    names = {svg.name for svg in drawn.glob("*.svg")}
    light = {name for name in names if not name.endswith("-dark.svg")}
    unpaired = sorted(name for name in light if name[: -len(".svg")] + "-dark.svg" not in names)
    unpaired += sorted(name for name in names - light
                       if name[: -len("-dark.svg")] + ".svg" not in names)
    assert not unpaired, f"figures drawn in one palette only: {unpaired}"


HEX = re.compile(r"#[0-9a-fA-F]{6}\b")


def palette_colours(theme):
    return {theme["background"], theme["background_edge"], *theme["colours"].values(),
            *theme["fills"].values()}


def luminance(colour):
    """WCAG 2 relative luminance of #rrggbb."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a, b):
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("theme", THEMES, ids=[theme["name"] for theme in THEMES])
def test_palette_reads_on_its_background(theme):
    """Text at least 4.5:1 against the page (WCAG AA), lines and labels in
    colour at least 3:1, as for large text and graphics."""
    background = theme["background"]
    weak = [f"ink {theme['colours']['ink']}: {contrast(theme['colours']['ink'], background):.2f}"]
    weak = weak if contrast(theme["colours"]["ink"], background) < 4.5 else []
    for role in ("line", "input", "hidden", "output", "loss", "grad", "muted"):
        colour = theme["colours"][role]
        if contrast(colour, background) < 3:
            weak.append(f"{role} {colour}: {contrast(colour, background):.2f}")
    assert not weak, f"{theme['name']} palette, too little contrast on {background}: {weak}"


@pytest.mark.parametrize("theme", THEMES, ids=[theme["name"] for theme in THEMES])
def test_each_file_uses_its_own_palette_only(drawn, theme):
    """A dark file has no white panel in it, a light one no dark: every
    colour it names is one of its palette's."""
    own = {colour.lower() for colour in palette_colours(theme)}
    files = [svg for svg in sorted(drawn.glob("*.svg"))
             if svg.name.endswith("-dark.svg") == (theme["name"] == "dark")]
    foreign = {}
    for svg in files:
        colours = {c.lower() for c in HEX.findall(svg.read_text(encoding="utf-8"))}
        if colours - own:
            foreign[svg.name] = sorted(colours - own)
    assert files and not foreign, f"colours outside the {theme['name']} palette: {foreign}"


# A figure in a chapter, exactly as CONTRIBUTING.md gives it.
FIGURE_BLOCK = re.compile(
    r'<figure markdown="span">\n'
    r"\[!\[(?P<alt>[^\]\n]+)\]\((?P<light>[^)#\s]+\.svg)#only-light\)\]\((?P<light_href>[^)\s]+)\)\n"
    r"\[!\[(?P<dark_alt>[^\]\n]+)\]\((?P<dark>[^)#\s]+-dark\.svg)#only-dark\)\]"
    r"\((?P<dark_href>[^)\s]+)\)\n"
    r"<figcaption markdown>(?P<caption>[^\n]+)</figcaption>\n"
    r"</figure>"
)
CAPTION_NUMBER = {"zh": re.compile(r"^图 (\d+)\.(\d+)　"), "en": re.compile(r"^Figure (\d+)\.(\d+) ")}
CHAPTER_NUMBER = re.compile(r"\d+")


def figure_blocks(page):
    return list(FIGURE_BLOCK.finditer(prose(page)))


def pages_with_figures():
    return [page for page in markdown_pages()
            if any("figures/" in target for target in image_targets(prose(page)))]


@pytest.mark.parametrize("page", pages_with_figures(), ids=lambda page: str(page.relative_to(DOCS)))
def test_figures_are_written_as_figure_blocks(page):
    text = prose(page)
    blocks = figure_blocks(page)
    problems = []
    shown = [target for target in image_targets(text) if "figures/" in target]
    if len(shown) != 2 * len(blocks):
        problems.append(f"{len(shown)} figure images, {len(blocks)} <figure> blocks: an image "
                        "outside the block of CONTRIBUTING.md")
    language = "en" if is_english(page) else "zh"
    chapter = CHAPTER_NUMBER.search(page_headings(page)[0][2])
    for number, block in enumerate(blocks, start=1):
        light = block["light"]
        where = f"{light}:"
        if block["dark"] != light[: -len(".svg")] + "-dark.svg":
            problems.append(f"{where} the dark image is {block['dark']}")
        if block["light_href"] != light or block["dark_href"] != block["dark"]:
            problems.append(f"{where} the links open {block['light_href']} and "
                            f"{block['dark_href']}, not the images themselves")
        if block["dark_alt"] != block["alt"]:
            problems.append(f"{where} the two images have different alt text")
        caption = block["caption"]
        found = CAPTION_NUMBER[language].match(caption)
        expected = f"{chapter.group(0) if chapter else '?'}.{number}"
        if not found or f"{found[1]}.{found[2]}" != expected:
            problems.append(f"{where} the caption should begin with figure {expected} "
                            f"in the page's language: {caption[:40]!r}")
        if caption.startswith("*") or caption.endswith("*"):
            problems.append(f"{where} the caption is set in italics")
    assert not problems, f"{page.relative_to(REPO)}:\n" + "\n".join(problems)


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


def test_every_drawn_figure_is_shown(drawn):
    """No figure drawn for nothing: each is on a page, in both palettes."""
    shown = set()
    for page in markdown_pages():
        for target in image_targets(prose(page)):
            path = local_target(page, target)
            if path is not None:
                shown.add(path.name)
    unused = sorted(svg.name for svg in drawn.glob("*.svg") if svg.name not in shown)
    assert not unused, f"figures drawn but shown on no page: {unused}"


def test_beam_figure_is_what_rnnbook_beam_search_finds():
    """Figure 10.2 runs its own beam search step by step, to draw every candidate;
    its best complete output and score are those of rnnbook.decoding.beam_search
    on the same model (a beam of two, three steps)."""
    import numpy as np
    from figures import encdec

    import rnnbook.decoding
    from rnnbook.seq2seq import EOS

    levels = encdec.beam_tree()
    finished, kept = [], [[]]  # kept: the prefixes alive after each step
    for step, level in enumerate(levels, start=1):
        alive = []
        for parent, token, score, chosen in level:
            if not chosen:
                continue
            tokens = kept[parent] + [token]
            if token == EOS:
                finished.append((tokens, score))
            else:
                alive.append(tokens)
                if step == len(levels):  # the last step: what is alive ends here
                    finished.append((tokens, score))
        kept = alive
    tokens, score = max(finished, key=lambda output: output[1])
    x, x_lengths, parameters = encdec.beam_model()
    sequences, scores = rnnbook.decoding.beam_search(x, x_lengths, parameters, beam_width=2,
                                                     max_length=len(levels))
    assert sequences[0].tolist() == tokens
    np.testing.assert_allclose(scores[0], score, rtol=1e-12)
