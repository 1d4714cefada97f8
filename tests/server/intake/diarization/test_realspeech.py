"""The diarizers on ../shared/realspeech/diar (real speech: AMI excerpts, pyannote's sample), scored as
bench/diarization_bench.py scores it (collar 0.25 s, overlap scored, UEM). Skipped when absent.

Issue 6's target is DER <= 25% for the embedded diarizer: it measured 23.2% (overlap-aware; its thresholds
were chosen on the corpus's 10 trn recordings). The dvector diarizer (one speaker at a time, 34.2%) cannot
go below 20.0% here: the reference with its overlap collapsed scores that.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from adapt_server.audio.wav import read_pcm16_wav
from adapt_server.intake.diarization import DiarizationOptions, diarize, diarize_channels, diarize_dvector
from adapt_server.intake.diarization.embedded import speech_regions_16k
from adapt_server.intake.transcripts import parse_rttm
from adapt_server.scoring.diarization import score_diarization
from adapt_server.spans import SpeakerTurn

pytestmark = pytest.mark.realspeech
COLLAR_S = 0.25
MAX_CORPUS_DER = 0.25  # issue 6's target; the embedded diarizer measured 0.232
MAX_DVECTOR_DER = 0.36  # measured 0.342
MIN_LEAD_OVER_ONE_SPEAKER = 0.03  # measured 0.393 (one speaker) - 0.342 (dvector) = 0.051


@pytest.fixture(scope="module")
def diar_corpus(realspeech: Path):
    folder = realspeech / "diar"
    if not (folder / "manifest.jsonl").is_file():
        pytest.skip("../shared/realspeech/diar is absent")
    items = [json.loads(line) for line in (folder / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    corpus = {}
    for item in items:
        audio, rate = read_pcm16_wav(realspeech / item["audio"])
        start, end = (float(value) for value in (realspeech / item["uem"]).read_text().split()[2:4])
        corpus[item["id"]] = (audio, rate, parse_rttm(realspeech / item["rttm"], file_id=item["id"]),
                              [(start, end)])
    return corpus


def _score(corpus, hypotheses):
    return score_diarization({key: value[2] for key, value in corpus.items()}, hypotheses,
                             uem={key: value[3] for key, value in corpus.items()}, collar_s=COLLAR_S)


def _one_speaker(diar_corpus):
    return _score(diar_corpus, {
        key: [SpeakerTurn(start, end, "spk0") for start, end in speech_regions_16k(audio, DiarizationOptions())]
        for key, (audio, _, _, _) in diar_corpus.items()})


@pytest.mark.slow
def test_embedded_corpus_der_meets_the_target_with_overlapped_speech(diar_corpus):
    hypotheses = {key: diarize(audio, rate, threads=1) for key, (audio, rate, _, _) in diar_corpus.items()}
    embedded = _score(diar_corpus, hypotheses)
    assert embedded.der <= MAX_CORPUS_DER, embedded
    floor = 0.20  # one speaker at a time cannot go below this here (bench: the collapsed reference)
    assert embedded.missed_s / embedded.reference_s < floor  # overlapped speech is found, not all missed
    two_speaker_sample = next(row for row in embedded.recordings if row.recording_id == "pyannote_sample")
    assert two_speaker_sample.der < 0.12  # a clean two-person conversation: measured 0.072


@pytest.mark.slow
def test_dvector_corpus_der_holds_its_measured_level_and_beats_one_speaker(diar_corpus):
    hypotheses = {key: diarize_dvector(audio, rate, threads=1) for key, (audio, rate, _, _) in diar_corpus.items()}
    dvector = _score(diar_corpus, hypotheses)
    one_speaker = _one_speaker(diar_corpus)
    assert dvector.der <= MAX_DVECTOR_DER, dvector
    assert dvector.der <= one_speaker.der - MIN_LEAD_OVER_ONE_SPEAKER, (dvector.der, one_speaker.der)
    two_speaker_sample = next(row for row in dvector.recordings if row.recording_id == "pyannote_sample")
    assert two_speaker_sample.der < 0.2  # measured 0.119


def test_stereo_channels_of_real_speech(realspeech, diar_corpus):
    """faster-whisper's stereo_diarization.wav: its two channels (realspeech/asr) against the derived RTTM of
    the down-mix (per-channel energy VAD, one speaker per channel)."""
    left, rate = read_pcm16_wav(realspeech / "asr" / "fw_stereo_left.wav")
    right, _ = read_pcm16_wav(realspeech / "asr" / "fw_stereo_right.wav")
    n = min(left.size, right.size)
    turns = diarize_channels([left[:n], right[:n]], rate, labels=["left_spk", "right_spk"])
    reference = {"fw_stereo_diarization_mix": diar_corpus["fw_stereo_diarization_mix"][2]}
    result = score_diarization(reference, {"fw_stereo_diarization_mix": turns}, collar_s=COLLAR_S)
    assert result.confusion_s == pytest.approx(0.0, abs=0.1)
    assert result.der < 0.15, result
    assert np.isclose(sum(t.duration for t in turns if t.speaker == "right_spk"), 2.22, atol=0.6)
