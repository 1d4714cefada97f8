"""The committed adapt.v1 stubs of every language must equal a fresh generation over proto/ (regenerate all
three: `python scripts/gen_protos.py`): Python (grpcio-tools), TypeScript (buf + protoc-gen-es) and Go
(buf + Debian's protoc-gen-go / protoc-gen-go-grpc)."""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _load_generator():
    spec = importlib.util.spec_from_file_location("gen_protos", REPO / "scripts" / "gen_protos.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _load_generator()


def _assert_fresh(language: str, generated: list[Path]) -> None:
    committed = GEN.generated_files(REPO, language)
    assert generated, f"{language}: the generator wrote nothing"
    assert {p.name for p in generated} == {p.name for p in committed}, \
        f"{language}: generated files {sorted(p.name for p in generated)} differ from the committed ones"
    stale = [p.name for p in generated if p.read_bytes() != (REPO / GEN.GENERATED[language][0] / p.name).read_bytes()]
    assert not stale, f"stale {language} stubs {stale}: run `python scripts/gen_protos.py` and commit the result"


def test_committed_stubs_match_a_fresh_generation(tmp_path):
    generated = GEN.generate(tmp_path)
    _assert_fresh("python", generated)


def test_typescript_and_go_stubs_match_a_fresh_generation(tmp_path):
    missing = GEN.missing_tools(("typescript", "go"))
    if missing:
        reason = f"cannot regenerate the TypeScript and Go stubs, missing {missing}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must check them: {reason}")
        pytest.skip(reason)
    generated = GEN.generate_all(tmp_path, ("typescript", "go"))
    for language in ("typescript", "go"):
        _assert_fresh(language, generated[language])


def test_every_proto_is_generated_in_every_language():
    """A new .proto needs nothing else: every file of proto/adapt/v1 has its stubs in all three languages."""
    stems = {Path(p).stem for p in GEN.proto_files()}
    suffixes = {"python": ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py"), "typescript": ("_pb.ts",), "go": (".pb.go",)}
    for language, endings in suffixes.items():
        names = {p.name for p in GEN.generated_files(REPO, language)}
        for stem in stems:
            for ending in endings:
                assert f"{stem}{ending}" in names, f"{language}: no {stem}{ending} for adapt/v1/{stem}.proto"


def test_every_proto_is_package_adapt_v1():
    for proto in (REPO / "proto" / "adapt" / "v1").glob("*.proto"):
        assert "package adapt.v1;" in proto.read_text(), proto


def test_the_typescript_package_exports_every_generated_file():
    index = (REPO / "clients" / "typescript" / "src" / "index.ts").read_text()
    for stub in GEN.generated_files(REPO, "typescript"):
        line = f'export * from "./gen/adapt/v1/{stub.stem}.js";'
        assert line in index, f"add `{line}` to clients/typescript/src/index.ts"
