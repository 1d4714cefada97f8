"""The issue's accuracy bar: on ../shared/realspeech/asr with tiny.en, Adapt's batch path is no worse than
faster-whisper's WhisperModel.transcribe (same model files, beam size 5, compute type int8), +0.003 WER."""
from __future__ import annotations

import jiwer
import pytest

from adapt_server.engines.options import DecodeOptions
from adapt_server.models.bundled import bundled_model_path

BEAM_SIZE = 5
COMPUTE_TYPE = "int8"
TOLERANCE = 0.003  # absolute corpus WER


def corpus_wer(references: list[str], hypotheses: list[str], normalize) -> float:
    return jiwer.wer([normalize(text) for text in references], [normalize(text) for text in hypotheses])


@pytest.mark.slow
@pytest.mark.realspeech
def test_batch_wer_is_no_worse_than_faster_whisper(engine, asr_corpus, english_normalizer):
    faster_whisper = pytest.importorskip("faster_whisper")
    assert engine.compute_type == "int8_float32"  # what "int8" means on this CPU, for both systems
    audios = [utterance.audio for utterance in asr_corpus]
    references = [utterance.text for utterance in asr_corpus]
    ours = [result.text for result in engine.transcribe_batch(audios, DecodeOptions(beam_size=BEAM_SIZE))]
    peer = faster_whisper.WhisperModel(str(bundled_model_path()), device="cpu", compute_type=COMPUTE_TYPE)
    theirs = []
    for audio in audios:
        segments, _ = peer.transcribe(audio, beam_size=BEAM_SIZE, language="en")
        theirs.append("".join(segment.text for segment in segments))
    ours_wer = corpus_wer(references, ours, english_normalizer)
    theirs_wer = corpus_wer(references, theirs, english_normalizer)
    print(f"corpus WER: Adapt {ours_wer:.4f}, faster-whisper {theirs_wer:.4f} ({len(audios)} utterances)")
    assert ours_wer <= theirs_wer + TOLERANCE
    assert ours_wer < 0.12  # tiny.en's published level on this corpus is ~0.08: a broken path fails here too
