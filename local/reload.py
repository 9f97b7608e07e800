"""Hot reload for `make local`: before an invocation, if a handler or layer module changed since the last
one, every module of the app is dropped, so the next invocation imports it all anew as a cold start would.

The app's modules are those whose files lie under a function's CodeUri or a layer's ContentUri (read from
template.yaml, like everything local/ knows). Dropping them all, not only the edited one, rebuilds
module-level state (cached clients and settings, Powertools objects, imported names) from the new code;
third-party packages stay imported, as they would in a layer that did not change. The template itself is
read once at start: a change to it is reported, and needs a restart.
"""

import importlib.util
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from local.functions import ROOT, functions, handler_module
from local.template import TEMPLATE_PATH, template

# What the local stack reads only when it starts (local/config.py reads local.toml).
READ_AT_START = (TEMPLATE_PATH, ROOT / "local.toml")


def code_roots() -> tuple[Path, ...]:
    """The folders of the app's own code: each function's CodeUri and each layer's ContentUri."""
    roots = {(ROOT / f["Properties"]["CodeUri"]).resolve() for f in functions().values()}
    roots |= {
        (ROOT / r["Properties"]["ContentUri"]).resolve()
        for r in template()["Resources"].values()
        if r["Type"] == "AWS::Serverless::LayerVersion"
    }
    return tuple(sorted(roots))


Snapshot = dict[Path, tuple[int, int]]


def _snapshot(paths: "list[Path]") -> Snapshot:
    """Modification time (ns) and size of each file that exists."""
    found: Snapshot = {}
    for path in paths:
        try:
            status = path.stat()
        except FileNotFoundError:
            continue
        found[path] = (status.st_mtime_ns, status.st_size)
    return found


def _changed(before: Snapshot, after: Snapshot) -> list[Path]:
    return sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))


def _shown(path: Path) -> str:
    root = ROOT.resolve()
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


class CodeReloader:
    """Polls the app's source files (mtime and size) when asked, between invocations, and drops the app's
    modules when one changed, was added or was removed. No thread, no dependency: a stat per file per
    invocation costs microseconds for an app of this size."""

    def __init__(self, log: Callable[[str], None], roots: tuple[Path, ...] | None = None) -> None:
        self._log = log
        self.roots = code_roots() if roots is None else roots
        self._code = _snapshot(self._sources())
        self._read_at_start = _snapshot(list(READ_AT_START))

    def watched(self) -> str:
        """The folders watched, as the log shows them: siblings as ``parent/*/``."""
        parents = Counter(root.parent for root in self.roots)
        shown = {f"{_shown(r.parent)}/*/" if parents[r.parent] > 1 else f"{_shown(r)}/" for r in self.roots}
        return " ".join(sorted(shown))

    def _sources(self) -> list[Path]:
        return [path for root in self.roots for path in root.rglob("*.py")]

    def _ours(self, module: object) -> bool:
        """Whether a module was loaded from the app's code (a package by any folder of its path)."""
        locations = [getattr(module, "__file__", None), *(getattr(module, "__path__", None) or [])]
        return any(
            Path(location).resolve().is_relative_to(root)
            for location in locations
            if isinstance(location, str)
            for root in self.roots
        )

    def pending(self) -> bool:
        """Whether the app's code changed since the last reload (so the next one would drop modules)."""
        return bool(_changed(self._code, _snapshot(self._sources())))

    def reload_if_changed(self) -> list[Path]:
        """Drop the app's modules if its code changed since the last call; the files that changed."""
        self._warn_if_read_at_start_changed()
        now = _snapshot(self._sources())
        changed = _changed(self._code, now)
        if not changed:
            return []
        self._code = now
        for path in changed:
            # A .pyc is trusted on the source's whole-second mtime and its size: an edit within the
            # second it was written, keeping the size (200 -> 201), would still load the old code.
            Path(importlib.util.cache_from_source(str(path))).unlink(missing_ok=True)
        dropped = sorted(name for name, module in list(sys.modules.items()) if self._ours(module))
        for name in dropped:
            del sys.modules[name]
        handler_module.cache_clear()  # handlers are imported under names of their own, not in sys.modules
        importlib.invalidate_caches()
        shown = ", ".join(_shown(path) for path in changed)
        self._log(
            f"Hot reload: {shown} changed; {len(dropped)} modules of the app and every handler are imported "
            "anew by the next invocation, as a cold start (template.yaml changes need a restart)"
        )
        return changed

    def _warn_if_read_at_start_changed(self) -> None:
        now = _snapshot(list(READ_AT_START))
        for path in _changed(self._read_at_start, now):
            self._log(
                f"{path.name} changed: the local stack read it at start; restart `make local` to apply it "
                "(only code under the functions' and layers' folders reloads by itself)"
            )
        self._read_at_start = now
