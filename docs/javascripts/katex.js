/*
 * Renders the book's math with the KaTeX that the site ships
 * (docs/assets/katex/, see tools/vendor_katex.sh); nothing is fetched.
 *
 * - Markdown pages: pymdownx.arithmatex (generic mode) wraps inline math as
 *   <span class="arithmatex">\( ... \)</span> and display math as
 *   <div class="arithmatex">\[ ... \]</div>; each element is rendered in
 *   place, display math in display mode (so \tag{1.1} works).
 * - Notebook pages (mkdocs-jupyter): the Markdown cells keep their $...$ and
 *   $$...$$; KaTeX's auto-render typesets them.
 *
 * Bad LaTeX is not hidden: KaTeX runs with throwOnError and every failure is
 * reported with console.error (the browser tests fail on console errors).
 * Rendering runs on the first load and again on every page that Material's
 * instant navigation swaps in (document$), skipping what is already done.
 */
(function () {
  "use strict";

  var NOTEBOOK_MARKDOWN =
    ".jupyter-wrapper .jp-RenderedMarkdown, .jupyter-wrapper .jp-RenderedLatex";

  var NOTEBOOK_DELIMITERS = [
    { left: "$$", right: "$$", display: true },
    { left: "\\[", right: "\\]", display: true },
    { left: "$", right: "$", display: false },
    { left: "\\(", right: "\\)", display: false },
  ];

  function report(tex, error) {
    console.error(
      "KaTeX could not render " + JSON.stringify(tex) +
      " on " + window.location.pathname + ": " + (error && error.message)
    );
  }

  /* The TeX of an arithmatex element and whether it is display math. */
  function source(element) {
    var text = element.textContent.trim();
    if (text.slice(0, 2) === "\\(" && text.slice(-2) === "\\)") {
      return { tex: text.slice(2, -2), display: false };
    }
    if (text.slice(0, 2) === "\\[" && text.slice(-2) === "\\]") {
      return { tex: text.slice(2, -2), display: true };
    }
    // an environment written bare (\begin{align} ... \end{align})
    return { tex: text, display: element.tagName !== "SPAN" };
  }

  function renderArithmatex(root) {
    root.querySelectorAll(".arithmatex").forEach(function (element) {
      if (element.dataset.katex === "done") {
        return;
      }
      var math = source(element);
      try {
        katex.render(math.tex, element, {
          displayMode: math.display,
          throwOnError: true,
        });
        element.dataset.katex = "done";
      } catch (error) {
        element.dataset.katex = "error";
        report(math.tex, error);
      }
    });
  }

  function renderNotebooks(root) {
    root.querySelectorAll(NOTEBOOK_MARKDOWN).forEach(function (element) {
      if (element.dataset.katex === "done") {
        return;
      }
      renderMathInElement(element, {
        delimiters: NOTEBOOK_DELIMITERS,
        throwOnError: true,
        errorCallback: function (message, error) {
          report(message, error);
        },
      });
      element.dataset.katex = "done";
    });
  }

  function render() {
    if (typeof katex === "undefined") {
      console.error("KaTeX is not loaded: math on " + window.location.pathname + " stays raw");
      return;
    }
    renderArithmatex(document.body);
    if (typeof renderMathInElement === "undefined") {
      console.error("KaTeX auto-render is not loaded: notebook math stays raw");
      return;
    }
    renderNotebooks(document.body);
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(render); // Material: first load and instant navigation
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", render);
  } else {
    render();
  }
})();
