"""Regenerates the blocks derived from one definition elsewhere (``make generate``): template.yaml's from
the domain package, samconfig.toml's and the pipeline's names from template.yaml's AppName; with
``--check``, changes nothing and fails if one is stale (what the tests also check)."""

import sys
from collections.abc import Callable

from tools import gateway_models, stack_names, workflow_substitutions
from tools.generated import Block

GENERATORS: tuple[tuple[Block, Callable[[], str]], ...] = (
    # feature: workflow
    (workflow_substitutions.BLOCK, workflow_substitutions.rendered),
    # end feature: workflow
    (gateway_models.BLOCK, gateway_models.rendered),
    *stack_names.BLOCKS,
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
