"""The one scope table (security/methods.py): every RPC of every service in proto/adapt/v1 has exactly one
entry, each names a known scope, and nothing in the table is stale."""
from __future__ import annotations

import importlib
from pathlib import Path

from adapt_server.security.methods import AUTHENTICATED, METHODS, OPEN_PREFIXES
from adapt_server.security.scopes import KNOWN_SCOPES, SERVER_ADMIN

PROTO = Path(__file__).resolve().parents[3] / "proto" / "adapt" / "v1"


def every_rpc() -> set[str]:
    """"/adapt.v1.Service/Method" for every service of every .proto file (from the generated descriptors)."""
    methods = set()
    for proto in sorted(PROTO.glob("*.proto")):
        module = importlib.import_module(f"adapt.v1.{proto.stem}_pb2")
        for service in module.DESCRIPTOR.services_by_name.values():
            methods |= {f"/{service.full_name}/{m.name}" for m in service.methods}
    return methods


def test_every_rpc_has_one_entry_and_no_entry_is_stale():
    rpcs = every_rpc()
    assert len(rpcs) > 40 and "/adapt.v1.Keys/CreateKey" in rpcs
    missing = sorted(rpcs - set(METHODS))
    assert not missing, f"give these RPCs a scope in adapt_server/security/methods.py: {missing}"
    ours = {m for m in METHODS if m.startswith("/adapt.v1.")}
    assert ours == rpcs, f"stale entries: {sorted(ours - rpcs)}"


def test_every_entry_names_a_known_scope_and_health_alone_is_open():
    for method, policy in METHODS.items():
        assert policy.scope in KNOWN_SCOPES | {SERVER_ADMIN, AUTHENTICATED}, (method, policy.scope)
        assert all(scope in KNOWN_SCOPES for _, scope in policy.also), method
        assert not method.startswith(OPEN_PREFIXES)
    assert OPEN_PREFIXES == ("/grpc.health.v1.Health/",)


def test_every_mutation_is_audited_and_reads_of_metadata_are_not():
    for method, policy in METHODS.items():
        name = method.rsplit("/", 1)[1]
        if name.startswith(("Create", "Delete", "Cancel", "Update", "Rollback", "Register", "Revoke", "Map", "Unmap")):
            assert policy.audited, method
        if name.startswith(("Get", "Watch", "WhoAmI")) or name in ("ListDatasets", "ListModels", "ListKeys"):
            assert not policy.audited, method
    assert METHODS["/adapt.v1.Datasets/ExportDataset"].audited  # content (transcripts) leaves the server
    assert METHODS["/adapt.v1.Speech/Transcribe"].also == (("recording", "datasets:read"),)
