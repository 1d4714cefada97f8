"""The `pyannote` diarizer: a pyannote.audio pipeline the operator configures from a local path.

pyannote.audio ships no weights and Adapt downloads none, so the operator points the step at a pipeline
config (`config.yaml`, or a directory holding one, whose model paths are local checkpoints).
pyannote.audio is optional: when it or the path is missing, `PyannoteDiarizer.from_path` raises
FailedPrecondition saying which and what to do. Its telemetry is switched off (PYANNOTE_METRICS_ENABLED=0)
before it is imported.
"""
from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np

from adapt_server.errors import FailedPrecondition
from adapt_server.intake.diarization.inputs import SAMPLE_RATE, check_speaker_counts, mono_16k
from adapt_server.spans import SpeakerTurn

CONFIG_NAME = "config.yaml"  # the file a pyannote.audio pipeline directory holds


class PyannoteDiarizer:
    """Runs a loaded pyannote.audio `Pipeline` on arrays; same call shape as the embedded `diarize`."""

    def __init__(self, pipeline, source: Path):
        self.pipeline = pipeline
        self.source = source  # the config file it was loaded from

    @classmethod
    def from_path(cls, path: str | Path) -> PyannoteDiarizer:
        """Loads the pipeline at `path`: a pipeline config file, or a directory with `config.yaml`.

        Raises FailedPrecondition when the path does not exist or holds no config, when pyannote.audio is
        not installed (or fails to import), or when pyannote.audio cannot load the pipeline."""
        config = _config_file(Path(path).expanduser())
        os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")
        try:
            with warnings.catch_warnings():  # torchcodec's FFmpeg decoding is not needed: audio comes in memory
                warnings.simplefilter("ignore")
                from pyannote.audio import Pipeline
        except ImportError as error:
            raise FailedPrecondition(
                "the pyannote diarizer needs pyannote.audio, which is not installed here "
                f"({error}): `pip install pyannote.audio` on the server, or use the embedded diarizer "
                "(the diarize step without a model)") from error
        except Exception as error:  # e.g. torchaudio's native libraries failing to load
            raise FailedPrecondition(f"pyannote.audio is installed but fails to import: {error}") from error
        try:
            pipeline = Pipeline.from_pretrained(str(config))
        except Exception as error:
            raise FailedPrecondition(f"pyannote.audio could not load the pipeline {config}: {error}") from error
        if pipeline is None:
            raise FailedPrecondition(f"pyannote.audio found no pipeline in {config}")
        return cls(pipeline, config)

    def __call__(self, samples: np.ndarray, sample_rate: int = SAMPLE_RATE, *, num_speakers: int | None = None,
                 min_speakers: int = 1, max_speakers: int = 8) -> list[SpeakerTurn]:
        """float (n_samples,) at `sample_rate` Hz -> turns sorted by start, speakers "spk0", "spk1", ..."""
        import torch

        check_speaker_counts(num_speakers, min_speakers, max_speakers)
        audio = mono_16k(samples, sample_rate)
        counts = {"num_speakers": num_speakers} if num_speakers is not None else {
            "min_speakers": min_speakers, "max_speakers": max_speakers}
        output = self.pipeline({"waveform": torch.from_numpy(audio)[None], "sample_rate": SAMPLE_RATE}, **counts)
        return turns_from_annotation(getattr(output, "speaker_diarization", output))


def turns_from_annotation(annotation) -> list[SpeakerTurn]:
    """A `pyannote.core.Annotation` -> SpeakerTurns sorted by (start, speaker), labels renamed "spk0",
    "spk1", ... in order of first speech."""
    tracks = sorted((segment.start, segment.end, str(label))
                    for segment, _, label in annotation.itertracks(yield_label=True) if segment.end > segment.start)
    names: dict[str, str] = {}
    for _, _, label in tracks:
        names.setdefault(label, f"spk{len(names)}")
    return [SpeakerTurn(start=max(0.0, start), end=end, speaker=names[label]) for start, end, label in tracks]


def _config_file(path: Path) -> Path:
    if not path.exists():
        raise FailedPrecondition(f"the pyannote diarization pipeline path {path} does not exist: configure the "
                                 f"diarize step's model as a local pyannote.audio {CONFIG_NAME} (or a directory "
                                 "holding one); pyannote.audio ships no weights and Adapt downloads none")
    if path.is_dir():
        config = path / CONFIG_NAME
        if not config.is_file():
            raise FailedPrecondition(f"the pyannote diarization pipeline directory {path} has no {CONFIG_NAME}: "
                                     "point the diarize step at a pyannote.audio pipeline config")
        return config
    return path
