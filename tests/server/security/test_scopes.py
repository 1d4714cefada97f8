"""Scopes: admin implies write implies read per resource; "admin" covers a project, "server:admin" all."""
from __future__ import annotations

import pytest

from adapt_server.errors import InvalidArgument
from adapt_server.security.scopes import check_scopes, first_missing, grants


@pytest.mark.parametrize("held, required, granted", [
    ({"datasets:read"}, "datasets:read", True),
    ({"datasets:write"}, "datasets:read", True),
    ({"datasets:admin"}, "datasets:write", True),
    ({"datasets:read"}, "datasets:write", False),
    ({"datasets:write"}, "datasets:admin", False),
    ({"datasets:admin"}, "models:read", False),
    ({"speech:transcribe"}, "speech:synthesize", False),
    ({"admin"}, "keys:admin", True),
    ({"admin"}, "speech:synthesize", True),
    ({"admin"}, "server:admin", False),
    ({"server:admin"}, "server:admin", True),
    ({"server:admin"}, "voices:write", True),
    (set(), "datasets:read", False),
])
def test_grants(held, required, granted):
    assert grants(held, required) is granted


def test_scopes_are_checked_and_sorted():
    assert check_scopes(["speech:transcribe", "datasets:read", "datasets:read"]) == ("datasets:read",
                                                                                      "speech:transcribe")
    with pytest.raises(InvalidArgument, match="unknown scope 'datasets:delete'"):
        check_scopes(["datasets:delete"])
    with pytest.raises(InvalidArgument, match="is empty"):
        check_scopes([])
    assert check_scopes(["server:admin", "admin"]) == ("admin", "server:admin")  # who may grant it: first_missing


def test_first_missing_names_what_a_creator_cannot_grant():
    assert first_missing({"datasets:write"}, ["datasets:read", "models:read"]) == "models:read"
    assert first_missing({"admin"}, ["keys:admin", "speech:transcribe"]) is None
    assert first_missing({"admin"}, ["server:admin"]) == "server:admin"
