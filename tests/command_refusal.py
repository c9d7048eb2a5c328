"""Run an import command as from the shell: a refused file exits non-zero, errors on stderr."""

from __future__ import annotations

import pytest
from django.core.management import load_command_class
from django.db import connections


def run_refused_command(monkeypatch, capsys, app: str, name: str, *args: str) -> str:
    """`manage.py <name> <args>` through `run_from_argv` (what the shell runs); returns the
    stderr text after asserting a non-zero exit and an empty stdout."""
    # run_from_argv closes every connection when it ends, which would end the test's
    # transaction: keep the test's connection open.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    command = load_command_class(app, name)
    with pytest.raises(SystemExit) as exit_info:
        command.run_from_argv(["manage.py", name, *args])
    assert exit_info.value.code not in (0, None)
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err
