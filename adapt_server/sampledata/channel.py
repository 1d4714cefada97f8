"""Channel conditions: how a call's speech reaches the recording (value objects and pure compute).

A condition sets the recording's sample rate and codec, the voice band every turn is passed through, and
what the line adds to the mixed call: a white noise floor (band-limited like the voice), and optionally
dropouts on the far end (the customer's leg: packet loss or a fading mobile link), a room (a synthetic
impulse response: direct path plus an exponentially decaying diffuse tail) and background babble (several
speech-shaped, syllable-modulated noise talkers).

| condition       | rate   | file         | voice band              | line                                         |
|-----------------|--------|--------------|-------------------------|----------------------------------------------|
| `narrowband`    | 8 kHz  | G.711 mu-law | 300-3400 Hz             | noise floor -60 dBFS                         |
| `mobile`        | 8 kHz  | PCM16        | 200-3000 Hz, 6th order  | noise -45 dBFS, 20-60 ms dropouts (0.25/s)   |
| `wideband_room` | 16 kHz | PCM16        | 100-7000 Hz             | room RT60 0.25-0.45 s, babble -45 dBFS       |
| `voip_wideband` | 16 kHz | PCM16        | 150-7000 Hz             | noise -50 dBFS, 20-80 ms packet loss (0.3/s) |

Waveforms are float64 in [-1, 1]; levels are RMS in dB re full scale (dBFS).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import signal

from adapt_server.sampledata import constants as C
from adapt_server.sampledata.telephone import bandpass, line_noise, resample, scale_to_rms

MULAW = C.TELEPHONE_CODEC  # "pcm_mulaw": G.711 mu-law, 8 bits a sample
PCM16 = "pcm_s16le"  # linear 16-bit PCM
FAR_END = 1  # row of the customer's track in the (agent, customer) tracks given to transmit()


@dataclass(frozen=True)
class Dropouts:
    """Short gaps in the far end's speech: packet loss or a fading mobile link."""

    rate_per_s: float  # mean number of dropouts per second of call (a Poisson process over the whole call)
    min_s: float  # shortest dropout, seconds
    max_s: float  # longest dropout, seconds


@dataclass(frozen=True)
class Room:
    """The room both parties are heard in; one impulse response is drawn per call."""

    rt60_s: tuple[float, float]  # (low, high) seconds for the tail to decay by 60 dB
    direct_to_reverberant_db: tuple[float, float]  # (low, high) energy of the direct path over the tail's, dB
    predelay_s: float = 0.004  # seconds between the direct path and the start of the diffuse tail


@dataclass(frozen=True)
class Babble:
    """Background talkers: independent speech-shaped noises with syllable-rate envelopes, summed."""

    dbfs: float  # RMS of the summed babble
    talkers: int = 4
    syllable_hz: float = 4.0  # cut-off of each talker's envelope (its syllable rate)


@dataclass(frozen=True)
class ChannelCondition:
    """One way a call reaches the recording."""

    name: str
    sample_rate: int  # Hz of the channel and of the WAV file written
    codec: str  # FFmpeg codec of the WAV data: MULAW or PCM16
    band_low_hz: float  # lower edge of the voice band, Hz
    band_high_hz: float  # upper edge of the voice band, Hz
    band_order: int  # Butterworth order of each edge (applied forward and backward)
    noise_dbfs: float  # RMS of the white noise floor before band-limiting
    dropouts: Dropouts | None = None
    room: Room | None = None
    babble: Babble | None = None

    @property
    def frame(self) -> int:
        """Samples of the analysis frame used to find speech (10 ms)."""
        return round(C.ANALYSIS_FRAME_S * self.sample_rate)

    def band(self, samples: np.ndarray) -> np.ndarray:
        """(..., n) float at this rate -> the same shape limited to the voice band (zero phase)."""
        return bandpass(samples, self.sample_rate, self.band_low_hz, self.band_high_hz, self.band_order)


NARROWBAND = ChannelCondition(
    "narrowband", C.TELEPHONE_SAMPLE_RATE, MULAW, C.TELEPHONE_BAND_LOW_HZ, C.TELEPHONE_BAND_HIGH_HZ,
    C.TELEPHONE_BANDPASS_ORDER, C.LINE_NOISE_DBFS,
)  # a landline contact-center recording: the telephone band, G.711, a quiet line
MOBILE = ChannelCondition(
    "mobile", 8000, PCM16, 200.0, 3000.0, 6, -45.0, dropouts=Dropouts(0.25, 0.020, 0.060),
)  # a mobile caller: a narrower codec band with steep edges, a noisier line, a fading link
WIDEBAND_ROOM = ChannelCondition(
    "wideband_room", 16000, PCM16, 100.0, 7000.0, 4, -65.0,
    room=Room(rt60_s=(0.25, 0.45), direct_to_reverberant_db=(3.0, 8.0)), babble=Babble(-45.0),
)  # a front-desk headset in a busy room: wideband, reverberant, people talking behind
VOIP_WIDEBAND = ChannelCondition(
    "voip_wideband", 16000, PCM16, 150.0, 7000.0, 4, -50.0, dropouts=Dropouts(0.3, 0.020, 0.080),
)  # a softphone call: wideband audio with packet loss on the caller's leg

CONDITIONS = {condition.name: condition for condition in (NARROWBAND, MOBILE, WIDEBAND_ROOM, VOIP_WIDEBAND)}


def voice_path(samples: np.ndarray, sample_rate: int, condition: ChannelCondition) -> np.ndarray:
    """(n,) float at `sample_rate` Hz (a synthesized turn) -> float at the condition's rate, in its voice band."""
    return condition.band(resample(samples, sample_rate, condition.sample_rate))


def dropout_gain(rng: np.random.Generator, n_samples: int, sample_rate: int, dropouts: Dropouts) -> np.ndarray:
    """(n_samples,) gain in [0, 1]: 0 inside each dropout, 1 elsewhere, with 2.5-ms raised-cosine edges.

    Dropouts start uniformly over the call, their count Poisson with mean rate_per_s * duration.
    """
    count = int(rng.poisson(dropouts.rate_per_s * n_samples / sample_rate))
    starts = rng.integers(0, max(n_samples, 1), size=count)
    lengths = np.round(rng.uniform(dropouts.min_s, dropouts.max_s, size=count) * sample_rate).astype(np.int64)
    lost = np.zeros(n_samples)
    for start, length in zip(starts, lengths):
        lost[start : start + length] = 1.0
    ramp = np.hanning(2 * max(round(C.FADE_S * sample_rate), 1) + 1)
    smoothed = np.convolve(lost, ramp / ramp.sum(), mode="same")
    return np.clip(1.0 - smoothed, 0.0, 1.0)


def room_impulse_response(rng: np.random.Generator, sample_rate: int, room: Room) -> np.ndarray:
    """(n,) float impulse response of unit energy: a direct path at sample 0 (no delay, so the turn times
    stay where the speech starts) and, after the pre-delay, Gaussian noise decaying by 60 dB over RT60 s.
    RT60 and the direct-to-reverberant ratio are drawn uniformly from the room's ranges."""
    rt60 = float(rng.uniform(*room.rt60_s))
    drr_db = float(rng.uniform(*room.direct_to_reverberant_db))
    predelay = max(round(room.predelay_s * sample_rate), 1)
    n_tail = round(rt60 * sample_rate)
    t = np.arange(n_tail) / sample_rate
    tail = rng.standard_normal(n_tail) * np.exp(-3.0 * np.log(10.0) * t / rt60)  # -60 dB at t = rt60
    response = np.zeros(predelay + n_tail)
    response[0] = 1.0
    tail_energy = float(np.sum(tail**2))
    response[predelay:] = tail * np.sqrt(10.0 ** (-drr_db / 10.0) / tail_energy)
    return response / np.sqrt(np.sum(response**2))


def babble_noise(rng: np.random.Generator, n_samples: int, sample_rate: int, babble: Babble) -> np.ndarray:
    """(n_samples,) float babble at babble.dbfs RMS: each talker is white noise tilted like speech (a
    first-order low-pass at 500 Hz over a 150-Hz high-pass) times the rectified low-passed noise envelope
    of its syllables."""
    shape = signal.butter(1, 500.0, btype="lowpass", fs=sample_rate, output="sos")
    floor = signal.butter(2, 150.0, btype="highpass", fs=sample_rate, output="sos")
    envelope_sos = signal.butter(2, babble.syllable_hz, btype="lowpass", fs=sample_rate, output="sos")
    total = np.zeros(n_samples)
    for _ in range(babble.talkers):
        voice = signal.sosfilt(floor, signal.sosfilt(shape, rng.standard_normal(n_samples)))
        envelope = np.abs(signal.sosfilt(envelope_sos, rng.standard_normal(n_samples)))
        total += voice / (np.std(voice) + 1e-12) * envelope / (np.std(envelope) + 1e-12)
    return scale_to_rms(total, babble.dbfs) if n_samples else total


def transmit(tracks: np.ndarray, stereo: bool, condition: ChannelCondition, rng: np.random.Generator) -> np.ndarray:
    """The recording of a call from its speakers' dry tracks.

    tracks: (2, n) float at the condition's rate, row 0 the agent and row FAR_END the customer, each turn
    already in the voice band and at its level. Returns (1, n) (mono: both mixed) or (2, n) (stereo: agent
    left, customer right) float: far-end dropouts, then the room, the mix, babble and the band-limited noise
    floor. `rng` draws, in that order, whatever the condition adds (the narrowband condition: only the noise).
    """
    rate = condition.sample_rate
    n_samples = tracks.shape[1]
    if condition.dropouts is not None:
        tracks = tracks.copy()
        tracks[FAR_END] *= dropout_gain(rng, n_samples, rate, condition.dropouts)
    if condition.room is not None:
        response = room_impulse_response(rng, rate, condition.room)
        tracks = signal.fftconvolve(tracks, response[np.newaxis, :], axes=-1)[:, :n_samples]
    speech = tracks if stereo else tracks.sum(axis=0, keepdims=True)  # turns are band-limited already
    if condition.babble is not None:
        speech = speech + condition.band(
            np.stack([babble_noise(rng, n_samples, rate, condition.babble) for _ in range(speech.shape[0])])
        )
    noise = condition.band(line_noise(rng, speech.size, condition.noise_dbfs).reshape(speech.shape))
    return speech + noise

