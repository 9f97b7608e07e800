"""The local stack's settings (local.toml): what it reads, what it does without a file, and that the
project's file names only groups the template creates."""

from pathlib import Path

from local.config import LocalConfig, User, config, parse
from local.stack import stack_name
from local.template import translated
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


def test_the_project_s_users_join_only_groups_the_template_creates() -> None:
    groups = {
        resource["Properties"]["GroupName"]
        for resource in translated()["Resources"].values()
        if resource["Type"] == "AWS::Cognito::UserPoolGroup"
    }
    named = {group for user in config().users for group in user.groups}

    assert named
    assert named <= groups


def test_the_local_stack_is_named_after_the_template_parameters_local_toml_names() -> None:
    assert config().stack_name == "${AppName}-local"
    assert stack_name(translated(), {}) == f"{app_name()}-local"
    assert stack_name(translated(), {"AppName": "linkhub"}) == "linkhub-local"
