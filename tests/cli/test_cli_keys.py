"""``broadsheet keys``: a key is printed once, listed without its secret, and revocable."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from api.cli.commands import main
from api.settings import get_settings


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_create_list_revoke(cli: CliRunner) -> None:
    created = cli.invoke(main, ["keys", "create", "--name", "mirror", "--scope", "write"])
    assert created.exit_code == 0, created.output
    token = created.stdout.strip()
    assert token.startswith("bsk_")
    key_id = token.split("_")[1]
    assert "cannot be shown again" in created.stderr

    listed = cli.invoke(main, ["keys", "list"])
    assert listed.exit_code == 0
    assert listed.stdout.startswith(f"{key_id}\twrite\tmirror\t")
    assert token.split("_", 2)[2] not in listed.stdout

    assert cli.invoke(main, ["keys", "revoke", key_id]).exit_code == 0
    again = cli.invoke(main, ["keys", "revoke", key_id])
    assert again.exit_code == 1
    assert "no active key" in again.output


def test_unknown_scope_is_refused(cli: CliRunner) -> None:
    result = cli.invoke(main, ["keys", "create", "--name", "x", "--scope", "root"])
    assert result.exit_code == 2
