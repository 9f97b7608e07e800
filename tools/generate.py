"""Regenerates the blocks of template.yaml derived from the domain package (``make generate``); with
``--check``, changes nothing and fails if one is stale (what the tests also check)."""

import sys
from collections.abc import Callable

from tools import gateway_models, workflow_substitutions
from tools.generated import Block

GENERATORS: tuple[tuple[Block, Callable[[], str]], ...] = (
    (workflow_substitutions.BLOCK, workflow_substitutions.rendered),
    (gateway_models.BLOCK, gateway_models.rendered),
)


def main(argv: list[str]) -> int:
    stale = [block.name for block, render in GENERATORS if block.committed() != render()]
    if "--check" in argv:
        for name in stale:
            print(f"stale: {name} (run make generate)", file=sys.stderr)
        return 1 if stale else 0
    for block, render in GENERATORS:
        if block.write(render()):
            print(f"rewrote {block.path.name}: {block.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
