"""Writes what the publishing workflow needs of the table layout (key shapes, attribute names, the
duplicate filter) into the PublishBookmarkStateMachine's DefinitionSubstitutions, from bookmarks.layout.
The resources' names and ARNs above the block stay the template's own."""

import json

from bookmarks.layout import workflow_substitutions
from tools.generated import REPO, Block

BLOCK = Block(REPO / "template.yaml", "workflow layout")


def rendered() -> str:
    """The block's YAML: one ``Name: "value"`` a line (JSON strings are YAML, whatever the value holds)."""
    return "".join(f"{name}: {json.dumps(value)}\n" for name, value in workflow_substitutions().items())
