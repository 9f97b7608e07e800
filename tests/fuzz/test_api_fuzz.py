"""Fuzzing the local API with schemathesis from docs/openapi.json: whatever a signed-in caller sends, the
API answers with a status and a body its contract declares, refuses invalid data with a 4xx, never
answers 5xx, and never lets one user read, change or delete another user's bookmark.

Three phases, each bounded and derandomized (the same cases in the same order on every run, so CI cannot
flake on a seed): valid data, invalid data, and stateful sequences (create, then read, change, review and
delete what was created) as three users, one in every group the template creates. FUZZ_EXAMPLES=200
raises every bound for a longer search on a workstation.
"""

import json
import os
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings

from bookmarks.ids import new_bookmark_id
from tests.e2e.http import Api
from tools.openapi import OPENAPI_PATH

MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
# Stateful scenarios are sequences of requests: fewer of them, each a few steps long.
STATEFUL_SCENARIOS = max(1, MAX_EXAMPLES // 3)
STATEFUL_STEPS = 8


def fuzz_schema(mode: str, **extra: Any) -> schemathesis.BaseSchema:
    """The API's schema generating ``mode`` data ("positive" or "negative"), MAX_EXAMPLES a phase.

    Two defaults of schemathesis do not fit an API Gateway REST API: unknown query parameters and
    headers are ignored (as by most HTTP APIs), not refused; and schema-valid data may still be refused
    for rules a schema cannot say (an opaque cursor, a URL's host), so valid data may answer 400."""
    config = schemathesis.Config.from_dict(
        {
            "generation": {
                "mode": mode,
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "allow-extra-parameters": False,
            },
            "checks": {"positive_data_acceptance": {"enabled": False}},
            **extra,
        }
    )
    return schemathesis.openapi.from_path(OPENAPI_PATH, config=config)


positive = fuzz_schema("positive")
negative = fuzz_schema("negative")
# Valid data only, so that every request gets past the gateway's checks to the function's owner check.
one_bookmark = positive.include(path="/bookmarks/{id}")

# No example database: what a run tries depends on the code and the schema alone.
FUZZ_SETTINGS = settings(
    deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)


@positive.parametrize()
@FUZZ_SETTINGS
def test_any_valid_request_gets_an_answer_of_the_contract_and_never_a_server_error(
    case: schemathesis.Case[Any], member: Api
) -> None:
    # The default checks: no 5xx; declared status codes, content types and headers; bodies that fit
    # their schema; and a 401 without the token (ignored_auth).
    case.call_and_validate(base_url=member.base_url, headers={"Authorization": member.token})


@negative.parametrize()
@FUZZ_SETTINGS
def test_any_invalid_request_is_refused_with_a_4xx_of_the_contract(
    case: schemathesis.Case[Any], member: Api
) -> None:
    # negative_data_rejection among the default checks: data the schema refuses must get a 4xx.
    case.call_and_validate(base_url=member.base_url, headers={"Authorization": member.token})


@one_bookmark.parametrize()
@FUZZ_SETTINGS
def test_another_users_bookmark_is_not_found_whatever_is_sent(
    case: schemathesis.Case[Any], alice: Api, bobs_bookmark: tuple[Api, dict[str, Any]]
) -> None:
    bob, bookmark = bobs_bookmark
    headers = {"Authorization": alice.token}
    case.path_parameters = {"id": bookmark["id"]}

    answer = case.call(base_url=alice.base_url, headers=headers)

    if answer.status_code == 400:
        # A body the function refuses for a rule the schema cannot say (a URL's host): it is refused
        # before any lookup, so the answer is the one an id nobody has gets, and tells nothing.
        assert case.method == "PUT", answer.text
        case.path_parameters = {"id": new_bookmark_id()}
        assert answer.text == case.call(base_url=alice.base_url, headers=headers).text
    else:
        assert answer.status_code == 404, answer.text
    assert bookmark["id"] not in answer.text
    assert bob.request("GET", f"/bookmarks/{bookmark['id']}").body == bookmark


def test_sequences_of_requests_by_three_users_keep_the_contract_and_each_users_data(
    alice: Api, bob_api: Api, member: Api, tmp_path: Path
) -> None:
    # Schemathesis' users file (Web Fuzzing Commons): each operation goes out as the first user it admits
    # (the member of every group, for routes that need one), and the object-level authorization check
    # replays every read of alice's or bob's own bookmark as the other one, which must not get it.
    users = tmp_path / "users.json"
    users.write_text(
        json.dumps(
            {
                "auth": [
                    {"name": name, "fixedHeaders": [{"name": "Authorization", "value": api.token}]}
                    for name, api in (("alice", alice), ("member", member), ("bob", bob_api))
                ]
            }
        )
    )
    schema = fuzz_schema(
        "all",
        **{"base-url": alice.base_url, "auth": {"wfc": {"path": str(users), "peers": ["alice", "bob"]}}},
    )

    scenarios = schema.as_state_machine()
    # feature: workflow
    users_tokens = {alice.token, bob_api.token}

    # schemathesis makes the state machine's class at run time, from the schema.
    class Scenarios(scenarios):  # type: ignore[misc,valid-type]
        def before_call(self, case: schemathesis.Case[Any]) -> None:
            # The users file tries alice, then the others, only after a refusal: a short run would
            # seldom reach the moderator, so a user's review request goes out as the moderator from the
            # start (requests with no or generated credentials stay as they are, for ignored_auth).
            sent = case.headers.get("Authorization") if case.headers is not None else None
            if case.headers is not None and case.path.startswith("/reviews") and sent in users_tokens:
                case.headers["Authorization"] = member.token

    scenarios = Scenarios
    # end feature: workflow
    scenarios.run(
        settings=settings(
            FUZZ_SETTINGS,
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=STATEFUL_STEPS,
            derandomize=True,
        )
    )
