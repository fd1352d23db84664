// Renders TeX with the KaTeX that the site vendors (docs/assets/katex/), for
// tools/build_math.py, which runs this script once per build under Node.js.
//
//     node tools/katex_render.js docs/assets/katex/katex.min.js
//
// Protocol: one JSON array per line on stdin, [[tex, display], ...]; one JSON
// array per line on stdout, in the same order, each {"html": ...} or
// {"error": message}.  A batch per page keeps the round trips few.  Output is
// KaTeX's "htmlAndMathml": the HTML that the eye reads and the MathML (with
// the TeX as an annotation) that screen readers and copy-tex read.
"use strict";

const path = require("path");
const readline = require("readline");

const katex = require(path.resolve(process.argv[2]));

function render([tex, display]) {
  try {
    return {
      html: katex.renderToString(tex, {
        displayMode: display,
        output: "htmlAndMathml",
        throwOnError: true,
        strict: "error",
        trust: false,
      }),
    };
  } catch (error) {
    return { error: String(error.message || error) };
  }
}

const lines = readline.createInterface({ input: process.stdin, terminal: false });
lines.on("line", (line) => {
  process.stdout.write(JSON.stringify(JSON.parse(line).map(render)) + "\n");
});
