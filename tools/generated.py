"""Blocks of committed files that a generator owns: the lines between a ``# BEGIN generated: <name>`` and
a ``# END generated: <name>`` comment. The rest of the file stays hand-written (and may move the block
around); the block is rewritten at the markers' indentation."""

import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Block:
    """One generated block: which file, its marker name, and which command rewrites it."""

    path: Path
    name: str

    def _pattern(self) -> re.Pattern[str]:
        name = re.escape(self.name)
        begin = rf"^(?P<indent>[ \t]*)# BEGIN generated: {name}\b.*\n"
        return re.compile(rf"{begin}(?P<body>(?:.*\n)*?)(?P=indent)# END generated: {name}\n", re.MULTILINE)

    def _match(self, text: str) -> re.Match[str]:
        found = list(self._pattern().finditer(text))
        if len(found) != 1:
            raise LookupError(f"{self.path.name} needs one block of markers '{self.name}', has {len(found)}")
        return found[0]

    def committed(self) -> str:
        """The block's lines as the file has them, without their indentation."""
        found = self._match(self.path.read_text())
        return "".join(line.removeprefix(found["indent"]) for line in found["body"].splitlines(True))

    def write(self, body: str) -> bool:
        """Put ``body`` (unindented lines) between the markers; True when the file changed."""
        text = self.path.read_text()
        found = self._match(text)
        indented = "".join(found["indent"] + line if line.strip() else line for line in body.splitlines(True))
        updated = text[: found.start("body")] + indented + text[found.end("body") :]
        if updated == text:
            return False
        self.path.write_text(updated)
        return True
