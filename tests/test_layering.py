"""The layers of the server (docs/architecture.md), checked on the code's own imports: every import statement
of adapt_server/ and kernels/ (function-level ones included: a lazy import is still a dependency), read with
the ast module. No exceptions are listed: a rule that the code breaks is a defect of the code.

- Every package or top-level module of adapt_server/ has a layer; a new one must be given its layer here.
- An import points down, or sideways within its layer.
- No two packages import each other, directly or through others; no two modules either.
- Only the API layer and above speak gRPC or protobuf; the kernels import nothing of the server.
"""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SERVER, KERNELS = REPO / "adapt_server", REPO / "kernels" / "adapt_kernels"

LAYERS: dict[int, tuple[str, ...]] = {
    # 1: foundations: values, errors, configuration, the egress switches, audio formats, numba kernels,
    #    metrics and tracing (any layer records a metric or opens a span)
    1: ("adapt_kernels", "errors", "spans", "config", "paths", "egress", "audio", "observability"),
    # 2: pure libraries: inference, synthesis, scoring, sample-data generation
    2: ("engines", "tts", "scoring", "sampledata"),
    # 3: persistence: every SQL statement, the blob store
    3: ("store",),
    # 4: the job runtime: worker processes, their context, the job-backed use cases
    4: ("jobs",),
    # 5: domain packages: the resources and their use cases
    5: ("models", "intake", "evaluation", "training", "finetunes", "deploy", "speech", "voices", "lineage",
        "security"),
    # 6: gRPC servicers: messages <-> use cases, errors -> status codes
    6: ("api",),
    # 7: the process: the server, its commands
    7: ("server", "cli", "quickstart"),
}
LAYER = {unit: layer for layer, units in LAYERS.items() for unit in units}
GRPC_MODULES = ("grpc", "grpc_health", "grpc_reflection", "google.protobuf", "adapt.v1")
GRPC_FROM_LAYER = 6


def module_name(path: Path) -> str:
    """adapt_server/intake/steps/base.py -> adapt_server.intake.steps.base (packages: their __init__)."""
    root = SERVER.parent if path.is_relative_to(SERVER) else KERNELS.parent
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, modules: frozenset[str] = frozenset()) -> set[str]:
    """Every module an import statement of the file names, relative imports resolved. `from P import x` names
    P.x when that is one of `modules` (importing a submodule is no dependency on its package's re-exports),
    else P."""
    name, found = module_name(path), set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
    return found


def source_files() -> list[Path]:
    return sorted(p for root in (SERVER, KERNELS) for p in root.rglob("*.py"))


def module_graph() -> dict[str, set[str]]:
    """module -> the modules of the tree it imports (itself excluded)."""
    files = source_files()
    modules = frozenset(module_name(p) for p in files)
    graph = {}
    for path in files:
        name = module_name(path)
        graph[name] = {m for m in imported_modules(path, modules) if m in modules and m != name}
    return graph


def unit_of(module: str) -> str | None:
    """The layered unit of a module: adapt_server.X... -> X; adapt_kernels... -> adapt_kernels."""
    parts = module.split(".")
    if parts[0] == "adapt_kernels":
        return "adapt_kernels"
    return parts[1] if parts[0] == "adapt_server" and len(parts) > 1 else None


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan), each sorted."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_every_package_has_a_layer():
    units = {unit_of(module_name(p)) for p in source_files()} - {None}
    unplaced = sorted(units - set(LAYER))
    assert not unplaced, f"give these packages a layer in tests/test_layering.py LAYERS: {unplaced}"


def test_imports_point_down_or_sideways():
    upward = []
    for module, targets in module_graph().items():
        unit = unit_of(module)
        for target in sorted(targets):
            other = unit_of(target)
            if unit in LAYER and other in LAYER and LAYER[other] > LAYER[unit]:
                upward.append(f"{module} (layer {LAYER[unit]}) imports {target} (layer {LAYER[other]})")
    assert not upward, "imports that point up:\n" + "\n".join(upward)


def test_no_import_cycle_between_packages():
    units: dict[str, set[str]] = defaultdict(set)
    for module, targets in module_graph().items():
        units[unit_of(module)] |= {unit_of(t) for t in targets if unit_of(t) != unit_of(module)}
    found = cycles({u: t - {None} for u, t in units.items() if u})
    assert not found, f"packages that import each other: {found}"


def test_no_import_cycle_between_modules():
    found = cycles(module_graph())
    assert not found, f"modules that import each other: {found}"


def test_only_the_api_and_the_process_speak_grpc():
    offenders = []
    for path in source_files():
        unit = unit_of(module_name(path))
        if LAYER.get(unit, 0) >= GRPC_FROM_LAYER:
            continue
        for imported in sorted(imported_modules(path)):
            if any(imported == g or imported.startswith(g + ".") for g in GRPC_MODULES):
                offenders.append(f"{module_name(path)} imports {imported}")
    assert not offenders, "below adapt_server/api/ nothing imports grpc or protobuf:\n" + "\n".join(offenders)


def test_the_kernels_import_nothing_of_the_server():
    offenders = [f"{module_name(p)} imports {m}" for p in sorted(KERNELS.rglob("*.py"))
                 for m in sorted(imported_modules(p)) if m == "adapt_server" or m.startswith("adapt_server.")]
    assert not offenders, "\n".join(offenders)


def test_the_checks_see_what_they_check():
    """The graph is read from the real tree: the server reaches the store, and a relative import resolves."""
    graph = module_graph()
    assert "adapt_server.store.store" in graph["adapt_server.server"]
    assert "adapt_server.engines.options" in graph["adapt_server.engines.protocol"]
    assert "grpc" in imported_modules(SERVER / "api" / "status.py")
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
