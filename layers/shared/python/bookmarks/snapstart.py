"""What a function does around a Lambda SnapStart snapshot: it makes the clients and builds the model
validators its first request would, so that every environment restored from the snapshot has them.

Uniqueness, as AWS asks of SnapStart functions: whatever the snapshot holds, every restored environment
shares. Nothing unique is made before it here: bookmark ids draw on `secrets` when a request needs one,
a client is made but never called (so no connection or credential refresh is captured), and correlation
ids come from each event. So there is nothing to redo after a restore, and no after-restore hook.
"""

from collections.abc import Callable, Iterable

from pydantic import BaseModel


def warm_before_snapshot(clients: Iterable[Callable[[], object]], models: Iterable[type[BaseModel]]) -> None:
    """Have Lambda run ``warm(clients, models)`` before it snapshots this function, where the runtime offers
    SnapStart's hooks (the python3.12+ managed runtimes ship `snapshot_restore_py`). Lambda runs the hook
    only when SnapStart is on; elsewhere the first request makes them, as without SnapStart."""
    try:
        from snapshot_restore_py import register_before_snapshot  # only in Lambda's runtimes (and dev)
    except ImportError:
        return
    register_before_snapshot(warm, tuple(clients), tuple(models))


def warm(clients: Iterable[Callable[[], object]], models: Iterable[type[BaseModel]]) -> None:
    """Make each cached client (it loads its service model; it opens no connection) and build each model's
    validator (they are deferred to first use, bookmarks.models says why)."""
    for client in clients:
        client()
    for model in models:
        model.model_rebuild()
