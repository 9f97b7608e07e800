"""The removable features of the starter and the marked blocks they own in shared files: the one reader of
tools/features.toml and of the ``feature:`` markers, for `make remove-feature` and for the test that keeps
both true of the tree.

A marker is a whole line, in the comment style of its file: ``# feature: workflow`` ... ``# end feature:
workflow`` (``//`` in JavaScript, ``/* */`` in CSS, ``<!-- -->`` in HTML and Markdown, ``%%`` in a
Mermaid diagram). Blocks never nest:
a line that belongs to two features belongs to the one that must go first.
"""

import re
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MANIFEST = REPO / "tools" / "features.toml"
MARKER = re.compile(
    r"^[ \t]*(?:#|//|%%|/\*|<!--)[ \t]*(?P<end>end )?feature: (?P<name>[a-z][a-z-]*)[ \t]*(?:\*/|-->)?[ \t]*$"
)
# Files that hold no markers: binary, or JSON, which has no comments (owned whole, or generated).
UNMARKED_SUFFIXES = frozenset({".png", ".json"})


class MarkerError(ValueError):
    """Markers that do not pair up; the message names the file and the line."""


@dataclass(frozen=True)
class Feature:
    """One removable feature, as tools/features.toml describes it."""

    name: str
    summary: str
    paths: tuple[str, ...]
    # Lines of the dashboard's JSON body to drop: JSON takes no markers, so the manifest names them.
    dashboard: tuple[str, ...]
    # Features to remove first, and why.
    after: tuple[str, ...]
    why_after: str


@dataclass(frozen=True)
class Manifest:
    features: dict[str, Feature]
    removed: tuple[str, ...]


def manifest(path: Path = MANIFEST) -> Manifest:
    """The features still in the tree, and those already removed from it."""
    data = tomllib.loads(path.read_text())
    features = {
        name: Feature(
            name=name,
            summary=table["summary"],
            paths=tuple(table["paths"]),
            dashboard=tuple(table.get("dashboard", ())),
            after=tuple(table.get("after", ())),
            why_after=table.get("why_after", ""),
        )
        for name, table in data.get("features", {}).items()
    }
    return Manifest(features=features, removed=tuple(data.get("removed", ())))


@dataclass(frozen=True)
class Block:
    """The lines of one marked block, markers included (0-based, end exclusive)."""

    feature: str
    start: int
    end: int


def blocks(text: str, where: str) -> list[Block]:
    """Every marked block of ``text``; raises MarkerError (naming ``where`` and the line) for a nested,
    unclosed or stray marker."""
    found: list[Block] = []
    opened: tuple[str, int] | None = None
    for number, line in enumerate(text.splitlines()):
        marker = MARKER.match(line)
        if not marker:
            continue
        name = marker["name"]
        if marker["end"] is None:
            if opened:
                raise MarkerError(
                    f"{where}:{number + 1}: 'feature: {name}' opens inside 'feature: {opened[0]}' "
                    f"(line {opened[1] + 1}); blocks do not nest"
                )
            opened = (name, number)
        elif opened is None or opened[0] != name:
            inside = f" inside 'feature: {opened[0]}' (line {opened[1] + 1})" if opened else ""
            raise MarkerError(f"{where}:{number + 1}: 'end feature: {name}' closes no block{inside}")
        else:
            found.append(Block(feature=name, start=opened[1], end=number + 1))
            opened = None
    if opened:
        raise MarkerError(f"{where}:{opened[1] + 1}: 'feature: {opened[0]}' is never closed")
    return found


def cut(text: str, feature: str, where: str) -> str:
    """``text`` without the blocks of ``feature``, markers included. A blank line on both sides of a block
    becomes one, so the file keeps its spacing."""
    lines = text.splitlines(keepends=True)
    drop: set[int] = set()
    for block in blocks(text, where):
        if block.feature != feature:
            continue
        drop |= set(range(block.start, block.end))
        before_blank = block.start == 0 or not lines[block.start - 1].strip()
        if before_blank and block.end < len(lines) and not lines[block.end].strip():
            drop.add(block.end)
    return "".join(line for number, line in enumerate(lines) if number not in drop)


def text_files(root: Path = REPO) -> list[Path]:
    """The files git knows in ``root`` (tracked, and untracked ones not ignored) that may hold markers."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],  # noqa: S607 (git from PATH, with our own arguments)
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    paths = (root / name for name in listed.split("\0") if name)
    return sorted(path for path in paths if path.is_file() and path.suffix not in UNMARKED_SUFFIXES)


def owned(feature: Feature, path: Path, root: Path = REPO) -> bool:
    """Whether ``path`` is one of the feature's own files, or inside one of its folders."""
    relative = path.relative_to(root).as_posix()
    return any(
        relative == own.rstrip("/") or relative.startswith(own.rstrip("/") + "/") for own in feature.paths
    )
