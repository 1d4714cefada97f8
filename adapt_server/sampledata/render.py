"""Speak a call script and lay it out as a recording through a channel condition (compute only, no file I/O).

Each turn is synthesized (by espeak-ng, or by a neural voice: neural.py), resampled to the channel's rate
(8 kHz telephone by default), band-limited to its voice band (300-3400 Hz by default), cut to where that band
holds speech (so turn and word times match what a listener hears) and set to its speaker's level; turns
follow each other with 0.3-1.0 s pauses, and the channel adds its line (channel.transmit: noise floor, and
per condition dropouts, a room, babble). Mono calls mix both speakers; stereo calls put the agent on the left
channel and the customer on the right, each channel holding only the line while the other party talks. Turn
and word times are where the dry speech is: a room's reverberant tail may ring on after a turn's end.

Word times come from espeak-ng's word marks. The neural engines report none, so a neural turn's words are
spread over the turn by character count and each is tightened to the speech frames in its stretch
(word_timing.py): its word times are approximate (a word can be off by a syllable or more), while its turn
times are exact like espeak-ng's (they come from the speech frames).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from adapt_server.sampledata import constants as C
from adapt_server.sampledata.channel import NARROWBAND, ChannelCondition, transmit, voice_path
from adapt_server.sampledata.energy import speech_frames
from adapt_server.sampledata.espeak import synthesize
from adapt_server.sampledata.script import AGENT, SPEAKERS, CallScript
from adapt_server.sampledata.telephone import float_to_pcm16, pcm16_to_float, scale_to_rms
from adapt_server.sampledata.tokens import tokenize
from adapt_server.sampledata.voices import PoolVoice
from adapt_server.sampledata.word_timing import word_sample_spans

CUSTOMER_LEVEL_OFFSET_DB = (-6.0, 0.0)  # dB: the customer's line is up to 6 dB quieter than the agent's


@dataclass(frozen=True)
class TimedWord:
    """One word of a turn with its time in the call."""

    text: str  # the word without surrounding punctuation
    char_start: int  # offset in the turn text (punctuation included)
    char_end: int
    start_s: float  # seconds from the start of the call
    end_s: float


@dataclass(frozen=True)
class RenderedTurn:
    speaker: str  # "agent" or "customer"
    text: str
    start_sample: int  # first sample of the turn's speech, at sample_rate
    end_sample: int  # one past its last sample
    words: tuple[TimedWord, ...]
    sample_rate: int  # Hz of the recording

    @property
    def start_s(self) -> float:
        return self.start_sample / self.sample_rate

    @property
    def end_s(self) -> float:
        return self.end_sample / self.sample_rate


@dataclass(frozen=True, eq=False)
class RenderedCall:
    channels: np.ndarray  # (n_channels, n_samples) int16 at sample_rate; 1 = mono, 2 = agent|customer
    turns: tuple[RenderedTurn, ...]
    sample_rate: int  # Hz

    @property
    def duration_s(self) -> float:
        return self.channels.shape[1] / self.sample_rate


@dataclass(frozen=True, eq=False)
class _SpokenTurn:
    audio: np.ndarray  # (n,) float64 at the channel's rate, level-scaled
    word_offsets_s: np.ndarray  # (n_words, 2) seconds from the turn's first sample


def _fade_edges(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """(n,) float -> the same with raised-cosine fades of FADE_S at both ends (no clicks at a cut)."""
    n_fade = min(round(C.FADE_S * sample_rate), len(audio) // 2)
    ramp = 0.5 - 0.5 * np.cos(np.pi * (np.arange(n_fade) + 0.5) / n_fade)
    faded = audio.copy()
    faded[:n_fade] *= ramp
    faded[len(audio) - n_fade :] *= ramp[::-1]
    return faded


def _speak(text: str, voice: PoolVoice, seed: int, level_dbfs: float, channel: ChannelCondition) -> _SpokenTurn:
    """Synthesize a turn, pass it through the channel's voice band, and cut it to where that band holds speech."""
    rate, frame = channel.sample_rate, channel.frame
    if voice.espeak is None:  # a neural voice: no word marks (word times spread by characters, approximate)
        from adapt_server.sampledata.neural import synthesize_neural

        neural = synthesize_neural(text, voice.neural, seed)
        samples, source_rate, source_marks, engine = neural.samples.astype(np.float64), neural.sample_rate, (), \
            voice.neural
    else:
        clip = synthesize(text, voice.espeak, seed)
        samples, source_rate, source_marks, engine = pcm16_to_float(clip.samples), clip.sample_rate, \
            clip.word_marks, "espeak-ng"
    line = voice_path(samples, source_rate, channel)
    speech = speech_frames(line, frame, C.SPEECH_FLOOR_RELATIVE)
    active = np.flatnonzero(speech)
    if len(active) == 0:
        raise RuntimeError(f"{engine} produced silence for {text!r} with voice {voice.voice_id}")
    start = int(active[0]) * frame
    end = min((int(active[-1]) + 1) * frame, len(line))
    ratio = rate / source_rate
    marks = tuple(replace(mark, sample=round(mark.sample * ratio)) for mark in source_marks)
    spans = word_sample_spans(tokenize(text), marks, speech, frame, len(line))
    audio = _fade_edges(scale_to_rms(line[start:end], level_dbfs), rate)
    offsets = np.clip((spans - start) / rate, 0.0, len(audio) / rate)
    return _SpokenTurn(audio, offsets)


def _seconds_to_samples(seconds: float, sample_rate: int) -> int:
    return int(round(seconds * sample_rate))


def render_call(
    script: CallScript,
    voices: dict[str, PoolVoice],
    rng: np.random.Generator,
    stereo: bool,
    channel: ChannelCondition = NARROWBAND,
) -> RenderedCall:
    """Speak `script` with `voices` ({"agent": ..., "customer": ...}) into a recording through `channel`
    (default: the 8 kHz telephone line).

    `rng` draws the pauses, the customer's level, the synthesis seeds and then what the channel adds.
    """
    missing = [speaker for speaker in SPEAKERS if speaker not in voices]
    if missing:
        raise ValueError(f"render_call() needs a voice for {', '.join(missing)}")
    customer_offset = float(rng.uniform(*CUSTOMER_LEVEL_OFFSET_DB))
    spoken = []
    for turn in script.turns:
        level = C.SPEECH_RMS_DBFS + (0.0 if turn.speaker == AGENT else customer_offset)
        spoken.append(_speak(turn.text, voices[turn.speaker], int(rng.integers(2**31)), level, channel))

    rate = channel.sample_rate
    starts, cursor = [], _seconds_to_samples(rng.uniform(C.LEAD_IN_MIN_S, C.LEAD_IN_MAX_S), rate)
    for index, piece in enumerate(spoken):
        if index:
            cursor += _seconds_to_samples(rng.uniform(C.PAUSE_MIN_S, C.PAUSE_MAX_S), rate)
        starts.append(cursor)
        cursor += len(piece.audio)
    n_samples = cursor + _seconds_to_samples(C.TAIL_S, rate)

    tracks = np.zeros((len(SPEAKERS), n_samples))
    turns = []
    for turn, piece, start in zip(script.turns, spoken, starts):
        tracks[SPEAKERS.index(turn.speaker), start : start + len(piece.audio)] += piece.audio
        start_s = start / rate
        words = tuple(
            TimedWord(token.text, token.char_start, token.char_end,
                      start_s + float(offset[0]), start_s + float(offset[1]))
            for token, offset in zip(tokenize(turn.text), piece.word_offsets_s)
        )
        turns.append(RenderedTurn(turn.speaker, turn.text, start, start + len(piece.audio), words, rate))

    recording = transmit(tracks, stereo, channel, rng)
    return RenderedCall(float_to_pcm16(recording), tuple(turns), rate)
