"""The repository copy that rename, removal and scaffold tests change: it must cost no install."""

from pathlib import Path

from tests.repo_copy import ROOT, copy_repo, pytest_in, run, tracked_files


def test_a_copy_has_every_tracked_file_and_installs_nothing(tmp_path: Path) -> None:
    copy = copy_repo(tmp_path / "app")

    assert set(tracked_files(copy)) == set(tracked_files(ROOT))
    assert (copy / "template.yaml").read_bytes() == (ROOT / "template.yaml").read_bytes()
    # make's --question answers 0 only when the install stamp is up to date: nothing would be installed.
    run(copy, "make", "--question", ".venv/.installed")


def test_the_copy_runs_its_own_tests_not_ours(tmp_path: Path) -> None:
    copy = copy_repo(tmp_path / "app")
    (copy / "tests" / "unit" / "test_only_in_the_copy.py").write_text(
        "from pathlib import Path\n\n\ndef test_runs_in_the_copy() -> None:\n"
        f"    assert Path.cwd() != Path({str(ROOT)!r})\n"
    )

    output = pytest_in(copy, "tests/unit/test_only_in_the_copy.py")

    assert "1 passed" in output
