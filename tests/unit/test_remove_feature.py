"""`make remove-feature`, tried on a copy of the repository as a user of the starter would run it: what
remains passes lint, types, `sam validate --lint` and its own tests (with both features gone, the local
stack's stories too), and names nothing of what went. Each
test goes with its feature: a copy without the workflow keeps only the contest's."""

import re
import subprocess
from pathlib import Path

from tests.repo_copy import copy_repo, pytest_in, run, tracked_files

# What the copy's suite runs: the unit and events tests, less the tests that copy the repository
# themselves (this one, and the rename's, which has its own copy test here).
REMAINING_SUITE = (
    "tests/unit",
    "tests/events",
    "--ignore=tests/unit/test_remove_feature.py",
    "--ignore=tests/unit/test_rename.py",
    "--ignore=tests/unit/test_repo_copy.py",
)
# What may still say them, and why.
STAYS = (
    # local/ is a tool that runs any SAM template (state machines, groups...); its own tests have their own.
    re.compile(r"^local/"),
    re.compile(r"^tests/unit/test_(local_api|local_observability|moto_patches|provision|triggers)\.py$"),
    # Made by `make bench`, which measures what is there when it runs.
    re.compile(r"^bench/results\.md$"),
    # Made by `make measure` on what was there then; `make cost` and `make capacity` leave out its stories
    # whose routes are gone (their blocks in README.md and bench/cost.md are regenerated without them).
    re.compile(r"^bench/measured\.json$"),
    # The cost model prices any template (Step Functions' state machines among its resource types), as local/
    # runs any; what it says of this app's features is generated, or marked.
    re.compile(r"^bench/(capacity|cost|measure)\.py$"),
    re.compile(r"^bench/prices\.toml$"),
    re.compile(r"^tests/unit/test_cost\.py$"),
)
# Statuses a deployed table may still hold from before the removal: the API and the client still word them.
STORED_STATUS_WORDS = re.compile(r"Rejected by a moderator")


def checked(copy: Path) -> str:
    """Lint, types, the template's validation and the remaining suite, in the copy; the suite's output."""
    run(copy, ".venv/bin/ruff", "check", ".")
    run(copy, ".venv/bin/ruff", "format", "--check", ".")
    run(copy, ".venv/bin/mypy", "functions", "layers", "local", "tests", "bench", "pipeline", "tools")
    run(copy, ".venv/bin/sam", "validate", "--lint", "--template", "template.yaml")
    return pytest_in(copy, *REMAINING_SUITE)


def leftovers(copy: Path, names: re.Pattern[str], *stays_too: re.Pattern[str]) -> dict[str, list[str]]:
    """Each file of the copy, outside what STAYS, with the lines that still say one of ``names``."""
    found = {}
    for path in tracked_files(copy):
        if path.suffix == ".png" or any(stays.search(path.as_posix()) for stays in (*STAYS, *stays_too)):
            continue
        lines = [
            line.strip()
            for line in (copy / path).read_text().splitlines()
            if names.search(line) and not STORED_STATUS_WORDS.search(line)
        ]
        if lines:
            found[path.as_posix()] = lines
    return found


# feature: workflow
# Names only the workflow gives things: none may stay behind it.
WORKFLOW_NAMES = re.compile(
    r"ReviewsTable|ReviewBookmark|review_bookmark|PublishBookmark|statemachine|ModerationTopic|"
    r"NotificationsTopic|TeamIndex|SharedUrlIndex|/reviews|/team/bookmarks|moderat|teamScreen|reviewsScreen",
    re.IGNORECASE,
)


def test_without_the_workflow_the_rest_passes_lint_types_validation_and_its_tests(tmp_path: Path) -> None:
    copy = copy_repo(tmp_path / "app")

    removal = run(copy, "make", "remove-feature", "FEATURE=workflow")
    again = run(copy, "make", "remove-feature", "FEATURE=workflow")
    output = checked(copy)

    assert "Removed workflow" in removal
    assert "workflow is removed already" in again
    assert not (copy / "statemachine").exists()
    assert not (copy / "functions" / "review_bookmark_function").exists()
    assert " passed" in output
    assert leftovers(copy, WORKFLOW_NAMES) == {}


# end feature: workflow


# feature: contest
# Names only the contest gives things.
CONTEST_NAMES = re.compile(
    r"ContestEntryFunction|EventsDeadLetterQueue|contest_entry|bookmarks\.contest|import contest\b|"
    r"contest_counters|ENTRANT|ContestEntryRecorded|BookmarkShared|enter_contest|EnterContest"
)
# The test that the store function's BOOKMARKS_CONTEST comes and goes with ContestEntryFunction.
CONTEST_SEAM_TEST = re.compile(r"^tests/unit/test_template\.py$")
# With both features gone, the stories that run on the local stack too (over HTTP, with real tokens, in
# the browser): what the user of the slimmed app starts with `make local`. Not the scaffold's and the hot
# reload's, which copy the repository again.
LOCAL_STACK_SUITE = (
    "tests/e2e",
    "tests/fuzz",
    "--ignore=tests/e2e/test_new_function.py",
    "--ignore=tests/e2e/test_hot_reload.py",
)


def test_without_the_workflow_and_the_contest_the_rest_passes_and_shared_bookmarks_stay_none(
    tmp_path: Path,
) -> None:
    copy = copy_repo(tmp_path / "app")

    refused = subprocess.run(
        ["make", "remove-feature", "FEATURE=contest"],  # noqa: S607 (make from PATH)
        cwd=copy,
        capture_output=True,
        text=True,
        check=False,
    )
    run(copy, "make", "remove-feature", "FEATURE=workflow")
    removal = run(copy, "make", "remove-feature", "FEATURE=contest")
    output = checked(copy)
    stories = pytest_in(copy, *LOCAL_STACK_SUITE)

    assert refused.returncode == 2
    assert "remove the workflow first" in refused.stderr
    assert "Removed contest" in removal
    assert not (copy / "functions" / "contest_entry_function").exists()
    assert "BOOKMARKS_CONTEST" not in (copy / "template.yaml").read_text()
    assert " passed" in output
    assert " passed" in stories
    assert leftovers(copy, CONTEST_NAMES, CONTEST_SEAM_TEST) == {}


# end feature: contest
