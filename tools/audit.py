"""Lighthouse on the built book, as a phone on a slow connection sees it.

    python tools/audit.py SITE_DIR OUT.json [PAGE ...]

Serves SITE_DIR with gzip below site_url's path (tools/pages_server.py, as
GitHub Pages serves it) and runs Lighthouse (tools/audit-npm, pinned) in its
default mode: an emulated mid-range phone, simulated slow 4G, the CPU slowed
down four times, the four categories.  Pages: the home page and every chapter
of the nav in both languages (or the paths given).  Prints one row per page
(the scores, largest contentful paint, total blocking time, bytes
transferred) and writes them all to OUT.json.  `nox -s audit` runs it; it is
a report, not a test.
"""

import json
import os
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import pages_server  # noqa: E402 - tools/ is not a package

LIGHTHOUSE = ROOT / "tools" / "audit-npm" / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = os.environ.get("RNNBOOK_CHROMIUM", "/usr/bin/chromium")
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking "
                "--disable-component-update --disable-sync --no-first-run")
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]


def chapter_paths():
    """The home page and every chapter of the nav (not the print edition or
    the API reference), in both languages."""
    import mkdocs_config  # tools/: mkdocs.yml read without building

    paths = []
    for src in mkdocs_config.nav_sources(ROOT / "mkdocs.yml"):
        if src.startswith(("print", "api")):
            continue
        stem = src.rsplit(".", 1)[0]
        url = "" if stem == "index" else stem + "/"
        paths += ["/" + url, "/en/" + url]
    return paths


def lighthouse(url, out_dir):
    report = pathlib.Path(out_dir) / "report.json"
    subprocess.run(
        ["node", str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
         f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}",
         "--max-wait-for-load=90000"],
        check=True, env={**os.environ, "CHROME_PATH": CHROMIUM},
    )
    data = json.loads(report.read_text(encoding="utf-8"))
    audits = data["audits"]
    failing = {category: [ref["id"] for ref in data["categories"][category]["auditRefs"]
                          if ref["weight"] and (audits[ref["id"]].get("score") is not None)
                          and audits[ref["id"]]["score"] < 1]
               for category in CATEGORIES}
    # where an accessibility audit fails, its first nodes, to look at
    nodes = {ref["id"]: [(item.get("node") or {}).get("selector", "")
                         + " :: " + (item.get("node") or {}).get("explanation", "")[:160]
                         for item in (audits[ref["id"]].get("details") or {}).get("items", [])[:3]]
             for ref in data["categories"]["accessibility"]["auditRefs"]
             if audits[ref["id"]].get("score") == 0}
    return {
        "accessibility_nodes": nodes,
        "scores": {c: round(100 * (data["categories"][c]["score"] or 0)) for c in CATEGORIES},
        "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
        "tbt_ms": round(audits["total-blocking-time"]["numericValue"]),
        "transfer_bytes": round(audits["total-byte-weight"]["numericValue"]),
        "not_passed": failing,
    }


def main(site_dir, out, paths):
    if not LIGHTHOUSE.is_file():
        sys.exit(f"Lighthouse is not installed at {LIGHTHOUSE} (nox -s audit installs it)")
    paths = paths or chapter_paths()
    results = {}
    header = f"{'page':<34}{'perf':>5}{'a11y':>5}{'b.p.':>5}{'seo':>5}{'LCP s':>7}{'TBT ms':>8}{'KB':>7}"
    print(header)
    with pages_server.serve(site_dir) as base, tempfile.TemporaryDirectory() as work:
        for path in paths:
            result = lighthouse(base + path, work)
            results[path] = result
            s = result["scores"]
            print(f"{path:<34}{s['performance']:>5}{s['accessibility']:>5}"
                  f"{s['best-practices']:>5}{s['seo']:>5}{result['lcp_ms'] / 1000:>7.1f}"
                  f"{result['tbt_ms']:>8}{result['transfer_bytes'] / 1024:>7.0f}", flush=True)
    pathlib.Path(out).parent.mkdir(parents=True, exist_ok=True)
    pathlib.Path(out).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n",
                                 encoding="utf-8")
    print(f"written to {out}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
