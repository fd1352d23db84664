"""The printed book: artifacts/pdf/rnnbook-zh.pdf and rnnbook-en.pdf, made by
`nox -s pdf` (tools/print_pdf.py) from the built site's print pages.

Each PDF opens (pypdf), has no blank page, has a page count in the range the
book's structure allows (every chapter starts on a new sheet; no chapter
runs to dozens of pages), carries the print page's title and a bookmark for
every chapter, and the two languages are about as long as each other.
"""

import functools
import os
import pathlib
import re
import shutil
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
PRINT_PAGES = {"zh": "print", "en": "en/print"}
TITLES = {"zh": "打印版", "en": "Printable edition"}
MAX_PAGES_PER_CHAPTER = 25
# A chapter's title is the first <h1> of its section (after the page's
# download links, which tools/chapter_code.py and the notebook hook put beside it).
SECTION = re.compile(r'<section class="rnnbook-print-chapter" id="[^"]+">'
                     r'(?:(?!<section ).)*?<h1[^>]*>(.*?)</h1>', re.S)


def folder(variable):
    value = os.environ.get(variable)
    if not value:
        pytest.skip(f"${variable} is not set (nox -s pdf sets it)")
    path = pathlib.Path(value)
    return path if path.is_absolute() else REPO / path


@pytest.fixture(scope="module")
def pdf_dir():
    return folder("RNNBOOK_PDF_DIR")


@pytest.fixture(scope="module")
def site():
    return folder("RNNBOOK_SITE_DIR")


def plain(text):
    # the heading's permalink: Markdown's headerlink, or nbconvert's anchor-link
    text = re.sub(r"<a class=\"(?:headerlink|anchor-link)\".*?</a>", "", text, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", "", text).replace("\u3000", " ").split())


def chapter_titles(site, language):
    text = (site / PRINT_PAGES[language] / "index.html").read_text(encoding="utf-8")
    return [plain(title) for title in SECTION.findall(text)]


@functools.lru_cache(maxsize=None)
def reader(pdf_dir, language):
    """The PDF, parsed once for all the tests that read it."""
    from pypdf import PdfReader

    path = pdf_dir / f"rnnbook-{language}.pdf"
    assert path.is_file(), f"{path} was not made"
    assert path.stat().st_size > 100_000, f"{path} is only {path.stat().st_size} bytes"
    assert path.read_bytes()[:5] == b"%PDF-"
    return PdfReader(path)


def content_bytes(page):
    contents = page.get("/Contents")
    if contents is None:
        return 0
    contents = contents.get_object()
    streams = contents if isinstance(contents, list) else [contents]
    return sum(len(stream.get_object().get_data()) for stream in streams)


@pytest.mark.parametrize("language", PRINT_PAGES)
def test_pdf_has_a_plausible_number_of_pages_none_blank(pdf_dir, site, language):
    pdf = reader(pdf_dir, language)
    chapters = chapter_titles(site, language)
    assert chapters, "the print page has no chapters"
    low, high = len(chapters) + 1, MAX_PAGES_PER_CHAPTER * len(chapters)
    assert low <= len(pdf.pages) <= high, (
        f"{len(pdf.pages)} pages for {len(chapters)} chapters, expected {low} to {high}"
    )
    blank = [number for number, page in enumerate(pdf.pages, 1) if content_bytes(page) < 200]
    assert not blank, f"blank pages: {blank}"


@pytest.mark.parametrize("language", PRINT_PAGES)
def test_pdf_opens_with_the_title_and_has_a_bookmark_per_chapter(pdf_dir, site, language):
    pdf = reader(pdf_dir, language)
    assert TITLES[language] in (pdf.metadata.title or "")
    first = " ".join(pdf.pages[0].extract_text().split())
    assert TITLES[language] in first, f"page 1 reads {first[:200]!r}"
    bookmarks = [" ".join(item.title.replace("\u3000", " ").split())
                 for item in pdf.outline if not isinstance(item, list)]
    missing = [title for title in chapter_titles(site, language) if title not in bookmarks]
    assert not missing, f"chapters without a bookmark: {missing} (bookmarks: {bookmarks})"


def test_both_languages_are_about_as_long(pdf_dir):
    zh, en = (len(reader(pdf_dir, language).pages) for language in ("zh", "en"))
    assert 0.6 <= zh / en <= 1.6, f"zh has {zh} pages, en {en}"


def chinese_font_families():
    """Families fontconfig has for Chinese, without spaces ('WenQuanYiMicroHei')."""
    listed = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True)
    return {name.strip().replace(" ", "") for line in listed.stdout.splitlines()
            for name in line.split(",") if name.strip()}


def embedded_fonts(pdf):
    names = set()
    for page in pdf.pages:
        fonts = (page.get("/Resources") or {}).get("/Font")
        for font in (fonts.get_object().values() if fonts else []):
            names.add(str(font.get_object().get("/BaseFont", "")).split("+")[-1])
    return names


def test_chinese_pdf_prints_chinese_glyphs(pdf_dir):
    """Without a Chinese font Chromium prints boxes, and the PDF looks complete."""
    if not shutil.which("fc-list"):
        pytest.skip("no fontconfig to ask")
    families = chinese_font_families()
    assert families, "fontconfig knows no Chinese font (nox installs fonts-wqy-microhei)"
    used = embedded_fonts(reader(pdf_dir, "zh"))
    assert used & families, f"the zh PDF embeds none of the Chinese fonts {families}: {used}"
