"""Hot reload in `make local`, as its user sees it: the local stack of a copy of the repository keeps
running while a handler and a domain module of the copy are edited, and the next request runs the new code.
Local only: a deployed stack changes by deploying."""

import os
from pathlib import Path

import pytest

from tests.local_stack import local_target, running_stack
from tests.repo_copy import copy_repo

HANDLER = Path("functions/get_bookmarks_function/app.py")
DOMAIN = Path("layers/shared/python/bookmarks/api.py")
MISSING_ID = "01KB2Z3Y4X5W6V7T8S9R0QPNMK"


def edit(copy: Path, path: Path, old: str, new: str) -> None:
    text = (copy / path).read_text()
    assert text.count(old) == 1, f"{path} no longer holds {old!r}: change this test with it"
    (copy / path).write_text(text.replace(old, new))


def test_an_edited_handler_and_domain_module_serve_the_next_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As on a user's machine: imports write bytecode (__pycache__), which a reload must not trust.
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
    copy = copy_repo(tmp_path / "app")
    state = tmp_path / "state"
    state.mkdir()
    with running_stack(copy, state) as stack:
        api = local_target(stack).signed_in()
        assert api.request("GET", "/bookmarks").status == 200
        assert api.request("GET", f"/bookmarks/{MISSING_ID}").body["message"] == "No bookmark with that id."

        listing = "json_response(200, page)\n\n\n# Before /bookmarks/<bookmark_id>"
        edit(copy, HANDLER, listing, listing.replace("200", "203"))
        edit(copy, DOMAIN, '"No bookmark with that id."', '"No bookmark by that id!"')
        listed = api.request("GET", "/bookmarks")
        missing = api.request("GET", f"/bookmarks/{MISSING_ID}")
        # Again, with the same size and within the same second as the edit before: all a .pyc is checked
        # by, so bytecode written for that edit would still pass for this one.
        before = (copy / HANDLER).stat().st_mtime_ns
        edit(copy, HANDLER, listing.replace("200", "203"), listing.replace("200", "204"))
        same_second = before - 1 if before % 1_000_000_000 else before + 1
        os.utime(copy / HANDLER, ns=(same_second, same_second))
        listed_again = api.request("GET", "/bookmarks")
        log = (state / "stack.log").read_text()

    assert (listed.status, listed_again.status) == (203, 204)
    # The domain module is reloaded too, not only the handler that imports it.
    assert missing.status == 404
    assert missing.body["message"] == "No bookmark by that id!"
    reloads = [line for line in log.splitlines() if line.startswith("Hot reload:")]
    assert len(reloads) == 2
    assert str(HANDLER) in reloads[0]
    assert str(DOMAIN) in reloads[0]
    assert str(DOMAIN) not in reloads[1]
    assert "Hot reload ON" in log
