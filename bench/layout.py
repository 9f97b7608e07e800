"""The code as Lambda runs it: `sam build`'s output, zipped as `sam deploy` zips it, unzipped into a
/var/task and an /opt of its own, where Python may not write bytecode (Lambda's are read-only).

Variants of the same build show what the bytecode is worth: none at all (how the layers shipped before
they were compiled), timestamp .pyc (what `compileall` does by default), and what `sam build` ships.
"""

import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from samcli.lib.package.utils import make_zip_with_lambda_permissions

from local.functions import ROOT
from local.template import template

# The bench runs the layers on this machine, so their compiled wheels must be for its CPU.
HOST_WHEELS = {"x86_64": "manylinux2014_x86_64", "aarch64": "manylinux2014_aarch64"}
SHIPPED = "sam build (unchecked-hash .pyc)"
NO_BYTECODE = "no bytecode (before)"
TIMESTAMP_BYTECODE = "timestamp .pyc"
VARIANTS = (NO_BYTECODE, TIMESTAMP_BYTECODE, SHIPPED)


@dataclass(frozen=True)
class Layout:
    """One unzipped deployment: every function's /var/task and the layers' shared /opt."""

    root: Path

    def task(self, logical_id: str) -> Path:
        return self.root / "var" / "task" / logical_id

    @property
    def layer_paths(self) -> list[str]:
        """Where Lambda's Python looks in /opt, in its order."""
        opt = self.root / "opt" / "python"
        return [str(opt / "lib" / "python3.13" / "site-packages"), str(opt)]


def sam_build(build_dir: Path, for_host: bool) -> None:
    """`sam build` into ``build_dir``; ``for_host`` fetches wheels for this machine instead of arm64."""
    env = dict(os.environ)
    if for_host:
        env["WHEEL_PLATFORM"] = HOST_WHEELS[platform.machine()]
    sam = str(Path(sys.executable).with_name("sam"))
    subprocess.run(  # noqa: S603 - our own venv's sam
        [sam, "build", "--template", str(ROOT / "template.yaml"), "--build-dir", str(build_dir)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def deployed(build_dir: Path, into: Path, variant: str, python: str) -> Layout:
    """``build_dir``'s artifacts after a round trip through `sam deploy`'s zip, laid out as Lambda does.
    ``python`` (the runtime's version) compiles the timestamp variant."""
    layout = Layout(into)
    layers = {
        name
        for name, resource in template()["Resources"].items()
        if resource["Type"].endswith("LayerVersion")
    }
    for artifact in sorted(path for path in build_dir.iterdir() if path.is_dir()):
        staged = into / "staging" / artifact.name
        shutil.copytree(artifact, staged)
        if variant != SHIPPED:
            for cache in list(staged.rglob("__pycache__")):
                shutil.rmtree(cache)
        if variant == TIMESTAMP_BYTECODE and artifact.name in layers:
            compileall = [python, "-m", "compileall", "-q", "--invalidation-mode", "timestamp", str(staged)]
            subprocess.run(compileall, check=True)  # noqa: S603 - the bench's interpreter
        target = into / "opt" if artifact.name in layers else layout.task(artifact.name)
        _unzip(Path(make_zip_with_lambda_permissions(str(into / artifact.name), str(staged))), target)
    shutil.rmtree(into / "staging")
    return layout


def _unzip(archive: Path, target: Path) -> None:
    """Extract with the archive's dates, as Lambda's unzip does: `sam deploy` stamps every file 1980."""
    with zipfile.ZipFile(archive) as opened:
        for info in opened.infolist():
            extracted = Path(opened.extract(info, target))
            stamp = time.mktime((*info.date_time, 0, 0, -1))
            os.utime(extracted, (stamp, stamp))
    archive.unlink()


def workspace() -> Path:
    return Path(tempfile.mkdtemp(prefix="bench-lambda-"))
