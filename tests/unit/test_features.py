"""The seams the features come apart along (tools/features.toml and the ``feature:`` markers) stay true of
the tree, so `make remove-feature` cannot rot silently: every path is real, every marker pairs up, and
nothing that stays behind uses what a feature takes with it. Then the cutter itself, on small texts."""

import ast
import json
import subprocess
from pathlib import Path

import pytest

from tools import remove_feature
from tools.features import REPO, Feature, MarkerError, blocks, cut, manifest, owned, text_files

FEATURES = manifest().features


def _module(path: str) -> str | None:
    """The import name of a Python file a feature owns (the layer's package, or tools/ and tests/)."""
    if not path.endswith(".py"):
        return None
    dotted = path.removesuffix(".py").replace("/", ".")
    return dotted.removeprefix("layers.shared.python.")


def owned_modules(feature: Feature) -> set[str]:
    return {module for path in feature.paths if (module := _module(path))}


def staying(feature: Feature) -> list[Path]:
    """The files a removal of ``feature`` leaves: neither its own nor those of a feature gone before it."""
    gone = [feature, *(FEATURES[first] for first in feature.after if first in FEATURES)]
    return [path for path in text_files() if not any(owned(each, path) for each in gone)]


def _bound_names(node: ast.Import | ast.ImportFrom, modules: set[str]) -> list[str]:
    """The names an import binds to one of ``modules`` (``from tools import generated`` included)."""
    if isinstance(node, ast.Import):
        return [(a.asname or a.name).split(".")[0] for a in node.names if a.name in modules]
    base = node.module or ""
    if base in modules:
        return [a.asname or a.name for a in node.names]
    return [a.asname or a.name for a in node.names if f"{base}.{a.name}" in modules]


def uses_of_owned_modules(source: str, modules: set[str]) -> list[int]:
    """Lines that import one of ``modules`` and use what they imported. An import nothing uses any more is
    no use: the tool's ruff pass drops it after the cut."""
    tree = ast.parse(source)
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom) and set(_bound_names(node, modules)) & used
    ]


def test_the_manifest_names_each_feature_with_its_summary_and_what_must_go_first() -> None:
    removed = manifest().removed

    assert set(FEATURES) | set(removed) == {"workflow", "contest"}
    assert set(FEATURES) & set(removed) == set()
    if "contest" in FEATURES:
        assert FEATURES["contest"].after == ("workflow",)
        assert FEATURES["contest"].why_after
    for feature in FEATURES.values():
        assert feature.summary
        assert feature.paths
        assert set(feature.after) <= set(FEATURES) | set(removed)


@pytest.mark.parametrize("feature", sorted(FEATURES))
def test_every_path_a_feature_owns_exists_and_no_two_features_own_one(feature: str) -> None:
    paths = FEATURES[feature].paths
    others = {path for name, other in FEATURES.items() if name != feature for path in other.paths}

    assert [path for path in paths if not (REPO / path).exists()] == []
    assert set(paths) & others == set()


def test_every_marker_pairs_up_and_names_a_feature_of_the_manifest() -> None:
    named = {
        block.feature
        for path in text_files()
        for block in blocks(path.read_text(), str(path.relative_to(REPO)))
    }

    assert named == set(FEATURES)


@pytest.mark.parametrize("feature", sorted(FEATURES))
def test_what_stays_after_a_cut_imports_nothing_the_feature_takes_with_it(feature: str) -> None:
    modules = owned_modules(FEATURES[feature])
    uses = {}
    for path in staying(FEATURES[feature]):
        if path.suffix == ".py":
            remaining = cut(path.read_text(), feature, str(path))
            if lines := uses_of_owned_modules(remaining, modules):
                uses[str(path.relative_to(REPO))] = lines

    assert modules  # every feature takes modules with it
    assert uses == {}


@pytest.mark.parametrize("feature", sorted(FEATURES))
def test_no_file_that_stays_names_a_path_the_feature_takes_with_it(feature: str) -> None:
    """A CodeUri, a DefinitionUri, a test's path or a Layout line left behind would point at nothing."""
    paths = [path.rstrip("/") for path in FEATURES[feature].paths]
    naming = {}
    for path in staying(FEATURES[feature]):
        remaining = cut(path.read_text(), feature, str(path))
        if found := [own for own in paths if own in remaining]:
            naming[str(path.relative_to(REPO))] = found

    assert naming == {}


# The cutter, on small texts.

PYTHON = "a = 1\n\n# feature: demo\nb = 2\n# end feature: demo\n\nc = 3\n"


def test_a_cut_drops_the_block_with_its_markers_and_keeps_one_blank_line() -> None:
    assert cut(PYTHON, "demo", "x.py") == "a = 1\n\nc = 3\n"


def test_a_cut_leaves_other_features_and_the_marked_text_itself_alone() -> None:
    assert cut(PYTHON, "other", "x.py") == PYTHON


@pytest.mark.parametrize(
    ("opening", "closing"),
    [
        ("  # feature: demo", "  # end feature: demo"),
        ("// feature: demo", "// end feature: demo"),
        ("/* feature: demo */", "/* end feature: demo */"),
        ("<!-- feature: demo -->", "<!-- end feature: demo -->"),
        ("    %% feature: demo", "    %% end feature: demo"),
    ],
)
def test_each_languages_comment_style_marks_a_block(opening: str, closing: str) -> None:
    text = f"kept\n{opening}\ncut\n{closing}\nkept too\n"

    assert cut(text, "demo", "x") == "kept\nkept too\n"


def test_a_marker_inside_a_line_is_text_not_a_marker() -> None:
    text = 'print("# feature: demo")\nx = "<!-- end feature: demo -->"\n'

    assert blocks(text, "x.py") == []
    assert cut(text, "demo", "x.py") == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "# feature: a\n# feature: b\n# end feature: b\n# end feature: a\n",
            "x.py:2: 'feature: b' opens inside 'feature: a' (line 1); blocks do not nest",
        ),
        ("one\n# feature: a\ntwo\n", "x.py:2: 'feature: a' is never closed"),
        ("one\n# end feature: a\n", "x.py:2: 'end feature: a' closes no block"),
        (
            "# feature: a\n# end feature: b\n",
            "x.py:2: 'end feature: b' closes no block inside 'feature: a' (line 1)",
        ),
    ],
)
def test_markers_that_do_not_pair_up_are_refused_with_the_file_and_line(text: str, message: str) -> None:
    with pytest.raises(MarkerError) as refused:
        cut(text, "a", "x.py")

    assert str(refused.value) == message


DASHBOARD = """Resources:
  OperationsDashboard:
    Properties:
      DashboardBody: !Sub |
        {
          "widgets": [
            {"type": "metric", "properties": {
              "metrics": [
                ["AWS/Lambda", "Errors", "FunctionName", "${KeptFunction}"],
                ["AWS/Lambda", "Errors", "FunctionName", "${GoneFunction}"]
              ]}},
            {"type": "metric", "properties": {
              "metrics": [
                ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "${GoneQueue}"]
              ]}}
          ]
        }
  Next:
    Type: AWS::SNS::Topic
"""


def test_the_dashboard_loses_the_features_lines_and_the_widgets_left_empty_and_stays_json() -> None:
    updated = remove_feature.without_dashboard_lines(DASHBOARD, ("${GoneFunction}", "${GoneQueue}"))
    body = updated.split("DashboardBody: !Sub |\n")[1].split("  Next:")[0]

    assert json.loads(body) == {
        "widgets": [
            {
                "type": "metric",
                "properties": {"metrics": [["AWS/Lambda", "Errors", "FunctionName", "${KeptFunction}"]]},
            }
        ]
    }
    assert updated.endswith("  Next:\n    Type: AWS::SNS::Topic\n")


def test_the_dashboard_is_left_as_it_is_when_no_line_names_the_feature() -> None:
    assert remove_feature.without_dashboard_lines(DASHBOARD, ("${Elsewhere}",)) == DASHBOARD


# The tool's refusals and its second run, on a tiny repository.

# Built, not written out: a marker line in this file would be one of the tree's own.
MARK = "#"
MANIFEST = f"""removed = []

{MARK} feature: base
[features.base]
summary = "what the extra needs"
paths = ["base.py"]
{MARK} end feature: base

{MARK} feature: extra
[features.extra]
summary = "an extra"
paths = ["extra"]
after = ["base"]
why_after = "the extra reads the base"
{MARK} end feature: extra
"""


@pytest.fixture
def tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "features.toml").write_text(MANIFEST)
    (tmp_path / "base.py").write_text("BASE = 1\n")
    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "app.js").write_text("export const extra = 1;\n")
    (tmp_path / "app.js").write_text("const a = 1;\n// feature: extra\nconst b = 2;\n// end feature: extra\n")
    (tmp_path / "README.md").write_text("# App\n<!-- feature: base -->\nBase.\n<!-- end feature: base -->\n")
    subprocess.run(["git", "init", "--quiet"], cwd=tmp_path, check=True)  # noqa: S607 (git from PATH)
    monkeypatch.setattr(remove_feature, "GENERATE", ("true",))
    return tmp_path


def test_an_unknown_feature_is_refused_and_nothing_changes(
    tiny: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert remove_feature.main(["nonesuch"], root=tiny) == 2

    assert "no feature 'nonesuch' in tools/features.toml (removable: base, extra)" in capsys.readouterr().err
    assert (tiny / "tools" / "features.toml").read_text() == MANIFEST


def test_a_feature_others_need_first_is_refused_until_they_are_gone(
    tiny: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert remove_feature.main(["extra"], root=tiny) == 2

    refusal = "remove the base first (the extra reads the base): make remove-feature FEATURE=base, then"
    assert f"{refusal} FEATURE=extra" in capsys.readouterr().err
    assert (tiny / "extra" / "app.js").exists()


def test_a_removal_deletes_cuts_and_records_and_a_second_run_does_nothing(
    tiny: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert remove_feature.main(["base"], root=tiny) == 0
    assert remove_feature.main(["extra"], root=tiny) == 0
    first = {path.name: path.read_text() for path in text_files(tiny)}

    assert remove_feature.main(["extra"], root=tiny) == 0

    assert not (tiny / "base.py").exists()
    assert not (tiny / "extra").exists()
    assert (tiny / "app.js").read_text() == "const a = 1;\n"
    assert (tiny / "README.md").read_text() == "# App\n"
    assert (tiny / "tools" / "features.toml").read_text().startswith('removed = ["base", "extra"]\n')
    assert manifest(tiny / "tools" / "features.toml").features == {}
    assert "extra is removed already (tools/features.toml); nothing to do" in capsys.readouterr().out
    assert {path.name: path.read_text() for path in text_files(tiny)} == first


def test_a_marker_that_does_not_pair_up_anywhere_refuses_the_removal_before_anything_changes(
    tiny: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tiny / "broken.py").write_text("x = 1\n# feature: base\n")

    assert remove_feature.main(["base"], root=tiny) == 2

    assert (tiny / "base.py").exists()
    assert "broken.py:2: 'feature: base' is never closed" in capsys.readouterr().err
