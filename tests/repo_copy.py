"""A copy of this repository to change as a user of the starter would (rename it, remove a feature,
scaffold a function) and then test. One mechanism for every such test, so they stay cheap and alike.

The copy holds the files git knows (tracked, and untracked ones not ignored: a change being made is
copied too) with their modification times kept, and it borrows this checkout's virtualenvs and
node_modules by symlink (made after `git add`, so never staged): make sees its install stamps as newer
than pyproject.toml and installs nothing, so a copy costs a file copy, not an install.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

GIT = shutil.which("git") or "git"
ROOT = Path(__file__).resolve().parent.parent
# What `make install` creates: shared with the copy, never copied (hundreds of MB).
BORROWED = (".venv", ".venv-scan", ".local/node")


def git(root: Path, *arguments: str) -> str:
    """A git command's output, run in ``root``."""
    finished = subprocess.run(  # noqa: S603 (git, with our own arguments)
        [GIT, *arguments], cwd=root, check=True, capture_output=True, text=True
    )
    return finished.stdout


def tracked_files(root: Path = ROOT) -> list[Path]:
    """The repository's files as git sees them: tracked, plus untracked files that are not ignored."""
    listed = git(root, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
    return [Path(name) for name in listed.split("\0") if name and (root / name).is_file()]


def copy_repo(destination: Path, root: Path = ROOT) -> Path:
    """Copy the repository into ``destination`` (created) and borrow its installed tools; returns it."""
    for name in tracked_files(root):
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, target)
    # A clone is a git repository: `git grep` finds what a rename must change, `git ls-files` what is there.
    git(destination, "init", "--quiet")
    git(destination, "add", "--all")
    for borrowed in BORROWED:
        if (root / borrowed).exists():
            (destination / borrowed).parent.mkdir(parents=True, exist_ok=True)
            (destination / borrowed).symlink_to(root / borrowed)
    return destination


def run(copy: Path, *command: str, timeout: float = 600) -> str:
    """Run a command in the copy as a user would from its root; fail the test with its output if it fails.
    The copy's own sources come first on the path: a leftover PYTHONPATH of ours must not leak in."""
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    finished = subprocess.run(  # noqa: S603 (the tests' own commands, in a copy they made)
        command, cwd=copy, env=environment, capture_output=True, text=True, timeout=timeout, check=False
    )
    output = finished.stdout + finished.stderr
    if finished.returncode:
        shown = " ".join(command)
        raise AssertionError(f"`{shown}` failed in {copy} ({finished.returncode}):\n{output[-6000:]}")
    return output


def pytest_in(copy: Path, *arguments: str, timeout: float = 600) -> str:
    """Run the copy's own tests with the interpreter of our virtualenv (which the copy borrows)."""
    pytest = (sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider")
    return run(copy, *pytest, *arguments, timeout=timeout)
