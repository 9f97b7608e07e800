"""The bench's harness, not its numbers: the environment its cold starts see, the probe's stopping points,
and how an import profile and instruction counts become the attribution table. Nothing here is timed."""

import subprocess
import sys
from pathlib import Path

from bench import coldstart, instructions
from bench.coldstart import Candidate

# `-X importtime` of a cold start that imports an API's resolver: each line follows those of its imports.
IMPORTTIME = """\
import time: self [us] | cumulative | imported package
import time:       100 |        100 |     aws_lambda_powertools.shared
import time:       200 |        300 |   aws_lambda_powertools.logging
import time:        50 |        350 | aws_lambda_powertools
2026-12-02 Found credentials in environment variables.
import time:       400 |        400 |       aws_lambda_powertools.utilities.data_classes
import time:       300 |        300 |       asyncio
import time:       100 |        800 |     aws_lambda_powertools.event_handler.api_gateway
import time:        10 |        810 |   aws_lambda_powertools.event_handler
import time:        20 |        830 | app
"""


def test_the_bench_endpoint_wins_over_the_empty_one_the_template_declares() -> None:
    declared = coldstart.function_environment("GetBookmarksFunction")

    env = coldstart.lambda_environment(declared, "http://127.0.0.1:5999")

    assert declared["AWS_ENDPOINT_URL"] == ""
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:5999"
    assert env["BOOKMARKS_TABLE_NAME"] == declared["BOOKMARKS_TABLE_NAME"]


def test_an_import_profile_knows_which_import_loaded_each_module() -> None:
    profile = coldstart.parse_importtime(IMPORTTIME, top=2)

    assert len(profile.modules) == 8
    assert profile.importers("aws_lambda_powertools.utilities.data_classes") == [
        "aws_lambda_powertools.event_handler.api_gateway",
        "aws_lambda_powertools.event_handler",
        "app",
    ]
    assert profile.importers("aws_lambda_powertools.shared") == [
        "aws_lambda_powertools.logging",
        "aws_lambda_powertools",
    ]
    assert profile.importers("aws_lambda_powertools") == []
    assert profile.largest == [(0.83, "app"), (0.35, "aws_lambda_powertools")]


def test_a_module_is_charged_to_the_more_specific_group_of_its_package_that_imported_it() -> None:
    profile = coldstart.parse_importtime(IMPORTTIME, top=0)

    def group(module: str) -> str | None:
        return instructions.group_of(module, profile.importers(module))

    assert group("aws_lambda_powertools.logging") == "Powertools core"
    assert group("aws_lambda_powertools.utilities.data_classes") == "Powertools event_handler"
    assert group("asyncio") == "asyncio"  # another package: its own group, whoever imported it
    assert group("app") is None


def test_each_attribution_step_imports_the_groups_before_it_and_its_own(tmp_path: Path) -> None:
    candidate = Candidate(tmp_path, "app", tmp_path / "event.json", {}, [])
    profile = coldstart.parse_importtime(IMPORTTIME, top=0)

    runs = instructions.attribution_runs(candidate, profile)

    assert {step: probe for step, (_, probe) in runs.items()} == {
        "Python start": ["--until=start"],
        "asyncio": ["--preimport=asyncio", "--until=start"],
        "Powertools core": [
            "--preimport=asyncio,aws_lambda_powertools.shared,aws_lambda_powertools.logging,aws_lambda_powertools",
            "--until=start",
        ],
        "Powertools event_handler": [
            "--preimport=asyncio,aws_lambda_powertools.shared,aws_lambda_powertools.logging,aws_lambda_powertools,"
            "aws_lambda_powertools.utilities.data_classes,aws_lambda_powertools.event_handler.api_gateway,"
            "aws_lambda_powertools.event_handler",
            "--until=start",
        ],
        "handler module": [runs["Powertools event_handler"][1][0], "--until=import"],
    }


def test_the_steps_shares_add_up_to_the_whole_cold_start() -> None:
    counted = {"Python start": 80, "AWS SDK": 600, "pydantic": 900, "handler module": 950}

    shares = instructions.attribute(counted, total=1_300)

    assert shares == {
        "Python start": 80,
        "AWS SDK": 520,
        "pydantic": 300,
        "handler module": 50,
        "first invocation": 350,
    }
    assert sum(shares.values()) == 1_300


def test_the_instruction_total_is_read_from_cachegrind_s_summary() -> None:
    stderr = (
        "==4242== Cachegrind, a cache and branch-prediction profiler\n"
        "==4242== \n"
        "==4242== I   refs:      1,046,999,343\n"
    )

    assert instructions.instructions_of(stderr) == 1_046_999_343


def test_the_probe_stops_at_start_after_the_import_or_after_the_first_call(tmp_path: Path) -> None:
    (tmp_path / "first.py").write_text("import sys\nsys.stdout.write('first ')\n")
    (tmp_path / "handler.py").write_text(
        "import sys\nsys.stdout.write('imported ')\n\n"
        "def lambda_handler(event, context):\n    sys.stdout.write(f'invoked:{event[\"n\"]}')\n"
    )
    (tmp_path / "event.json").write_text('{"n": 1}')
    candidate = Candidate(tmp_path, "handler", tmp_path / "event.json", {}, [])

    def printed(*probe: str) -> str:
        command = candidate.command(sys.executable, probe=probe)
        return subprocess.run(command, check=True, capture_output=True, text=True).stdout  # noqa: S603

    assert printed() == "imported invoked:1"
    assert printed("--until=import") == "imported "
    assert printed("--preimport=first,six.moves.winreg", "--until=start") == "first "
