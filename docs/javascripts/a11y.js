/*
 * What a keyboard and a screen reader need and the theme leaves out.
 *
 * - A region that scrolls sideways (a wide equation, table, code cell or
 *   output on a narrow screen) can be reached with Tab and is named, so that
 *   a keyboard reader can scroll it with the arrow keys.  Only regions that
 *   really overflow at the current width become tab stops; the check runs
 *   again when the window is resized, a collapsed block opens or a block
 *   that the browser skipped while it was far from the screen is shown.
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

  function overflows(element) {
    return element.scrollWidth > element.clientWidth + 1 &&
      getComputedStyle(element).overflowX !== "visible";
  }

  function mark(element, scrolls) {
    if (scrolls && !element.hasAttribute("tabindex")) {
      element.setAttribute("tabindex", "0");
      element.setAttribute("data-rnnbook-scroller", "");
      if (!element.hasAttribute("role")) {
        element.setAttribute("role", "group");
      }
      if (!element.hasAttribute("aria-label")) {
        element.setAttribute("aria-label", nameOf(element));
      }
    } else if (!scrolls && element.hasAttribute("data-rnnbook-scroller")) {
      ["tabindex", "data-rnnbook-scroller", "role", "aria-label"].forEach(function (name) {
        element.removeAttribute(name);
      });
    }
  }

  // The blocks of the text far from the screen are skipped by the browser
  // (content-visibility in docs/stylesheets/extra.css): a region in one has
  // no layout to measure, and laying it out to measure it would cost what
  // skipping saves.  Such a region is measured when its block is shown, which
  // the browser does as the block comes near the screen, before the reader
  // can scroll the region or tab to it (contentvisibilityautostatechange).
  // (checkVisibility tells whether an element lies in a skipped block, not
  // whether it is one: that its first child says)
  function laidOut(element) {
    if (!element.checkVisibility) {
      return true;
    }
    var inside = element.firstElementChild;
    var skipping = !!inside && inside.checkVisibility() &&
      !inside.checkVisibility({contentVisibilityAuto: true});
    return !skipping && element.checkVisibility({contentVisibilityAuto: true});
  }

  // Even so, measuring lays the regions out: on a page shown whole (a wide
  // screen, the print edition) that is one long task.  So they are measured
  // a few at a time, each batch in a task of its own of a few milliseconds,
  // all reads of a batch before any attribute is written; the page stays
  // responsive.
  var BATCH = 8;
  var SLICE_MS = 8;
  var pass = 0;

  function markScrollers(elements, done) {
    var mine = ++pass;
    var next = 0;
    (function slice() {
      if (mine !== pass) {
        return; // a newer pass (the window was resized) took over
      }
      var start = performance.now();
      while (next < elements.length && performance.now() - start < SLICE_MS) {
        var batch = elements.slice(next, next + BATCH).filter(laidOut);
        var scrolls = batch.map(overflows);
        batch.forEach(function (element, i) { mark(element, scrolls[i]); });
        next += BATCH;
      }
      if (next < elements.length) {
        setTimeout(slice, 0);
      } else {
        done();
      }
    })();
  }

  function scrollersIn(root) {
    var selector = SCROLLERS.split(", ").map(function (s) { return ".md-content " + s; }).join(", ");
    var found = Array.prototype.slice.call(root.querySelectorAll(selector));
    return root.matches && root.matches(selector) ? [root].concat(found) : found;
  }

  var shown = [];
  function markShown() {
    var blocks = shown;
    shown = [];
    blocks.forEach(function (block) {
      scrollersIn(block).filter(laidOut).forEach(function (element) {
        mark(element, overflows(element));
      });
    });
  }

  document.addEventListener("contentvisibilityautostatechange", function (event) {
    if (!event.skipped) {
      if (!shown.length) {
        setTimeout(markShown, 0);
      }
      shown.push(event.target);
    }
  }, true);

  function codeToolbars() {
    document.querySelectorAll("nav.md-code__nav").forEach(function (nav, index) {
      nav.setAttribute("aria-label", (zh ? "代码块 " : "Code block ") + (index + 1));
    });
  }

  function run() {
    codeToolbars();
    var width = window.innerWidth;
    markScrollers(scrollersIn(document), function () {
      // the width the regions were last marked at: the browser tests wait
      // for it after resizing the window instead of sleeping
      window.rnnbookScrollersWidth = width;
    });
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
