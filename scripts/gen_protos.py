"""Regenerate the Python stubs of proto/adapt/v1/*.proto into clients/python/adapt/v1/.

Usage: python scripts/gen_protos.py [--out DIR]
The committed stubs must equal a fresh generation; tests/adapt/test_stubs_fresh.py checks it.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROTO_ROOT = REPO / "proto"
DEFAULT_OUT = REPO / "clients" / "python"


def generate(out_root: Path) -> list[Path]:
    """Runs protoc (grpcio-tools) on every .proto; returns the generated files under out_root/adapt/v1."""
    import grpc_tools
    from grpc_tools import protoc

    protos = sorted(str(p.relative_to(PROTO_ROOT)) for p in (PROTO_ROOT / "adapt" / "v1").glob("*.proto"))
    include = Path(grpc_tools.__file__).parent / "_proto"
    (out_root / "adapt" / "v1").mkdir(parents=True, exist_ok=True)
    args = ["protoc", f"-I{PROTO_ROOT}", f"-I{include}", f"--python_out={out_root}",
            f"--pyi_out={out_root}", f"--grpc_python_out={out_root}", *protos]
    if protoc.main(args) != 0:
        raise SystemExit(f"protoc failed on {protos}")
    return sorted((out_root / "adapt" / "v1").glob("*_pb2*.py*"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    files = generate(parser.parse_args().out)
    print("\n".join(str(f) for f in files), file=sys.stderr)


if __name__ == "__main__":
    main()
