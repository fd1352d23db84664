"""Griffe extension: rnnbook's plain-text docstrings, rendered right as Markdown.

The package's docstrings are written to be read with ``help()``: Google-style
sections, ````literal```` spans, RST "simple tables" with ``=====`` borders,
and notation such as ``a<t>``, ``x < 0`` or ``dW*`` in running text.
mkdocstrings renders docstrings as Markdown, where a table's border would turn
its header row into a heading, ``a<t>`` into an unknown HTML tag (the text
vanishes) and ``dW*, db*`` into emphasis.  Before griffe parses a docstring,
this extension

- turns each RST simple table into a Markdown table (continuation lines, whose
  first cell is empty, are joined to the row above), and
- outside code spans, writes ``<`` as ``&lt;`` and a ``*`` that is not a
  list bullet as ``\\*``;
- in a ``Returns:`` section, joins a line that does not start ``name:`` to
  the item above (griffe would make each such line an item of its own), and
  turns a ``Raises:`` section whose items do not start ``SomeError:`` into a
  paragraph (griffe would drop those lines with a warning).

Loaded by mkdocs.yml (``plugins: mkdocstrings: ... extensions:``) by path.
"""

import re

import griffe

BORDER = re.compile(r"^(?P<indent>\s*)=+(?:\s+=+)+\s*$")
CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")
BULLET = re.compile(r"^(\s*)\*(\s)")
SECTION = re.compile(r"^\s*(?P<kind>Returns?|Yields?|Raises|Exceptions):\s*$")
NAMED_ITEM = re.compile(r"^\s*[A-Za-z_]\w*:\s")
RAISES_ITEM = re.compile(r"^\s*[A-Za-z_][\w.]*:\s")


def escape_text(text, in_table=False):
    """Markdown-escape ``<`` and non-bullet ``*`` of one line (and ``|`` in a
    table cell), outside code spans."""
    bullet = BULLET.match(text)
    head, text = (bullet.group(0), text[bullet.end():]) if bullet else ("", text)
    parts, last = [], 0
    for match in CODE_SPAN.finditer(text):
        parts.append(_escape(text[last:match.start()], in_table))
        parts.append(match.group(0))
        last = match.end()
    parts.append(_escape(text[last:], in_table))
    return head + "".join(parts)


def _escape(text, in_table):
    text = text.replace("<", "&lt;").replace("*", "\\*")
    return text.replace("|", "\\|") if in_table else text


def _columns(border):
    """[(start, end)] of each run of '=' in a table border; the last is open-ended."""
    spans = [(m.start(), m.end()) for m in re.finditer(r"=+", border)]
    return [(start, spans[i + 1][0] if i + 1 < len(spans) else None)
            for i, (start, _) in enumerate(spans)]


def _cells(line, columns):
    return [line[start:end].strip() if end is not None else line[start:].strip()
            for start, end in columns]


def _markdown_row(cells):
    return "| " + " | ".join(escape_text(cell, in_table=True) for cell in cells) + " |"


def _table(lines, indent):
    """A Markdown table from the lines of an RST simple table (borders included)."""
    columns = _columns(lines[0])
    borders = [i for i, line in enumerate(lines) if BORDER.match(line)]
    header_end = borders[1] if len(borders) >= 3 else 0
    rows, header = [], []
    for index, line in enumerate(lines):
        if index in borders or not line.strip():
            continue
        cells = _cells(line, columns)
        target = header if index < header_end else rows
        if target and not cells[0]:
            target[-1] = [f"{old} {new}".strip() for old, new in zip(target[-1], cells)]
        else:
            target.append(cells)
    if not header:  # a table without a header row: Markdown needs one
        header = [[""] * len(columns)]
    out = [indent + _markdown_row(row) for row in header[:1]]
    out.append(indent + "|" + "|".join(" --- " for _ in columns) + "|")
    out += [indent + _markdown_row(row) for row in rows]
    return out


def _indent(line):
    return len(line) - len(line.lstrip())


def _sections(lines):
    """Google-style sections: [(title line index, [block line indices])]."""
    found = []
    for index, line in enumerate(lines):
        if not SECTION.match(line):
            continue
        block = []
        for j in range(index + 1, len(lines)):
            if lines[j].strip() and _indent(lines[j]) <= _indent(line):
                break
            block.append(j)
        while block and not lines[block[-1]].strip():
            block.pop()
        if block:
            found.append((index, block))
    return found


def regroup_sections(lines):
    """Returns lines whose prose items griffe would split up, and Raises
    lines it would drop, rewritten as described in the module docstring."""
    lines = list(lines)
    for title, block in reversed(_sections(lines)):
        base = min(_indent(lines[j]) for j in block if lines[j].strip())
        starts = [j for j in block if lines[j].strip() and _indent(lines[j]) == base]
        kind = SECTION.match(lines[title]).group("kind").lower()
        if kind.startswith("raise"):
            if all(RAISES_ITEM.match(lines[j]) for j in starts):
                continue
            text = " ".join(lines[j].strip() for j in block if lines[j].strip())
            lines[title:block[-1] + 1] = [
                " " * _indent(lines[title]) + SECTION.match(lines[title]).group("kind")
                + ": " + text
            ]
            continue
        for j in starts[1:]:
            if not NAMED_ITEM.match(lines[j]):
                lines[j] = " " * 4 + lines[j]
    return lines


def to_markdown(docstring):
    """The docstring with its RST simple tables and loose characters made Markdown."""
    lines = regroup_sections(docstring.split("\n"))
    out, i = [], 0
    while i < len(lines):
        border = BORDER.match(lines[i])
        if border:
            # a simple table has three borders: top, under the header, bottom
            found = [i]
            j = i + 1
            while j < len(lines) and len(found) < 3:
                if BORDER.match(lines[j]):
                    found.append(j)
                j += 1
            if len(found) == 3:
                if out and out[-1].strip():
                    out.append("")
                out += _table(lines[i:found[2] + 1], border.group("indent"))
                if found[2] + 1 < len(lines) and lines[found[2] + 1].strip():
                    out.append("")
                i = found[2] + 1
                continue
        out.append(escape_text(lines[i]))
        i += 1
    return "\n".join(out)


class PlainDocstrings(griffe.Extension):
    """Rewrites every docstring of the loaded objects (see the module docstring)."""

    def on_object(self, *, obj, **kwargs):
        if obj.docstring is not None:
            obj.docstring.value = to_markdown(obj.docstring.value)
