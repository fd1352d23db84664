/*
 * What a keyboard and a screen reader need and the theme leaves out.
 *
 * - A region that scrolls sideways (a wide equation, table, code cell or
 *   output on a narrow screen) can be reached with Tab and is named, so that
 *   a keyboard reader can scroll it with the arrow keys.  Only regions that
 *   really overflow at the current width become tab stops; the check runs
 *   again when the window is resized or a collapsed block opens.
 * - Material puts each code block's copy button in a <nav>: a page with 40
 *   code blocks had 40 navigation landmarks of the same (no) name.  Each is
 *   named after its block's place on the page.
 */
(function () {
  "use strict";

  var zh = (document.documentElement.lang || "").indexOf("zh") === 0;
  var NAMES = [
    [".arithmatex, .katex-display", zh ? "公式（可横向滚动）" : "Equation (scrolls sideways)"],
    [".md-typeset__scrollwrap, .md-typeset__table", zh ? "表格（可横向滚动）" : "Table (scrolls sideways)"],
    ["pre, pre > code, .highlight-ipynb, .jp-OutputArea-output",
      zh ? "代码或输出（可横向滚动）" : "Code or output (scrolls sideways)"],
  ];
  var SCROLLERS = NAMES.map(function (pair) { return pair[0]; }).join(", ");

  function nameOf(element) {
    for (var i = 0; i < NAMES.length; i++) {
      if (element.matches(NAMES[i][0])) {
        return NAMES[i][1];
      }
    }
    return NAMES[0][1];
  }

  function markScrollers() {
    document.querySelectorAll(".md-content " + SCROLLERS.split(", ").join(", .md-content "))
      .forEach(function (element) {
        var overflows = element.scrollWidth > element.clientWidth + 1 &&
          getComputedStyle(element).overflowX !== "visible";
        if (overflows && !element.hasAttribute("tabindex")) {
          element.setAttribute("tabindex", "0");
          element.setAttribute("data-rnnbook-scroller", "");
          if (!element.hasAttribute("role")) {
            element.setAttribute("role", "group");
          }
          if (!element.hasAttribute("aria-label")) {
            element.setAttribute("aria-label", nameOf(element));
          }
        } else if (!overflows && element.hasAttribute("data-rnnbook-scroller")) {
          ["tabindex", "data-rnnbook-scroller", "role", "aria-label"].forEach(function (name) {
            element.removeAttribute(name);
          });
        }
      });
  }

  function codeToolbars() {
    document.querySelectorAll("nav.md-code__nav").forEach(function (nav, index) {
      nav.setAttribute("aria-label", (zh ? "代码块 " : "Code block ") + (index + 1));
    });
  }

  function run() {
    codeToolbars();
    markScrollers();
    // the width the regions were last marked at: the browser tests wait for
    // it after resizing the window instead of sleeping
    window.rnnbookScrollersWidth = window.innerWidth;
  }

  var pending = null;
  function later() {
    clearTimeout(pending);
    pending = setTimeout(run, 150);
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(function () { setTimeout(run, 0); });
  } else {
    window.addEventListener("load", run);
  }
  window.addEventListener("resize", later);
  document.addEventListener("toggle", later, true);
})();
