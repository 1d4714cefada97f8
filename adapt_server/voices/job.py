"""The `voice.build` job: fit a Kokoro style pack to the talent (voices/voice_build.py) and store it as a blob.

Resumable: the build's state is checkpointed after its start and after every generation to
<data-dir>/voices/<id>/build_state.json (written atomically); a run after a crash (kill -9 included) resumes from
it and gives the same voice as an uninterrupted build. Cancel is checked between candidates. A voice whose
consent is revoked while it builds publishes nothing.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from adapt_server.engines.registry import EngineRegistry
from adapt_server.errors import FailedPrecondition
from adapt_server.voices.service import whisper_transcriber
from adapt_server.voices.talent_audio import talent_audio
from adapt_server.voices.voice_build import BuildOptions, build_voice

BUILD_SHARE = 0.98  # of the progress bar; storing the pack takes the rest
STATE_FILE = "build_state.json"


def work_dir(config, voice_id: str) -> Path:
    return config.data_dir / "voices" / voice_id


def write_atomically(path: Path, text: str) -> None:
    """Writes `text` to a temporary file beside `path`, fsyncs it and renames it over `path`."""
    temporary = path.with_suffix(".tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def run_voice_build_job(ctx) -> str:
    store = ctx.store
    voice = store.voices.get(ctx.payload["voice_id"])
    if voice is None:
        raise FailedPrecondition(f"voice {ctx.payload['voice_id']} was deleted before its build ran")
    if voice.pack_sha256:
        return f"{voice.id} is built"  # a run interrupted after storing the pack
    store.lineage.require_not_revoked(voice.id, "voice")
    if store.datasets.get(voice.dataset_id) is None:
        raise FailedPrecondition(f"dataset {voice.dataset_id} was deleted before the voice was built")
    ctx.progress(0.0, "loading", message=f"reading speaker {voice.speaker or '(the only one)'} of {voice.dataset_id}")
    talent = talent_audio(store, voice.dataset_id, voice.speaker)
    directory = work_dir(ctx.config, voice.id)
    directory.mkdir(parents=True, exist_ok=True)
    state_path = directory / STATE_FILE
    resume = state_path.read_text(encoding="utf-8") if state_path.exists() else None
    if resume is not None:
        ctx.log("resuming the build from its last checkpoint")
    ctx.log(f"{len(talent.recordings)} recording(s), {talent.seconds:.1f} s of the talent",
            recordings=len(talent.recordings), seconds=round(talent.seconds, 2))

    def progress(fraction: float, stage: str, message: str) -> None:
        ctx.progress(BUILD_SHARE * fraction, stage, message=message)

    def should_cancel() -> bool:
        ctx.check_cancelled()  # raises JobCancelled: the worker ends the job CANCELLED
        return False

    transcribe = whisper_transcriber(store, EngineRegistry(cache_dir=ctx.config.engine_cache_dir))
    result = build_voice(list(talent.recordings), BuildOptions(**voice.options), transcribe, progress,
                         should_cancel, resume, lambda state: write_atomically(state_path, state))
    store.lineage.require_not_revoked(voice.id, "voice")
    ctx.progress(0.99, "storing", message="storing the style pack", force=True)
    sha = store.blobs.put_bytes(result.pack.to_bytes())
    quality = {"similarity": round(result.similarity, 4), "start_voice": result.start_voice,
               "start_similarity": round(result.start_similarity, 4), "wer": round(result.wer, 4),
               "generations": result.generations, "evaluations": result.evaluations,
               "build_seconds": round(result.seconds, 1)}
    store.voices.set_built(voice.id, sha, quality)
    shutil.rmtree(directory, ignore_errors=True)
    return (f"built {voice.id}: similarity {result.similarity:.3f} to the talent (closest stock voice "
            f"{result.start_voice}: {result.start_similarity:.3f}), WER {result.wer:.2f}")
