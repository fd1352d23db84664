"""Accessibility of the built site, page by page, in both languages.

- Every image in a page's content has alt text, in the page's language: a
  Chinese page's alt text has Chinese in it, an English page's has none.
- ``<html lang>`` says the page's language (zh under /, en under /en/).
- Headings in the content start at h1 and never skip a level going down
  (h1 then h3 with no h2 between).
"""

import pytest
from sitehtml import CJK, site_pages

EXPECTED_LANG = {"zh": ("zh", "zh-hans", "zh-cn"), "en": ("en", "en-us", "en-gb")}


@pytest.fixture(scope="module")
def pages(site_dir):
    found = site_pages(site_dir)
    assert found, f"no HTML in {site_dir}"
    return found


def test_the_content_of_every_page_is_found(pages):
    """The checks below look inside <article class="md-content__inner">."""
    without = [page.relative for page in pages if not page.headings]
    assert not without, f"pages without a heading in an md-content__inner article: {without}"


def test_content_images_have_alt_text_in_the_page_language(pages):
    problems = []
    for page in pages:
        for image in page.images:
            alt = (image.alt or "").strip()
            if not alt:
                problems.append(f"{page.relative}: <img src={image.src!r}> has no alt text")
            elif page.language == "zh" and not CJK.search(alt):
                problems.append(f"{page.relative}: alt text {alt!r} of {image.src} is not Chinese")
            elif page.language == "en" and CJK.search(alt):
                problems.append(f"{page.relative}: alt text {alt!r} of {image.src} is not English")
    assert not problems, "\n".join(problems)


def test_the_book_has_figures_to_check(pages):
    """The alt-text test above sees the figures (it is not vacuous)."""
    for language in ("zh", "en"):
        count = sum(len(page.images) for page in pages if page.language == language)
        assert count >= 5, f"only {count} content images found on the {language} pages"


def test_html_lang_is_the_page_language(pages):
    wrong = [f"{page.relative}: <html lang={page.lang!r}>, expected {page.language}"
             for page in pages
             if (page.lang or "").lower() not in EXPECTED_LANG[page.language]]
    assert not wrong, "\n".join(wrong)


def test_heading_levels_do_not_skip(pages):
    problems = []
    for page in pages:
        previous = 0
        for heading in page.headings:
            if heading.level > previous + 1:
                before = f"h{previous}" if previous else "the start of the content"
                problems.append(f"{page.relative}: h{heading.level} {heading.text!r} "
                                f"follows {before}")
            previous = heading.level
    assert not problems, "heading levels skip:\n" + "\n".join(problems)
