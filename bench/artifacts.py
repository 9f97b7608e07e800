"""Sizes of what `sam build` ships, against the dependencies layer's budget (tests/budgets.py says why it
is set where it is), and what its bytecode costs."""

import zipfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Weight:
    """Bytes of one artifact: its bytecode, the sources that bytecode was compiled from, everything else."""

    bytecode: int
    compiled_sources: int
    other: int

    @property
    def shipped(self) -> int:
        return self.bytecode + self.compiled_sources + self.other

    @property
    def sources_only(self) -> int:
        return self.compiled_sources + self.other

    @property
    def bytecode_only(self) -> int:
        """Sourceless: .pyc files in place of their sources (tracebacks then lose their source lines)."""
        return self.bytecode + self.other


def weigh(artifact: Path) -> Weight:
    files = [path for path in artifact.rglob("*") if path.is_file()]
    bytecode = [path for path in files if path.suffix == ".pyc"]
    compiled = {path.parent.parent / f"{path.name.split('.')[0]}.py" for path in bytecode}
    compiled_bytes = sum(path.stat().st_size for path in files if path in compiled)
    bytecode_bytes = sum(path.stat().st_size for path in bytecode)
    total = sum(path.stat().st_size for path in files)
    return Weight(bytecode_bytes, compiled_bytes, total - bytecode_bytes - compiled_bytes)


def zipped_size(artifact: Path) -> int:
    """Bytes of the artifact deflated, as `sam deploy` uploads it (Lambda's 50 MB limit is on this)."""
    target = artifact.with_suffix(".size.zip")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(artifact.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(artifact))
    size = target.stat().st_size
    target.unlink()
    return size
