"""Every workflow of the project.  ``nox`` alone runs every check.

    nox              lint, package tests, code blocks, strict site build, browser
                     tests, the PDF edition
    nox -s serve     build the book and serve it on http://127.0.0.1:8000
    nox -s tests     the package tests only (and the PyTorch cross-checks)
    nox -s book      every code block of the book, and the book's own tests
    nox -s docs      `mkdocs build --strict` into site/, then the built-site tests
                     (notebooks execute once, then come from .cache/notebooks/;
                     `nox -s docs -- --fresh` executes them again)
    nox -s browser   the built site in Debian's headless Chromium
    nox -s pdf       the book printed to artifacts/pdf/rnnbook-zh.pdf and -en.pdf
    nox -s timings   docs cold, warm and after an edit; serve edit-to-refresh
                     (not part of `nox`)
    nox -s lock      refresh requirements/constraints.txt (not part of `nox`)
    nox -s bench     the benchmark: textbook vs rnnbook.fast vs torch (not part of `nox`)

Sessions use uv to create their environments when uv is installed and fall
back to virtualenv otherwise.  Every session installs with the versions pinned
in requirements/constraints.txt, so two runs on two machines install the same.
"""

import contextlib
import glob
import os
import re
import shutil
import subprocess
import sys

import nox

nox.options.default_venv_backend = "uv|virtualenv"
# A session's environment is kept between runs and brought up to date by its
# install step (every pin of CONSTRAINTS re-applied, which takes uv a second):
# recreating it cost about 10 s per session of the book loop.  CI starts from
# a clean checkout, so it always builds them new.
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True
nox.options.sessions = ["lint", "tests", "book", "tools", "docs", "browser", "pdf"]

# Every version every session installs (`nox -s lock` writes it).
CONSTRAINTS = "requirements/constraints.txt"
LOCK_INPUTS = ["pyproject.toml", "requirements/tools.in"]
# Built files a person or CI keeps: screenshots, the PDFs, the list of
# external links (gitignored).
ARTIFACTS = "artifacts"

# mkdocs-material 9.8 prints a banner about MkDocs 2 on every build.
MKDOCS_ENV = {"NO_MKDOCS_2_WARNING": "1"}
# The notebooks train small models: one BLAS thread is faster than two
# fighting over two cores with the kernel that runs them.
MKDOCS_ENV["OPENBLAS_NUM_THREADS"] = "1"
# The browser tests and the PDF printer drive Debian's Chromium; Playwright
# never downloads one.  RNNBOOK_CHROMIUM names another Chromium build (CI on a
# machine whose Chromium lives elsewhere).
CHROMIUM = os.environ.get("RNNBOOK_CHROMIUM", "/usr/bin/chromium")
# `nox -s serve` serves the book at the root of this address, not below the
# path of the published site_url.
SERVE_ADDRESS = "127.0.0.1:8000"

# The PyTorch release the cross-checks pin.  A CPU build of it lies in a local
# wheel folder on the project's machines; PyPI's default Linux build of torch
# pulls several GB of CUDA libraries, so we never ask an index for it.
TORCH_VERSION = "2.13.0"
PY_TAG = f"cp{sys.version_info.major}{sys.version_info.minor}"


def local_torch_wheel():
    """A local CPU wheel of TORCH_VERSION for this Python, or None."""
    folders = os.environ.get("PIP_FIND_LINKS", "").split() + ["/opt/wheels"]
    for folder in folders:
        pattern = os.path.join(folder, f"torch-{TORCH_VERSION}+cpu-{PY_TAG}-{PY_TAG}-*.whl")
        for wheel in sorted(glob.glob(pattern)):
            return wheel
    return None


def install(session, *args):
    """session.install with every version pinned by CONSTRAINTS, the build
    backend of `-e .` included (PIP_CONSTRAINT reaches pip's isolated build
    environment, UV_BUILD_CONSTRAINT uv's)."""
    session.install(
        "-c", CONSTRAINTS, *args,
        env={"PIP_CONSTRAINT": CONSTRAINTS, "UV_BUILD_CONSTRAINT": CONSTRAINTS},
    )


def install_torch(session):
    wheel = os.environ.get("RNNBOOK_TORCH_WHEEL") or local_torch_wheel()
    if wheel:
        install(session, wheel)
    else:
        session.warn(
            f"no local CPU wheel of torch {TORCH_VERSION} for {PY_TAG}: the PyTorch "
            "cross-checks will be skipped (set RNNBOOK_TORCH_WHEEL to a wheel to run them)"
        )


def _name(requirement):
    """The normalized project name a requirement line starts with (PEP 503)."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    return re.sub(r"[-_.]+", "-", match.group(1)).lower() if match else None


def unpinned_requirements():
    """What pyproject.toml and requirements/tools.in require by name that
    CONSTRAINTS does not pin: a dependency added without `nox -s lock`."""
    import tomllib

    with open("pyproject.toml", "rb") as file:
        project = tomllib.load(file)["project"]
    wanted = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        wanted += extra
    with open(LOCK_INPUTS[1], encoding="utf-8") as file:
        wanted += [line for line in file if line.strip() and not line.lstrip().startswith("#")]
    with open(CONSTRAINTS, encoding="utf-8") as file:
        pinned = {_name(line) for line in file if "==" in line and not line.startswith(" ")}
    # torch is installed from its local wheel and left out of the constraints
    return sorted({_name(line) for line in wanted} - pinned - {"torch", None})


@nox.session
def lint(session):
    """Static checks: ruff on the package, the tests and the tooling; every
    requirement pinned in requirements/constraints.txt."""
    missing = unpinned_requirements()
    if missing:
        session.error(f"{CONSTRAINTS} does not pin {missing}: run `python3 -m nox -s lock`")
    install(session, "ruff")
    session.run("ruff", "check", "rnnbook", "tests", "tools", "noxfile.py")


# The suites whose tests take seconds each run in one pytest-xdist process
# per core ("logical": CI's two vCPUs are two).  worksteal: a process that
# runs out of tests takes some of the other's, so a few slow gradient checks
# or notebook builds do not leave one core idle at the end.  The built-site
# tests keep each file in one process (loadfile): a file parses the site's
# HTML once for all its tests.  `nox -s tests -- -n0` (or tools, docs) runs
# them in one process.
XDIST = ["-n", "logical", "--dist", "worksteal"]
XDIST_BY_FILE = ["-n", "logical", "--dist", "loadfile"]


@nox.session
def tests(session):
    """The package tests, with the PyTorch cross-checks where torch can be installed."""
    install(session, "-e", ".[test]")
    install_torch(session)
    session.run("pytest", "tests/package", *XDIST, *session.posargs)


@nox.session
def book(session):
    """Every Python block of the book runs; the book's structure tests pass.

    pytest-codeblocks would also run ```bash blocks; the plugin given with -p
    leaves them out (the book's shell lines are for readers, not for CI).
    """
    # matplotlib (pinned with the docs extra): tests/book/test_figures.py
    # redraws the figures, whose data plots tools/figures/ draws with it
    install(session, "-e", ".[test]", "matplotlib")
    # the conventions appendix checks rnnbook against torch.nn.LSTM/GRU
    install_torch(session)
    # first the fast checks of the sources (a fence that would not run, a
    # printed function that drifted from rnnbook, a zh/en mismatch) ...
    session.run("pytest", "tests/book", *session.posargs)
    # ... then every Python block, zh and en, and the README's example
    session.run(
        "python", "-m", "pytest", "-p", "tests.book.python_blocks_only", *XDIST,
        "--codeblocks", "docs", "README.md",
    )


# Executed notebooks, keyed by what their outputs depend on
# (tools/notebook_cache.py; gitignored).  `nox -s docs -- --fresh` empties it.
NOTEBOOK_CACHE = os.path.join(".cache", "notebooks")


# Chapter downloads that ran to the end (tests/site/test_chapter_code.py), by
# the same kind of key; --fresh empties it too.
CHAPTER_CODE_CACHE = os.path.join(".cache", "chapter-code")


def fresh_option(session):
    """session.posargs without --fresh; with it, the notebook cache and the
    chapter-code runs are emptied first, so that everything executes again."""
    if "--fresh" not in session.posargs:
        return list(session.posargs)
    session.log(f"--fresh: emptying {NOTEBOOK_CACHE}/ and {CHAPTER_CODE_CACHE}/")
    shutil.rmtree(NOTEBOOK_CACHE, ignore_errors=True)
    shutil.rmtree(CHAPTER_CODE_CACHE, ignore_errors=True)
    return [arg for arg in session.posargs if arg != "--fresh"]


@nox.session
def tools(session):
    """The build's own tools (tests/tools): the notebook cache (a changed
    rnnbook re-executes, prose never does, twins compute once, prime), the
    build-time math, the search hook.  Apart from docs, so that rebuilding
    the book does not re-run them."""
    need_node(session)  # the build-time math runs KaTeX in Node.js
    install(session, "-e", ".[docs,test]")
    session.run("pytest", "tests/tools", *XDIST, *session.posargs)


@nox.session
def docs(session):
    """Build the site strictly into site/ and test what was built
    (tests/site).  Notebooks execute only when their code,
    rnnbook or a pinned version changed; `-- --fresh` executes them all."""
    posargs = fresh_option(session)
    need_node(session)
    # The Chinese notebooks label their plots in Chinese (rnnbook.notebook.
    # plot_language): without a CJK font matplotlib draws boxes and warns,
    # and the warning would stand on the page.
    reason = ensure_chromium(session, chromium=False)
    if reason:
        session.error(f"the Chinese notebooks' plots need a Chinese font: {reason}")
    install(session, "-e", ".[docs,test]")
    inputs = site_inputs_digest()
    prime_notebooks(session)
    session.run("mkdocs", "build", "--strict", "--site-dir", "site", env=MKDOCS_ENV)
    # browser and pdf reuse this build (it executes every notebook) while
    # nothing it was built from has changed
    os.makedirs(os.path.dirname(SITE_STAMP), exist_ok=True)
    with open(SITE_STAMP, "w", encoding="utf-8") as file:
        file.write(inputs)
    session.run("pytest", "tests/site", *XDIST_BY_FILE, *posargs, env={"RNNBOOK_SITE_DIR": "site"})


def prime_notebooks(session):
    """Execute the notebooks the cache lacks, one worker per core (twins in
    the same worker), before MkDocs, which would run them one by one."""
    session.run("python", "tools/notebook_cache.py", "prime", env=MKDOCS_ENV)


def has_chinese_font():
    """fontconfig knows a font for Chinese (else the zh pages print as boxes)."""
    if not shutil.which("fc-list"):
        return False
    found = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True)
    return found.returncode == 0 and bool(found.stdout.strip())


def apt_get_install(session, packages):
    """Install Debian packages; a reason when they cannot be had, else None."""
    what = " and ".join(packages)
    if not shutil.which("apt-get") or not hasattr(os, "geteuid") or os.geteuid() != 0:
        return f"{what} missing and only root on Debian can apt-get install it"
    session.log(f"installing Debian's {what} with apt-get")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", *packages]):
        if subprocess.run(command, env=env, stdin=subprocess.DEVNULL).returncode != 0:
            return f"`{' '.join(command)}` failed"
    return None


def need_node(session):
    """Node.js, which renders the book's math when the site is built
    (tools/build_math.py runs the vendored KaTeX in it): Debian's nodejs,
    installed with apt-get if missing."""
    if shutil.which("node") or shutil.which("nodejs"):
        return
    reason = apt_get_install(session, ["nodejs"])
    if reason or not (shutil.which("node") or shutil.which("nodejs")):
        session.error(f"Node.js is needed to build the site: {reason or 'not found after apt-get'}")


def ensure_chromium(session, chromium=True):
    """Debian's Chromium at CHROMIUM and a Chinese font, installed with apt-get
    (chromium, fonts-wqy-microhei) if missing; with chromium=False the font
    only (the docs session: the Chinese notebooks' plots are drawn with it).

    Returns a reason when they cannot be had, None when they are there.
    """
    missing = []
    if chromium and not os.access(CHROMIUM, os.X_OK):
        missing.append("chromium")
    if not shutil.which("fc-list"):
        missing.append("fontconfig")  # to ask for a Chinese font
    if not has_chinese_font():
        missing.append("fonts-wqy-microhei")
    if not missing:
        return None
    reason = apt_get_install(session, missing)
    if reason:
        return f"{reason} ({CHROMIUM})"
    if chromium and not os.access(CHROMIUM, os.X_OK):
        return f"apt-get installed chromium but {CHROMIUM} is not there"
    if not has_chinese_font():
        return "apt-get installed fonts-wqy-microhei but fontconfig knows no Chinese font"
    return None


# What the checks take from the npm registry, each folder a package.json of
# exact versions and the package-lock.json that pins the rest (`nox -s lock`
# refreshes them): axe-core for the browser session, Lighthouse for audit.
NPM_TOOLS = {"axe-core": "tools/npm", "lighthouse": "tools/audit-npm"}


def npm_tool(session, name):
    """`npm ci` in the folder of NPM_TOOLS that holds name (Debian's npm,
    apt-get installed if missing); nothing when it is installed already."""
    folder = NPM_TOOLS[name]
    if os.path.isdir(os.path.join(folder, "node_modules", name)):
        return
    if not shutil.which("npm"):
        reason = apt_get_install(session, ["npm"])
        if reason or not shutil.which("npm"):
            session.error(f"npm is needed for {session.name}: {reason or 'not found after apt-get'}")
    session.run("npm", "ci", "--prefix", folder, "--no-audit", "--no-fund", "--ignore-scripts",
                external=True)


@nox.session
def browser(session):
    """The built site in headless Chromium: clean loads, math, language, search,
    and every page read at 390 and 1280 px in both palettes (axe-core clean,
    no sideways scrolling, no equation number over its formula)."""
    need_chromium(session)
    npm_tool(session, "axe-core")
    install(session, "-e", ".[docs,browser]")
    site = build_site(session)
    session.run(
        "pytest", "tests/browser", *session.posargs,
        env={"RNNBOOK_SITE_DIR": site, "RNNBOOK_CHROMIUM": CHROMIUM},
    )


# What the site is built from; SITE_STAMP holds their digest at the last
# `nox -s docs` build into site/.
SITE_INPUTS = ["docs", "rnnbook", "tools", "overrides", "mkdocs.yml", CONSTRAINTS]
SITE_STAMP = os.path.join(".nox", "site-inputs.sha256")


def site_inputs_digest():
    """SHA-256 over the paths and bytes of every file the site is built from."""
    import hashlib

    digest = hashlib.sha256(os.environ.get("RNNBOOK_SITE_URL", "").encode())
    for top in SITE_INPUTS:
        paths = [top] if os.path.isfile(top) else sorted(
            os.path.join(folder, name)
            for folder, dirs, names in os.walk(top)
            # node_modules: what `npm ci` installs for the checks, not for the site
            if "__pycache__" not in folder and ".ipynb_checkpoints" not in folder
            and "node_modules" not in folder.split(os.sep)
            for name in names
        )
        for path in paths:
            digest.update(path.encode())
            with open(path, "rb") as file:
                digest.update(file.read())
    return digest.hexdigest()


def build_site(session):
    """The strictly built site: site/ when `nox -s docs` built it from the
    current sources (building executes every notebook, so it is done once per
    run), otherwise a fresh `mkdocs build --strict` into the session's
    temporary folder.  Returns its path."""
    if os.path.isdir("site") and os.path.exists(SITE_STAMP):
        with open(SITE_STAMP, encoding="utf-8") as file:
            if file.read() == site_inputs_digest():
                session.log("reusing site/, built by `nox -s docs` from the current sources")
                return os.path.abspath("site")
    need_node(session)
    site = os.path.join(session.create_tmp(), "site")
    prime_notebooks(session)
    session.run("mkdocs", "build", "--strict", "--quiet", "--site-dir", site, env=MKDOCS_ENV)
    return site


def need_chromium(session):
    reason = ensure_chromium(session)
    if reason:
        if os.environ.get("CI"):
            session.error(f"{session.name} cannot run: {reason}")
        session.warn(f"!!! {session.name.upper()} SKIPPED: {reason} !!!")
        session.skip(reason)


@nox.session
def pdf(session):
    """The printable edition printed by headless Chromium to
    artifacts/pdf/rnnbook-zh.pdf and rnnbook-en.pdf, then checked."""
    need_chromium(session)
    install(session, "-e", ".[docs,pdf]")
    site = build_site(session)
    out = os.path.join(ARTIFACTS, "pdf")
    session.run("python", "tools/print_pdf.py", site, out, env={"RNNBOOK_CHROMIUM": CHROMIUM})
    session.run(
        "pytest", "tests/pdf", *session.posargs,
        env={"RNNBOOK_SITE_DIR": site, "RNNBOOK_PDF_DIR": out},
    )


@nox.session(default=False)
def audit(session):
    """Lighthouse (tools/npm, pinned) in its default mobile mode on the home
    page and every chapter in both languages, the built site served with gzip
    as GitHub Pages serves it: prints the four scores and the bytes
    transferred per page and writes them to artifacts/audit.json.  A report,
    not a test: it fails only when Lighthouse cannot run."""
    need_chromium(session)
    npm_tool(session, "lighthouse")
    install(session, "-e", ".[docs]")
    site = build_site(session)
    session.run("python", "tools/audit.py", site, os.path.join(ARTIFACTS, "audit.json"),
                *session.posargs, env={"RNNBOOK_CHROMIUM": CHROMIUM})


@nox.session(default=False)
def bench(session):
    """Time textbook, rnnbook.fast and torch.nn side by side and print ratios.

    A benchmark, not a test: it never fails because a machine is slow.
    `nox -s bench -- --json docs/data/bench.json --markdown docs/data`
    refreshes the tables of the "making it fast" chapter.
    """
    install(session, "-e", ".[bench]")
    install_torch(session)
    session.run("python", "tests/bench/harness.py", *session.posargs)


@nox.session(default=False)
def serve(session):
    """Build the book and serve it on http://127.0.0.1:8000 (Ctrl-C stops it)."""
    need_node(session)
    install(session, "-e", ".[docs]")
    # notebooks come from the notebook cache while nothing they depend on
    # changes; an edit of rnnbook rebuilds too, and re-executes what calls it
    session.run(
        "mkdocs", "serve", "--dev-addr", SERVE_ADDRESS, "--watch", "rnnbook", *session.posargs,
        env={**MKDOCS_ENV, "RNNBOOK_SITE_URL": f"http://{SERVE_ADDRESS}/"},
    )


@nox.session(default=False)
def lock(session):
    """Refresh requirements/constraints.txt: every dependency of every session,
    for Python 3.11 and newer on any platform.

    torch is resolved from the local CPU wheel (so none of PyPI's CUDA packages
    is pinned) and left out of the file: the sessions install that wheel.
    """
    wheel = os.environ.get("RNNBOOK_TORCH_WHEEL") or local_torch_wheel()
    if not wheel:
        session.error(f"the lock needs the local CPU wheel of torch {TORCH_VERSION}: "
                      "set RNNBOOK_TORCH_WHEEL or PIP_FIND_LINKS")
    install(session, "uv")
    session.run(
        "uv", "pip", "compile", *LOCK_INPUTS, "--all-extras", "--universal",
        "--python-version", "3.11", "--find-links", os.path.dirname(os.path.abspath(wheel)),
        "--no-emit-package", "torch", "--upgrade",
        "--custom-compile-command", "python3 -m nox -s lock",
        "--output-file", CONSTRAINTS, *session.posargs,
    )
    # each tools/*npm*/package.json names exact versions; the locks pin what they need
    for folder in NPM_TOOLS.values():
        session.run("npm", "install", "--prefix", folder, "--package-lock-only",
                    "--ignore-scripts", "--no-audit", "--no-fund", external=True)


# The page `nox -s timings` edits: prose only, as a writer edits a chapter.
EDITED_PAGE = "docs/rnn/model.md"


@contextlib.contextmanager
def edited_page(edit=True):
    """EDITED_PAGE with a paragraph added at its end, restored on leaving."""
    if not edit:
        yield
        return
    with open(EDITED_PAGE, encoding="utf-8") as file:
        original = file.read()
    try:
        with open(EDITED_PAGE, "w", encoding="utf-8") as file:
            file.write(original + "\n（计时用的一段，随后即删。）\n")
        yield
    finally:
        with open(EDITED_PAGE, "w", encoding="utf-8") as file:
            file.write(original)


@nox.session(default=False)
def timings(session):
    """Time the book loop once and print the four times: `nox -s docs` with
    an empty notebook cache (cold), `nox -s docs` again (warm), `nox -s docs`
    after a line was added to a Markdown page (EDITED_PAGE, restored after),
    and under `mkdocs serve` the seconds from saving a Markdown page to the
    page served with the edit.  A benchmark, not a test.  The runs use a
    cache of their own, so .cache/notebooks/ is left as it was."""
    import tempfile
    import time

    need_node(session)
    install(session, "-e", ".[docs]")
    cache = tempfile.mkdtemp(prefix="rnnbook-timings-")
    env = {**os.environ, **MKDOCS_ENV, "RNNBOOK_NOTEBOOK_CACHE": cache,
           "RNNBOOK_CHAPTER_CODE_CACHE": os.path.join(cache, "chapter-code")}
    times = {}
    try:
        for name in ("docs cold", "docs warm", "docs after an edit"):
            session.log(f"{name}: python3 -m nox -s docs")
            started = time.perf_counter()
            with edited_page(name == "docs after an edit"):
                done = subprocess.run([sys.executable, "-m", "nox", "-s", "docs"], env=env)
            times[name] = time.perf_counter() - started
            if done.returncode:
                session.warn(f"{name}: `nox -s docs` failed (exit {done.returncode})")
                name += " (failed)"
                times[name] = times.pop(name.replace(" (failed)", ""))
        out = os.path.join(cache, "refresh.txt")
        session.run("python", "tools/serve_refresh.py", "--out", out, env=env)
        with open(out, encoding="utf-8") as file:
            times["serve edit-to-refresh"] = float(file.read())
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\n{'':2}book loop on {os.cpu_count()} cores (load average {load:.2f}):")
    for name, seconds in times.items():
        print(f"{'':4}{name:<24}{seconds:7.1f} s")
