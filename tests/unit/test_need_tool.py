"""The conftest hook for system programs: a skip naming the package on a developer's
machine, a failure under CI=true (CI installs every package and never skips silently)."""

from __future__ import annotations

import pytest

from ..conftest import need_tool


def test_a_missing_program_skips_naming_its_package(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install poppler-utils"):
        need_tool("no-such-program-jixiao", "poppler-utils")


def test_a_missing_program_fails_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must have it"):
        need_tool("no-such-program-jixiao", "poppler-utils")


def test_a_present_program_is_found(monkeypatch):
    monkeypatch.setenv("CI", "true")
    assert need_tool("sh", "dash").endswith("sh")
