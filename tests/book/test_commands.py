"""The book shows the README's commands for reading and checking it, word for word.

The README is the reference: .ci/run runs its verify command.  The home page
and "运行本书的代码 / Running the book's code" show the command that serves the
book locally and the one that runs every check, in ```shell fences (which
pytest-codeblocks does not run).  Every line of a command fence on any page
that calls nox must be a command of the README, so that a change to one
cannot leave the other behind; and both pages, in both languages, show both.
"""

import pytest
from booksource import DOCS, REPO, fences, markdown_pages

COMMAND_FENCES = {"shell", "bash", "sh", "console"}
PAGES_THAT_SHOW_THEM = ["index.md", "index.en.md", "running.md", "running.en.md"]


def nox_lines(path):
    """The lines of the page's command fences that call nox, as written."""
    return [line.strip()
            for fence in fences(path) if fence.info.strip() in COMMAND_FENCES
            for line in fence.code.splitlines()
            if "nox" in line and not line.lstrip().startswith("#")]


def readme_commands():
    """{'read': ..., 'verify': ...} from the README; verify is the one .ci/run runs."""
    commands = nox_lines(REPO / "README.md")
    ci = [line.strip() for line in (REPO / ".ci" / "run").read_text().splitlines()
          if "nox" in line and not line.lstrip().startswith("#")]
    assert len(ci) == 1 and ci[0] in commands, f".ci/run runs {ci}, the README shows {commands}"
    serve = [line for line in commands if line.endswith("-s serve")]
    assert len(serve) == 1, f"the README shows {len(serve)} serve commands: {commands}"
    return {"read": serve[0], "verify": ci[0], "all": set(commands)}


def rel(path):
    return str(path.relative_to(REPO))


@pytest.mark.parametrize("path", markdown_pages(), ids=lambda p: p.relative_to(DOCS).as_posix())
def test_every_nox_command_on_a_page_is_the_readmes(path):
    readme = readme_commands()["all"]
    stray = [line for line in nox_lines(path) if line not in readme]
    assert not stray, f"{rel(path)} shows commands the README does not: {stray}"


@pytest.mark.parametrize("name", PAGES_THAT_SHOW_THEM)
def test_the_read_and_verify_commands_are_shown(name):
    shown = nox_lines(DOCS / name)
    commands = readme_commands()
    missing = [what for what in ("read", "verify") if commands[what] not in shown]
    assert not missing, f"docs/{name} does not show the README's {missing} command"


def test_nox_lines_reads_command_fences_only():
    readme = REPO / "README.md"
    assert readme_commands()["verify"] in nox_lines(readme)
    # the book's Python fences mention no nox command, and none is read from them
    assert all("import" not in line for line in nox_lines(readme))
