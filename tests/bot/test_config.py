"""Configuration: what an operator sees when a variable is missing, malformed or set."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.config import ConfigError, load_config

BOT_TOKEN = "xoxb-1111-2222-sEcReTbOtToKeN"
APP_TOKEN = "xapp-1-A111-3333-sEcReTaPpToKeN"
SECRET = "s1gn1ng-s3cr3t-value"
HTTP_ENV = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SECRET}


def config_error(environ: dict[str, str]) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(environ, dotenv_path=None)
    return str(caught.value)


def test_defaults_for_an_http_mode_bot() -> None:
    config = load_config(HTTP_ENV, dotenv_path=None)
    assert config.mode == "http"
    assert config.port == 3000
    assert config.slack_api_url == "https://slack.com/api/"
    assert config.data_dir == Path("data")
    assert config.retention_days == 730
    assert config.timezone == "Europe/Amsterdam"
    assert config.log_level == "INFO"
    assert config.log_format == "text"


def test_an_app_token_means_socket_mode_and_no_signing_secret_needed() -> None:
    config = load_config({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN},
                         dotenv_path=None)
    assert config.mode == "socket"
    assert config.signing_secret is None


def test_every_setting_is_read() -> None:
    config = load_config(
        {
            **HTTP_ENV,
            "PORT": "8080",
            "SLACK_API_URL": "http://127.0.0.1:9999/api",
            "WI3_DATA_DIR": "/var/lib/wi3",
            "WI3_RETENTION_DAYS": "30",
            "WI3_TIMEZONE": "America/New_York",
            "LOG_LEVEL": "debug",
            "WI3_LOG_FORMAT": "JSON",
        },
        dotenv_path=None,
    )
    assert config.port == 8080
    assert config.slack_api_url == "http://127.0.0.1:9999/api/"  # normalised
    assert config.data_dir == Path("/var/lib/wi3")
    assert config.retention_days == 30
    assert config.timezone == "America/New_York"
    assert config.tzinfo.key == "America/New_York"
    assert config.log_level == "DEBUG"
    assert config.log_format == "json"


def test_the_environment_wins_over_the_dotenv_file(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        f"SLACK_BOT_TOKEN={BOT_TOKEN}\nSLACK_SIGNING_SECRET={SECRET}\nPORT=4000\n"
        "WI3_TIMEZONE=Europe/London\n"
    )
    config = load_config({"PORT": "5000"}, dotenv_path=dotenv)
    assert config.port == 5000
    assert config.timezone == "Europe/London"
    assert config.bot_token == BOT_TOKEN


def test_blank_values_count_as_unset(tmp_path: Path) -> None:
    """A copied .env.example has empty lines; SLACK_APP_TOKEN= must mean HTTP mode."""
    dotenv = tmp_path / ".env"
    dotenv.write_text(f"SLACK_BOT_TOKEN={BOT_TOKEN}\nSLACK_SIGNING_SECRET={SECRET}\n"
                      "SLACK_APP_TOKEN=\nPORT=\n")
    config = load_config({"LOG_LEVEL": "  "}, dotenv_path=dotenv)
    assert config.mode == "http"
    assert config.port == 3000
    assert config.log_level == "INFO"


def test_a_missing_dotenv_file_is_fine() -> None:
    config = load_config(HTTP_ENV, dotenv_path="/nonexistent/.env")
    assert config.bot_token == BOT_TOKEN


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"SLACK_BOT_TOKEN": ""}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxp-1111-user-token"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_APP_TOKEN": "xoxb-not-an-app-token"}, "SLACK_APP_TOKEN"),
        ({"SLACK_SIGNING_SECRET": ""}, "SLACK_SIGNING_SECRET"),
        ({"PORT": "-1"}, "PORT"),
        ({"PORT": "65536"}, "PORT"),
        ({"PORT": "http"}, "PORT"),
        ({"SLACK_API_URL": "ftp://slack.com/api/"}, "SLACK_API_URL"),
        ({"SLACK_API_URL": "slack.com/api"}, "SLACK_API_URL"),
        ({"WI3_RETENTION_DAYS": "0"}, "WI3_RETENTION_DAYS"),
        ({"WI3_RETENTION_DAYS": "two years"}, "WI3_RETENTION_DAYS"),
        ({"WI3_TIMEZONE": "Mars/Olympus_Mons"}, "WI3_TIMEZONE"),
        ({"WI3_TIMEZONE": "../../etc/passwd"}, "WI3_TIMEZONE"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"WI3_LOG_FORMAT": "xml"}, "WI3_LOG_FORMAT"),
        ({"DATABASE_URL": "postgresql://wi3:one@db/wi3", "DATABASE_PASSWORD": "two",
          "WI3_PSEUDONYM_KEY": "ab" * 32}, "DATABASE_PASSWORD"),
        ({"DATABASE_URL": "postgresql://db/wi3", "DATABASE_PASSWORD": "two",
          "WI3_PSEUDONYM_KEY": "ab" * 32}, "DATABASE_PASSWORD"),
        ({"DATABASE_URL": "mysql://db/wi3", "WI3_PSEUDONYM_KEY": "ab" * 32}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgresql://db/wi3"}, "WI3_PSEUDONYM_KEY"),
        ({"DATABASE_URL": "postgresql://db/wi3", "WI3_PSEUDONYM_KEY": "short"},
         "WI3_PSEUDONYM_KEY"),
    ],
)
def test_each_problem_is_one_line_naming_the_variable(
    overrides: dict[str, str], named: str
) -> None:
    message = config_error({**HTTP_ENV, **overrides})
    assert named in message
    assert "\n" not in message
    assert ".env" in message and ".env.example" in message
    assert "python -m bot try" in message
    assert BOT_TOKEN not in message and SECRET not in message


def test_several_problems_are_reported_together_in_one_line() -> None:
    message = config_error({"PORT": "none", "LOG_LEVEL": "chatty"})
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "PORT", "LOG_LEVEL"):
        assert name in message
    assert "\n" not in message


def test_missing_variables_are_listed_for_callers() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config({"PORT": "70000"}, dotenv_path=None)
    assert caught.value.missing == ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")


def test_a_token_pasted_into_the_wrong_variable_is_not_echoed() -> None:
    message = config_error({**HTTP_ENV, "PORT": BOT_TOKEN, "WI3_TIMEZONE": APP_TOKEN})
    assert "PORT" in message and "WI3_TIMEZONE" in message
    assert BOT_TOKEN not in message and APP_TOKEN not in message
    assert "sEcReT" not in message


def test_repr_and_str_hide_the_secrets() -> None:
    config = load_config({**HTTP_ENV, "SLACK_APP_TOKEN": APP_TOKEN}, dotenv_path=None)
    for shown in (repr(config), str(config), f"{config}"):
        assert BOT_TOKEN not in shown and APP_TOKEN not in shown and SECRET not in shown
        assert "socket" in shown
    assert set(config.secrets()) == {BOT_TOKEN, APP_TOKEN, SECRET}


def test_config_is_frozen() -> None:
    config = load_config(HTTP_ENV, dotenv_path=None)
    with pytest.raises(AttributeError):
        config.port = 1  # type: ignore[misc]


def test_a_database_url_comes_with_the_pseudonym_key_and_neither_is_shown() -> None:
    key = "c0ffee" * 10 + "c0de"
    url = "postgresql://wi3:pa55word@db.example.org:5432/wi3"
    config = load_config({**HTTP_ENV, "DATABASE_URL": url, "WI3_PSEUDONYM_KEY": key},
                         dotenv_path=None)
    assert config.database_url == url
    assert config.pseudonym_key == bytes.fromhex(key)
    assert url in config.secrets() and key in config.secrets()
    assert "pa55word" not in repr(config) and key not in repr(config)
    assert load_config(HTTP_ENV, dotenv_path=None).database_url is None


@pytest.mark.parametrize("password", ["plain", "p@ss/w:rd%", "with space#and?query&"])
def test_a_database_password_of_any_characters_is_url_encoded_into_the_url(
    password: str,
) -> None:
    config = load_config({**HTTP_ENV, "DATABASE_URL": "postgresql://wi3@postgresql:5432/wi3",
                          "DATABASE_PASSWORD": password, "WI3_PSEUDONYM_KEY": "ab" * 32},
                         dotenv_path=None)
    assert config.database_url is not None
    url = make_url(config.database_url)  # how the store reads it
    assert (url.username, url.password, url.host, url.port, url.database) == (
        "wi3", password, "postgresql", 5432, "wi3")
    assert password in config.secrets() and password not in repr(config)


def test_a_missing_pseudonym_key_says_how_to_make_one_without_showing_values() -> None:
    message = config_error({**HTTP_ENV, "DATABASE_URL": "postgresql://wi3:pa55word@db/wi3"})
    assert "WI3_PSEUDONYM_KEY is not set" in message and "secrets.token_hex(32)" in message
    assert "pa55word" not in message and "\n" not in message


def test_client_id_and_secret_without_a_bot_token_mean_many_workspaces() -> None:
    config = load_config({"SLACK_CLIENT_ID": "1234.5678", "SLACK_CLIENT_SECRET": "s3cret-value",
                          "SLACK_SIGNING_SECRET": "x", "WI3_UNINSTALL_GRACE_DAYS": "0"},
                         dotenv_path=None)
    assert config.workspaces == "many" and config.bot_token is None
    assert config.uninstall_grace_days == 0
    assert "s3cret-value" in config.secrets() and "s3cret-value" not in repr(config)
    with_token = load_config({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_CLIENT_ID": "1234.5678",
                              "SLACK_SIGNING_SECRET": "x"}, dotenv_path=None)
    assert with_token.workspaces == "one" and with_token.client_id is None


def test_half_the_oauth_credentials_or_socket_mode_with_them_is_one_clear_line() -> None:
    message = config_error({"SLACK_CLIENT_ID": "1234.5678", "SLACK_SIGNING_SECRET": "x"})
    assert "SLACK_CLIENT_SECRET is not set" in message
    message = config_error({"SLACK_CLIENT_ID": "1234.5678", "SLACK_CLIENT_SECRET": "s",
                            "SLACK_APP_TOKEN": "xapp-1"})
    assert "runs in HTTP mode only" in message and "Marketplace" in message
    message = config_error({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "x",
                            "WI3_UNINSTALL_GRACE_DAYS": "-1"})
    assert "WI3_UNINSTALL_GRACE_DAYS must be a whole number of days, 0 or more" in message


def test_the_dashboards_sign_in_and_public_url_in_either_mode() -> None:
    one = load_config({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "x",
                       "SLACK_CLIENT_ID": "1234.5678", "SLACK_CLIENT_SECRET": "sign-in-secret",
                       "WI3_PUBLIC_URL": "https://wi3.example.org/"}, dotenv_path=None)
    assert one.workspaces == "one" and one.sign_in == ("1234.5678", "sign-in-secret")
    assert one.public_url == "https://wi3.example.org"
    assert "sign-in-secret" in one.secrets() and "sign-in-secret" not in repr(one)
    half = load_config({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "x",
                        "SLACK_CLIENT_ID": "1234.5678"}, dotenv_path=None)
    assert half.sign_in is None  # nobody can sign in; the dashboard says so
    message = config_error({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "x",
                            "WI3_PUBLIC_URL": "wi3.example.org/dashboard"})
    assert "WI3_PUBLIC_URL must be where browsers reach wi3" in message
