#!/usr/bin/env bash
# Re-vendor KaTeX into docs/assets/katex/ from the npm registry.
#
#     bash tools/vendor_katex.sh            # the pinned version below
#     KATEX_VERSION=0.19.1 bash tools/vendor_katex.sh
#
# The site renders its equations with these files and loads nothing from a
# CDN.  What is kept, from the package's dist/ folder:
#
#     katex.min.js                   the renderer, run by Node.js when the site
#                                    is built (tools/build_math.py); pages do
#                                    not load it
#     contrib/copy-tex.min.js        copying rendered math copies its TeX
#     katex.min.css                  rewritten, see below
#     fonts/*.woff2                  only the woff2 fonts
#     LICENSE                        KaTeX's MIT licence
#
# Fonts: every browser the book targets reads woff2, so the .woff and .ttf
# copies are dropped and each @font-face src list in katex.min.css is cut
# down to its woff2 entry.  That keeps the vendored KaTeX near 600 KB instead
# of 1.5 MB.  The script fails if the rewritten CSS still names a font file
# that was not copied.
#
# Font display: KaTeX declares its fonts font-display:block, so formulas stay
# invisible until their fonts arrive: on a slow phone connection the first
# screen of a chapter waited a second or two for them (Lighthouse's largest
# contentful paint 3.8 s on the BPTT chapter).  They are rewritten to swap:
# a formula shows in a fallback face for that moment, then in KaTeX's; the
# layout hardly moves, since KaTeX's boxes carry their own sizes (cumulative
# layout shift 0.017).  tools/build_math.py preloads the two faces nearly
# every formula uses.
#
# Needs npm (for `npm pack`, which checks the tarball's integrity against
# the registry) and python3 (for the CSS rewrite).
set -euo pipefail

version="${KATEX_VERSION:-0.19.1}"
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/docs/assets/katex"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "katex@$version" >/dev/null)
tar -xzf "$work/katex-$version.tgz" -C "$work"
dist="$work/package/dist"

rm -rf "$dest"
mkdir -p "$dest/contrib" "$dest/fonts"
cp "$dist/katex.min.js" "$dest/"
cp "$dist/contrib/copy-tex.min.js" "$dest/contrib/"
cp "$dist"/fonts/*.woff2 "$dest/fonts/"
cp "$work/package/LICENSE" "$dest/LICENSE"
echo "$version" >"$dest/VERSION"

python3 - "$dist/katex.min.css" "$dest/katex.min.css" <<'EOF'
import pathlib
import re
import sys

source, target = map(pathlib.Path, sys.argv[1:])
css = source.read_text(encoding="utf-8")


def woff2_only(match):
    entries = [e for e in match.group(1).split(",") if 'format("woff2")' in e]
    if len(entries) != 1:
        sys.exit(f"expected one woff2 source in {match.group(0)!r}")
    return "src:" + entries[0]


css, count = re.subn(r"src:([^;}]*)", woff2_only, css)
if count == 0:
    sys.exit("no @font-face src lists found in katex.min.css")
css, swapped = re.subn(r"font-display:block", "font-display:swap", css)
if swapped != count:
    sys.exit(f"{count} @font-face rules but {swapped} say font-display:block")
fonts_dir = target.parent / "fonts"
for name in re.findall(r"url\((?:fonts/)?([^)]+)\)", css):
    if not (fonts_dir / name).is_file():
        sys.exit(f"katex.min.css names fonts/{name}, which was not copied")
if re.search(r"https?://", css):
    sys.exit("katex.min.css refers to a remote URL")
target.write_text(css, encoding="utf-8")
print(f"katex.min.css: {count} @font-face rules rewritten to woff2 only")
EOF

du -sh "$dest"
echo "KaTeX $version vendored into ${dest#"$root"/}"
