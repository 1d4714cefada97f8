"""pocketsphinx-en-us: the segmentation of a decoded window (pure), the engine on real speech, its catalogue
entry and its place in the engine registry."""
from __future__ import annotations

import numpy as np
import pytest

from adapt_server.audio.decode import decode_audio
from adapt_server.engines.options import DecodeOptions, InvalidDecodeOptions
from adapt_server.engines.pocketsphinx_engine import POCKETSPHINX_MODEL_ID, PocketsphinxEngine, shared_pocketsphinx_engine
from adapt_server.engines.pocketsphinx_segments import SegEntry, base_word, is_filler, window_segments
from adapt_server.engines.registry import EngineRegistry
from adapt_server.models.bundled import pocketsphinx_record
from adapt_server.models.sources import model_source


# --- segmentation (pure) -------------------------------------------------------------------------------------
def test_fillers_and_pronunciation_suffixes_never_reach_the_text():
    entries = [SegEntry("<s>", 0, 9, 1.0), SegEntry("go", 10, 29, 0.9), SegEntry("<sil>", 30, 39, 1.0),
               SegEntry("for(2)", 40, 59, 0.5), SegEntry("[NOISE]", 60, 69, 0.4), SegEntry("ward", 70, 89, None),
               SegEntry("</s>", 90, 99, 1.0)]
    [segment] = window_segments(entries, offset_s=2.0, end_s=3.0, frames_per_second=100, min_pause_s=0.5)
    assert segment.text == "go for ward"
    assert [(w.start, w.end) for w in segment.words] == [(2.1, 2.3), (2.4, 2.6), (2.7, 2.9)]
    assert [w.confidence for w in segment.words] == [0.9, 0.5, None]
    assert 0 <= segment.confidence <= 1 and segment.no_speech_prob == 0.0
    assert base_word("for(2)") == "for" and is_filler("++UH++") and not is_filler("hello")


def test_a_long_pause_starts_a_new_segment_and_times_are_clipped_to_the_window():
    entries = [SegEntry("one", 0, 29, 0.8), SegEntry("two", 130, 159, 0.8), SegEntry("three", 160, 250, 0.8)]
    first, second = window_segments(entries, 0.0, 2.0, 100, min_pause_s=0.5, with_words=False)
    assert (first.text, second.text) == ("one", "two three")
    assert second.end == 2.0 and first.words == ()


# --- the engine on real speech -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sphinx() -> PocketsphinxEngine:
    return shared_pocketsphinx_engine()


@pytest.fixture(scope="module")
def go_forward(realspeech):
    """pocketsphinx's own test recording goforward.raw: "go forward ten meters"."""
    return decode_audio(realspeech / "asr" / "ps_goforward.wav").mono


@pytest.mark.realspeech
def test_it_transcribes_real_speech_with_timed_words(sphinx, go_forward):
    result = sphinx.transcribe(go_forward)
    assert result.text == "go forward ten meters"
    assert [w.text for w in result.words] == ["go", "forward", "ten", "meters"]
    assert all(0 <= w.start < w.end <= result.duration_s for w in result.words)
    assert result.model_id == POCKETSPHINX_MODEL_ID and result.processing_s > 0
    assert not sphinx.transcribe(go_forward, DecodeOptions(word_timestamps=False)).words


@pytest.mark.realspeech
def test_a_result_does_not_depend_on_what_was_decoded_before(sphinx, go_forward, realspeech):
    other = decode_audio(realspeech / "asr" / "sr_english.wav").mono
    first = sphinx.transcribe(go_forward)
    sphinx.transcribe(other)
    assert [(w.text, w.start, w.end) for w in sphinx.transcribe(go_forward).words] == \
           [(w.text, w.start, w.end) for w in first.words]


def test_silence_has_no_segments(sphinx):
    result = sphinx.transcribe(np.zeros(16000 * 2, dtype=np.float32))
    assert result.segments == () and result.text == ""


def test_bad_input_says_what_to_fix(sphinx):
    with pytest.raises(InvalidDecodeOptions, match="English only"):
        sphinx.transcribe(np.zeros(1600, dtype=np.float32), DecodeOptions(language="de"))
    with pytest.raises(ValueError, match=r"mono samples of shape \(n_samples,\)"):
        sphinx.transcribe(np.zeros((2, 1600), dtype=np.float32))
    with pytest.raises(TypeError, match="pass float samples"):
        sphinx.transcribe(np.zeros(1600, dtype=np.int16))
    with pytest.raises(ValueError, match="batch_size"):
        sphinx.transcribe_batch([np.zeros(1600, dtype=np.float32)], batch_size=0)


# --- catalogue and registry ----------------------------------------------------------------------------------
def test_the_catalogue_entry_resolves_to_the_shared_engine(tmp_path, sphinx):
    record = pocketsphinx_record()
    assert (record.id, record.kind, record.family, record.format) == \
           (POCKETSPHINX_MODEL_ID, "BUNDLED", "pocketsphinx", "pocketsphinx")
    assert record.size_bytes > 1_000_000
    registry = EngineRegistry(cache_dir=tmp_path)
    assert registry.get(model_source(record)) is sphinx
    assert registry.get(model_source(record), "float32") is sphinx  # compute types do not apply
    assert registry.loaded() == []  # the shared engine is not one of the registry's cached Whisper engines
