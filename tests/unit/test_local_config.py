"""The local stack's settings (local.toml): what it reads, what it does without a file, and that its users
join the groups the template creates and only those (a removed feature's group leaves its user groupless)."""

import copy
from pathlib import Path
from typing import Any

from local.config import LocalConfig, User, config, parse
from local.stack import created_groups, in_groups, stack_name
from local.template import template, translate, translated
from tests.names import app_name


def test_a_local_toml_gives_users_web_client_and_local_outputs(tmp_path: Path) -> None:
    settings = parse(
        """
stack_name = "shop-local"
[[users]]
email = "a@example.com"
password = "A-passw0rd!"
groups = ["admins"]
[web]
root = "site"
config = "deploy.site:config_json"
[outputs]
Endpoint = "{api_url}/v1"
""",
        tmp_path,
    )

    assert settings.stack_name == "shop-local"
    assert settings.users == (User("a@example.com", "A-passw0rd!", ("admins",)),)
    assert settings.web is not None
    assert (settings.web.root, settings.web.config) == (tmp_path / "site", "deploy.site:config_json")
    assert settings.local_outputs(api_url="http://127.0.0.1:3000", aws_url="", region="") == {
        "Endpoint": "http://127.0.0.1:3000/v1"
    }


def test_without_a_local_toml_the_stack_has_no_users_and_no_web_client(tmp_path: Path) -> None:
    assert config(tmp_path / "local.toml") == LocalConfig()


def _groups_as_provisioned(translation: dict[str, Any]) -> dict[str, Any]:
    """Logical id -> name of each user pool group, as provision() names a group that has its GroupName."""
    return {
        logical_id: r["Properties"]["GroupName"]
        for logical_id, r in translation["Resources"].items()
        if r["Type"] == "AWS::Cognito::UserPoolGroup"
    }


def test_the_project_s_users_join_every_group_local_toml_names_while_the_template_creates_it() -> None:
    groups = created_groups(translated(), _groups_as_provisioned(translated()))

    # feature: workflow
    assert any(user.groups for user in config().users)
    # end feature: workflow
    said: list[str] = []
    assert in_groups(config().users, groups, said.append) == config().users
    assert said == []


def test_without_the_group_in_the_template_its_demo_user_is_still_made_without_it() -> None:
    document = copy.deepcopy(template())
    for logical_id in _groups_as_provisioned(document):
        del document["Resources"][logical_id]
    without = translate(document)

    said: list[str] = []
    made = in_groups(config().users, created_groups(without, _groups_as_provisioned(without)), said.append)

    assert [user.email for user in made] == [user.email for user in config().users]
    assert all(user.groups == () for user in made)
    assert said == [
        f"user {user.email}: the template creates no group {', '.join(sorted(user.groups))}; made without it"
        for user in config().users
        if user.groups
    ]


def test_the_local_stack_is_named_after_the_template_parameters_local_toml_names() -> None:
    assert config().stack_name == "${AppName}-local"
    assert stack_name(translated(), {}) == f"{app_name()}-local"
    assert stack_name(translated(), {"AppName": "linkhub"}) == "linkhub-local"
