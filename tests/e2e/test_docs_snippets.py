"""The README's model-families snippet runs as written (paths aside) once the docs' names are registered.

`qwen3-asr`, `voxtral-realtime`, `cohere-transcribe-2b` (tiny random checkpoints of the real architectures) and
`pyannote-3.3` (a pyannote.audio pipeline directory: real segmentation-3.0, random embedding) are registered from a
model root with the README's own `adapt models register` commands (the CLI, with /models/... replaced by that
root); then the README's Python block is executed with /data/calls, call.wav and pcm_chunks pointing at generated
speech. Random weights: the snippet's outputs are gibberish; the test checks that every call of it works.
"""
from __future__ import annotations

import re
import shlex
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from testkit.servers import ServerProcess

pytestmark = pytest.mark.slow
README = Path(__file__).resolve().parents[2] / "README.md"
TEXTS = ("thank you for calling how can i help you today", "please hold while i transfer your call")
DOCS_DIRS = {"Qwen3-ASR-1.7B": "qwen3_asr", "Qwen3-ForcedAligner-0.6B": "qwen3_forced_aligner",
             "Voxtral-Mini-4B-Realtime-2602": "voxtral_realtime", "cohere-transcribe-2b": "cohere_asr"}


def families_section() -> str:
    text = README.read_text(encoding="utf-8")
    return text[text.index("## Model families"):text.index("## Clients in TypeScript and Go")]


def _speech(text: str) -> np.ndarray:
    from scipy.signal import resample_poly

    from adapt_server.sampledata.espeak import EspeakVoice, synthesize
    clip = synthesize(text, EspeakVoice("en-us"))
    return resample_poly(clip.samples.astype(np.float32) / 32768, 320, 441).astype(np.float32)


def _pcm16(samples: np.ndarray) -> bytes:
    return (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()


def _write_wav(path: Path, samples: np.ndarray) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(_pcm16(samples))


@pytest.fixture(scope="module")
def roots(tmp_path_factory):
    from testkit.pyannote_pipeline import make_pyannote_pipeline
    from testkit.tiny_checkpoints import make_tiny_checkpoint

    calls = tmp_path_factory.mktemp("docs-sources") / "calls"
    calls.mkdir()
    for index, text in enumerate(TEXTS):
        _write_wav(calls / f"call{index}.wav", np.concatenate([np.zeros(4800, np.float32), _speech(text),
                                                               np.zeros(4800, np.float32)]))
        (calls / f"call{index}.txt").write_text(text + "\n", encoding="utf-8")
    models = tmp_path_factory.mktemp("docs-models")
    for name, family in DOCS_DIRS.items():
        make_tiny_checkpoint(family, models / name)
    make_pyannote_pipeline(models / "pyannote-speaker-diarization-3.3")
    return calls, models


@pytest.fixture(scope="module")
def server(tmp_path_factory, roots):
    calls, models = roots
    proc = ServerProcess(tmp_path_factory.mktemp("docs-data") / "adapt-data", [calls.parent],
                         extra_args=["--model-root", str(models)]).start()
    yield proc
    if proc.alive():
        proc.stop()


def test_the_readme_register_commands_and_python_snippet_run_as_written(server, roots, tmp_path):
    calls, models = roots
    section = families_section()
    commands = re.findall(r"^adapt models register (\S+) --id (\S+)", section, flags=re.M)
    assert {model_id for _, model_id in commands} >= {"qwen3-asr", "voxtral-realtime", "cohere-transcribe-2b",
                                                      "pyannote-3.3"}
    for path, model_id in commands:
        local = str(path).replace("/models", str(models), 1)
        args = [sys.executable, "-m", "adapt.cli", "--target", server.target, "models", "register", local,
                "--id", model_id]
        done = subprocess.run(args, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"{shlex.join(args)}\n{done.stdout}\n{done.stderr}"
        assert f"registered {model_id}" in done.stdout
    snippet = section.split("```python\n", 1)[1].split("```", 1)[0]
    call = calls / "call0.wav"
    pcm = _pcm16(_speech(TEXTS[1]))
    code = (snippet.replace('"localhost:50051"', repr(server.target)).replace('"/data/calls"', repr(str(calls)))
            .replace('"call.wav"', repr(str(call))))
    namespace = {"pcm_chunks": [pcm[i:i + 3200] for i in range(0, len(pcm), 3200)]}
    exec(compile(code, "README.md (model families)", "exec"), namespace)  # noqa: S102
    client = namespace["client"]
    assert client.datasets.get(namespace["aligned"].id).stats.diarized_recordings == len(TEXTS)
    leaderboard = client.evaluations.get(namespace["run"].id).leaderboard
    assert {row.model_id for row in leaderboard} == {"qwen3-asr", "voxtral-realtime", "cohere-transcribe-2b"}
    assert namespace["tuned"].model_id.startswith("ft:qwen3-asr:")
    assert client.deployments.get("prod-voice").routes["stt"] == namespace["tuned"].model_id
    client.close()
