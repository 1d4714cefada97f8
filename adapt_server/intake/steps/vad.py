"""`vad`: speech regions (silero VAD, bundled) of each recording; stats report hours of speech.

params: threshold (0.05..0.95, default 0.5): speech probability; min_silence_s (0.05..5, default 0.5):
a pause at least this long ends a region.
"""
from __future__ import annotations

from dataclasses import dataclass

from adapt_server.intake.steps.base import ParamReader, RecordingWork, Step, ValidationEnv


@dataclass(frozen=True)
class VadConfig:
    threshold: float = 0.5       # speech probability per 32-ms frame
    min_silence_s: float = 0.5   # seconds of silence that end a region


class VadStep(Step):
    name = "vad"
    summary = "speech regions (silero)"

    @classmethod
    def parse(cls, where: str, params: dict, env: ValidationEnv) -> VadConfig:
        p = ParamReader(where, params)
        config = VadConfig(threshold=p.number("threshold", 0.5, 0.05, 0.95),
                           min_silence_s=p.number("min_silence_s", 0.5, 0.05, 5.0))
        p.done()
        return config

    @classmethod
    def run(cls, config: VadConfig, work: RecordingWork, resources) -> RecordingWork:
        from adapt_server.engines.vad import speech_regions
        regions = speech_regions(work.samples, threshold=config.threshold, min_silence_s=config.min_silence_s,
                                 speech_pad_s=0.1)
        return work.but(speech=tuple((float(a), float(b)) for a, b in regions))
