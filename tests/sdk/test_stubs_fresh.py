"""The committed adapt.v1 stubs must equal a fresh protoc run over proto/ (regenerate: scripts/gen_protos.py)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _load_generator():
    spec = importlib.util.spec_from_file_location("gen_protos", REPO / "scripts" / "gen_protos.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_stubs_match_a_fresh_generation(tmp_path):
    generated = _load_generator().generate(tmp_path)
    committed_dir = REPO / "clients" / "python" / "adapt" / "v1"
    assert generated, "protoc generated nothing"
    names = {p.name for p in generated}
    assert names == {p.name for p in committed_dir.glob("*_pb2*.py*")}, "stub files differ from the .proto set"
    stale = [p.name for p in generated if p.read_bytes() != (committed_dir / p.name).read_bytes()]
    assert not stale, f"stale stubs {stale}: run `python scripts/gen_protos.py` and commit the result"


def test_every_proto_is_package_adapt_v1():
    for proto in (REPO / "proto" / "adapt" / "v1").glob("*.proto"):
        assert "package adapt.v1;" in proto.read_text(), proto
