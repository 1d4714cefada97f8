"""Regenerate the client stubs of every proto/adapt/v1/*.proto, in the three languages at once:

- Python: grpcio-tools' protoc -> clients/python/adapt/v1/*_pb2*.py[i]
- TypeScript: buf + protoc-gen-es (npm, clients/typescript's lockfile) -> clients/typescript/src/gen/adapt/v1/*_pb.ts
- Go: buf + Debian's protoc-gen-go / protoc-gen-go-grpc -> clients/go/src/adapt/v1/*.pb.go

Usage: python scripts/gen_protos.py [--out DIR] [--only python,typescript,go]
In place by default (old generated files are removed first, so a deleted .proto leaves nothing behind); with
--out, the same tree is written under DIR (DIR/clients/...). TypeScript and Go come from one `buf generate`
with buf.gen.yaml; they need `npm ci` in clients/typescript and the Debian Go packages (scripts/setup_clients.sh).
The committed stubs must equal a fresh generation; tests/sdk/test_stubs_fresh.py checks it.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROTO_ROOT = REPO / "proto"
DEFAULT_OUT = REPO / "clients" / "python"
BUF = REPO / "clients" / "typescript" / "node_modules" / ".bin" / "buf"
PROTOC_GEN_ES = REPO / "clients" / "typescript" / "node_modules" / ".bin" / "protoc-gen-es"
GO_PLUGINS = ("protoc-gen-go", "protoc-gen-go-grpc")

# language -> (folder of its generated files relative to the repository, glob of the generated files)
GENERATED = {
    "python": ("clients/python/adapt/v1", "*_pb2*.py*"),
    "typescript": ("clients/typescript/src/gen/adapt/v1", "*_pb.ts"),
    "go": ("clients/go/src/adapt/v1", "*.pb.go"),
}
LANGUAGES = tuple(GENERATED)


def generate(out_root: Path) -> list[Path]:
    """Runs protoc (grpcio-tools) on every .proto; returns the generated files under out_root/adapt/v1."""
    import grpc_tools
    from grpc_tools import protoc

    include = Path(grpc_tools.__file__).parent / "_proto"
    (out_root / "adapt" / "v1").mkdir(parents=True, exist_ok=True)
    args = ["protoc", f"-I{PROTO_ROOT}", f"-I{include}", f"--python_out={out_root}",
            f"--pyi_out={out_root}", f"--grpc_python_out={out_root}", *proto_files()]
    if protoc.main(args) != 0:
        raise SystemExit(f"protoc failed on {proto_files()}")
    return sorted((out_root / "adapt" / "v1").glob("*_pb2*.py*"))


def proto_files() -> list[str]:
    """Every .proto of the API, relative to proto/ ("adapt/v1/speech.proto", ...)."""
    return sorted(str(p.relative_to(PROTO_ROOT)) for p in (PROTO_ROOT / "adapt" / "v1").glob("*.proto"))


def missing_tools(languages=LANGUAGES) -> list[str]:
    """What generating `languages` needs and this machine lacks, each with the command that installs it."""
    missing = []
    if {"typescript", "go"} & set(languages):
        if shutil.which("node") is None:
            missing.append("node (apt-get install nodejs npm)")
        if not (BUF.exists() and PROTOC_GEN_ES.exists()):
            missing.append("buf and protoc-gen-es (cd clients/typescript && npm ci)")
    if "go" in languages:
        missing += [f"{p} (bash scripts/setup_clients.sh)" for p in GO_PLUGINS if shutil.which(p) is None]
    return missing


def generate_buf(out_root: Path) -> None:
    """TypeScript and Go stubs through buf.gen.yaml, written under out_root (a tree shaped like the repo)."""
    missing = missing_tools(("typescript", "go"))
    if missing:
        raise SystemExit(f"cannot generate the TypeScript and Go stubs; missing: {', '.join(missing)}")
    env = dict(os.environ, PATH=f"{BUF.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    result = subprocess.run([str(BUF), "generate", "--template", "buf.gen.yaml", "--output", str(out_root)],
                            cwd=REPO, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"buf generate failed ({result.returncode}):\n{result.stdout}{result.stderr}")


def generated_files(root: Path, language: str) -> list[Path]:
    """The generated files of `language` in a repo-shaped tree `root`."""
    folder, pattern = GENERATED[language]
    return sorted((root / folder).glob(pattern))


def generate_all(root: Path, languages=LANGUAGES) -> dict[str, list[Path]]:
    """Generates `languages` into the repo-shaped tree `root` (REPO: in place, replacing the old files)."""
    for language in languages:
        for stale in generated_files(root, language):
            stale.unlink()
    if "python" in languages:
        generate(root / "clients" / "python")
    if {"typescript", "go"} & set(languages):
        if set(languages) >= {"typescript", "go"}:
            generate_buf(root)
        else:  # buf.gen.yaml runs both plugins: generate aside and keep the asked language only
            scratch = root / ".gen-scratch"
            generate_buf(scratch)
            for language in {"typescript", "go"} & set(languages):
                folder, _ = GENERATED[language]
                (root / folder).mkdir(parents=True, exist_ok=True)
                for path in generated_files(scratch, language):
                    shutil.move(str(path), root / folder / path.name)
            shutil.rmtree(scratch)
    return {language: generated_files(root, language) for language in languages}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=REPO, help="a tree shaped like the repository (default: in place)")
    parser.add_argument("--only", default=",".join(LANGUAGES), help="comma-separated subset of " + ",".join(LANGUAGES))
    args = parser.parse_args()
    languages = tuple(name for name in args.only.split(",") if name)
    unknown = set(languages) - set(LANGUAGES)
    if unknown:
        parser.error(f"unknown language(s) {sorted(unknown)}; choose from {list(LANGUAGES)}")
    for language, files in generate_all(args.out.resolve(), languages).items():
        print(f"{language}: {len(files)} files in {GENERATED[language][0]}", file=sys.stderr)


if __name__ == "__main__":
    main()
