"""Diarization of multi-channel calls recorded one speaker per channel (stereo contact-center calls:
agent on one channel, customer on the other): each channel's speech, found by Silero VAD, is its
speaker's turns. No embeddings are needed, and overlapping speech is kept as overlapping turns."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from adapt_server.errors import InvalidArgument
from adapt_server.intake.diarization.embedded import DEFAULT_OPTIONS, speech_regions_16k
from adapt_server.intake.diarization.inputs import SAMPLE_RATE, mono_16k
from adapt_server.intake.diarization.options import DiarizationOptions
from adapt_server.spans import SpeakerTurn


def diarize_channels(channels: Sequence[np.ndarray], sample_rate: int = SAMPLE_RATE,
                     labels: Sequence[str] | None = None, *,
                     options: DiarizationOptions | None = None) -> list[SpeakerTurn]:
    """Turns of a recording with one speaker per channel.

    channels: one float (n_samples,) array per channel, in [-1, 1] at `sample_rate` Hz.
    labels: the speaker of each channel (default "spk0", "spk1", ... in channel order); they must be
    distinct non-empty strings, one per channel.
    Returns every channel's speech regions as turns of its speaker, sorted by (start, speaker); turns of
    two channels may overlap. Raises InvalidArgument for no channels or labels that do not fit them.
    """
    if isinstance(channels, np.ndarray) and channels.ndim == 2:
        channels = list(channels)
    if not isinstance(channels, Sequence) or isinstance(channels, (str, bytes)) or len(channels) == 0:
        raise InvalidArgument("diarize_channels needs a list of channels (one 1-D array of samples each), got none")
    if labels is None:
        labels = [f"spk{index}" for index in range(len(channels))]
    labels = list(labels)
    if len(labels) != len(channels):
        raise InvalidArgument(f"diarize_channels got {len(channels)} channels but {len(labels)} labels: give one "
                              "speaker label per channel")
    if any(not isinstance(label, str) or not label.strip() for label in labels) or len(set(labels)) != len(labels):
        raise InvalidArgument(f"channel speaker labels must be distinct, non-empty strings, got {labels!r}")
    options = options or DEFAULT_OPTIONS
    options.validate()
    turns: list[SpeakerTurn] = []
    for index, (channel, label) in enumerate(zip(channels, labels)):
        audio = mono_16k(channel, sample_rate, what=f"channel {index}")
        for start, end in speech_regions_16k(audio, options):
            turns.append(SpeakerTurn(start=start, end=end, speaker=label))
    return sorted(turns, key=lambda turn: (turn.start, turn.speaker, turn.end))
