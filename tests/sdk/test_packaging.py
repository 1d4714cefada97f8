"""The SDK and server packages: the SDK imports nothing of the server, one version file, the server's
commands registered for the `adapt` CLI, and the SDK's resource APIs derive existing RPCs from their names.
(A real client-only install in a fresh venv: test_client_only_install.py, slow.)"""
from __future__ import annotations

import ast
import importlib
import subprocess
import sys
import tomllib
from pathlib import Path

import adapt
from adapt.cli import SERVER_COMMANDS
from adapt._resource_api import JobResourceAPI, ResourceAPI, _snake

REPO = Path(__file__).resolve().parents[2]
SDK = REPO / "clients" / "python"
# what `pip install clients/python` brings (its pyproject's dependencies), as import names
SDK_DEPENDENCIES = {"grpc", "google", "click", "rich", "plotly"}
OPTIONAL = {"av", "numpy",   # the "stream" extra: `adapt transcribe --stream`, imported inside that command
            "cryptography"}  # the "consent" extra: `adapt consent verify` (adapt/consent.py), imported inside it


def _imports(path: Path) -> list[tuple[str, int, bool]]:
    """(top-level module, line, imported at module level) of every import of a source file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name.split(".")[0], node.lineno, id(node) in top_level) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            found.append((node.module.split(".")[0], node.lineno, id(node) in top_level))
    return found


def test_the_sdk_imports_only_its_own_dependencies():
    bad = []
    for path in sorted((SDK / "adapt").rglob("*.py")):
        for module, line, at_top in _imports(path):
            known = module in sys.stdlib_module_names or module == "adapt" or module in SDK_DEPENDENCIES
            if not known and not (module in OPTIONAL and not at_top):
                bad.append(f"{path.relative_to(REPO)}:{line} imports {module}")
    assert not bad, "the SDK must install and import without the server's dependencies:\n" + "\n".join(bad)


def test_one_version_for_both_packages():
    version = (SDK / "VERSION").read_text().strip()
    server = tomllib.loads((REPO / "pyproject.toml").read_text())
    sdk = tomllib.loads((SDK / "pyproject.toml").read_text())
    assert "version" in server["project"]["dynamic"] and "version" in sdk["project"]["dynamic"]
    assert (REPO / server["tool"]["setuptools"]["dynamic"]["version"]["file"]).resolve() == SDK / "VERSION"
    assert (SDK / sdk["tool"]["setuptools"]["dynamic"]["version"]["file"]).resolve() == SDK / "VERSION"
    from adapt_server.api.server_status import VERSION
    assert adapt.__version__ == VERSION == version


def test_the_server_registers_serve_and_quickstart_for_the_adapt_cli():
    server = tomllib.loads((REPO / "pyproject.toml").read_text())
    registered = server["project"]["entry-points"]["adapt.commands"]
    assert set(registered) == set(SERVER_COMMANDS)
    for name, target in registered.items():
        module, attribute = target.split(":")
        assert getattr(importlib.import_module(module), attribute).name == name


def test_the_full_install_runs_serve_and_quickstart_as_adapt_commands():
    adapt_script = Path(sys.executable).with_name("adapt")   # .venv/bin/adapt, as the README runs it
    for name, summary in (("serve", "Run the Adapt server"), ("quickstart", "Start an embedded server")):
        result = subprocess.run([str(adapt_script), name, "--help"], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0 and summary in result.stdout, result.stdout + result.stderr
    listed = subprocess.run([str(adapt_script), "--help"], capture_output=True, text=True, timeout=60).stdout
    assert "  serve " in listed and "  quickstart " in listed and "pip install adapt-server" not in listed


def test_every_resource_api_derives_rpcs_that_exist():
    client = adapt.Client("127.0.0.1:9")   # the channel connects lazily: nothing is called here
    apis = [api for api in vars(client).values() if isinstance(api, ResourceAPI)]
    assert {type(api).__name__ for api in apis} == {"DatasetsAPI", "ModelsAPI", "EvaluationsAPI",
                                                    "FineTunesAPI", "DeploymentsAPI", "VoicesAPI"}
    for api in apis:
        methods = [f"Get{api.name}", f"List{api.name}s"]
        if isinstance(api, JobResourceAPI):
            methods += [f"Cancel{api.name}", f"Watch{api.name}"]
            assert api.kind
        for method in methods:
            assert hasattr(api._stub, method), method
            if not method.startswith("Watch"):
                assert hasattr(api.messages, f"{method}Request"), method
        response = getattr(api.messages, f"List{api.name}sResponse")
        assert _snake(f"{api.name}s") in response.DESCRIPTOR.fields_by_name
    client.close()
