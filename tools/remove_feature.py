"""`make remove-feature FEATURE=workflow`: takes a feature out of the starter along its seam, so that what
remains passes the suite with no hand edit (README, "Make it yours: remove a feature").

It deletes the files and folders tools/features.toml says the feature owns, cuts the feature's marked
blocks from every other file (tools/features.py), drops its lines from the dashboard's JSON (which takes
no markers) and records the feature as removed in the manifest. Then ruff drops the imports a cut left
unused and formats the Python it cut (so import lines need no markers), and the generators run (`make
generate openapi samples`) so that the generated files follow. It changes nothing when it
refuses: an unknown feature, one whose dependents are still there, or markers that do not pair up.
"""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tools.features import MANIFEST, REPO, Feature, MarkerError, blocks, cut, manifest, owned, text_files

TEMPLATE = "template.yaml"
DASHBOARD = re.compile(r"^(?P<indent> *)DashboardBody: !Sub \|\n", re.MULTILINE)
REMOVED = re.compile(r"(?m)^removed = \[(?P<names>[^\]]*)\]$")
# What follows a cut: every generated file made anew from what remains (README, Layout).
GENERATE = ("make", "--no-print-directory", "generate", "openapi", "samples")


class Refused(Exception):
    """The feature cannot be removed as asked; the message says why and what to do."""


def without_dashboard_lines(template: str, tokens: tuple[str, ...]) -> str:
    """The template with every dashboard line that holds one of ``tokens`` dropped, then every widget left
    without a metric, and the commas fixed; refuses if the body would not be JSON any more."""
    found = DASHBOARD.search(template)
    if not found or not tokens:
        return template
    start = found.end()
    indent = len(found["indent"])
    lines = template[start:].splitlines(keepends=True)
    length = next(
        (n for n, line in enumerate(lines) if line.strip() and len(line) - len(line.lstrip()) <= indent),
        len(lines),
    )
    body = [line for line in lines[:length] if not any(token in line for token in tokens)]
    body = _without_empty_widgets(body)
    for number, line in enumerate(body):
        following = next((later.strip() for later in body[number + 1 :] if later.strip()), "")
        if line.rstrip().endswith(",") and following[:1] in {"]", "}"}:
            body[number] = line.rstrip()[:-1] + "\n"
    try:
        json.loads("".join(body))
    except json.JSONDecodeError as error:
        raise Refused(f"{TEMPLATE}: the dashboard would not be JSON without those lines ({error})") from None
    return template[:start] + "".join(body) + "".join(lines[length:])


def _without_empty_widgets(body: list[str]) -> list[str]:
    """Widgets are written one per block, from `{"type": ...` to `]}}`; one with no metric line left goes."""
    kept: list[str] = []
    widget: list[str] = []
    for line in body:
        if line.lstrip().startswith('{"type":'):
            widget = [line]
        elif widget:
            widget.append(line)
            if line.lstrip().startswith("]}}"):
                if any(part.lstrip().startswith("[") for part in widget[1:-1]):
                    kept.extend(widget)
                widget = []
        else:
            kept.append(line)
    return kept + widget


def checked(name: str, root: Path) -> Feature | None:
    """The feature to remove, or None if it is gone already; raises Refused for what cannot be removed."""
    features = manifest(root / MANIFEST.relative_to(REPO))
    if name in features.removed:
        return None
    if name not in features.features:
        known = ", ".join(sorted(features.features)) or "none left"
        raise Refused(f"no feature '{name}' in tools/features.toml (removable: {known})")
    feature = features.features[name]
    waiting = [first for first in feature.after if first in features.features]
    if waiting:
        first = waiting[0]
        raise Refused(
            f"remove the {first} first ({feature.why_after}): make remove-feature FEATURE={first}, "
            f"then FEATURE={name}"
        )
    try:
        for path in text_files(root):
            blocks(path.read_text(), str(path.relative_to(root)))
    except MarkerError as unpaired:
        raise Refused(f"{unpaired}; fix it first, nothing was changed") from None
    return feature


def remove(feature: Feature, root: Path) -> tuple[list[Path], list[Path]]:
    """Delete the feature's paths and cut its blocks; returns what was deleted and what was changed. Every
    cut is made before anything is written, so a refusal leaves the tree as it was."""
    deleted = [root / path for path in feature.paths if (root / path).exists()]
    updates = {}
    for path in text_files(root):
        if owned(feature, path, root):
            continue
        text = path.read_text()
        updated = cut(text, feature.name, str(path.relative_to(root)))
        if path == root / TEMPLATE:
            updated = without_dashboard_lines(updated, feature.dashboard)
        if path == root / MANIFEST.relative_to(REPO):
            updated = _recorded_as_removed(updated, feature.name)
        if updated != text:
            updates[path] = updated
    for path, updated in updates.items():
        path.write_text(updated)
    for path in deleted:
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    return deleted, list(updates)


def _recorded_as_removed(text: str, name: str) -> str:
    found = REMOVED.search(text)
    if not found:
        raise Refused("tools/features.toml has no `removed = [...]` line to record the removal in")
    names = [part.strip() for part in found["names"].split(",") if part.strip()]
    listed = ", ".join([*names, json.dumps(name)])
    return text[: found.start()] + f"removed = [{listed}]" + text[found.end() :]


def main(argv: list[str], root: Path = REPO) -> int:
    if len(argv) != 1 or not argv[0]:
        print("usage: make remove-feature FEATURE=<name>   (tools/features.toml lists them)", file=sys.stderr)
        return 2
    try:
        feature = checked(argv[0], root)
        if feature is None:
            print(f"make remove-feature: {argv[0]} is removed already (tools/features.toml); nothing to do")
            return 0
        deleted, changed = remove(feature, root)
    except Refused as refusal:
        print(f"make remove-feature: {refusal}", file=sys.stderr)
        return 2
    python = [str(path) for path in changed if path.suffix == ".py"]
    if python:
        ruff = [sys.executable, "-m", "ruff"]
        unused_imports = [*ruff, "check", "--fix", "--quiet", "--select", "F401,I001", *python]
        for command in (unused_imports, [*ruff, "format", "--quiet", *python]):
            subprocess.run(command, cwd=root, check=True)  # noqa: S603 (our interpreter, the files we cut)
    # Fresh processes read the template as it is now.
    if subprocess.run(GENERATE, cwd=root, check=False).returncode:  # noqa: S603 (make from PATH, our own targets)
        print(
            f"make remove-feature: {feature.name} is cut, but a generator failed (above): fix what it says, "
            "then make generate openapi samples",
            file=sys.stderr,
        )
        return 1
    print(f"Removed {feature.name}: {feature.summary}")
    for path in deleted:
        print(f"  deleted {path.relative_to(root)}")
    for path in changed:
        print(f"  cut     {path.relative_to(root)}")
    print(
        "  regenerated: template.yaml's generated blocks, docs/openapi.json, README.md's route table, events/"
    )
    print("Next: make test. On a deployed stack, read README 'Make it yours: remove a feature' first.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
