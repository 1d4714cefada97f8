"""The Synthesizer interface: checks, sentence streaming, the catalogue."""
from __future__ import annotations

import numpy as np
import pytest

from adapt_server.errors import InvalidArgument, NotFound
from adapt_server.tts import catalog
from adapt_server.tts.synthesizer import SENTENCE_PAUSE_S, Synthesizer, check_speed


def test_stock_catalogue_has_kokoro_voices_and_piper_joe():
    ids = catalog.stock_voice_ids()
    assert "piper-joe" in ids and catalog.DEFAULT_VOICE in ids
    assert {i for i in ids if i.startswith("kokoro-")} == {"kokoro-" + name for name in catalog.KOKORO_VOICES}
    assert catalog.stock_info("piper-joe").sample_rate == 22050
    assert all(info.license and info.weights for info in catalog.STOCK_VOICES)


def test_unknown_voice_is_not_found_listing_the_stock_voices():
    with pytest.raises(NotFound, match="kokoro-jm_kumo"):
        catalog.load_stock_voice("kokoro-nobody")
    with pytest.raises(NotFound, match="not a Kokoro voice"):
        catalog.stock_pack("piper-joe")


def test_stock_voices_implement_the_protocol(kumo, joe):
    assert isinstance(kumo, Synthesizer) and isinstance(joe, Synthesizer)


def test_streaming_yields_one_chunk_per_sentence_that_concatenate_to_the_whole(joe):
    text = "First sentence. Second one here! And a third?"
    chunks = list(joe.synthesize_stream(text))
    assert [chunk.text for chunk in chunks] == ["First sentence.", "Second one here!", "And a third?"]
    assert [chunk.index for chunk in chunks] == [0, 1, 2] and [chunk.last for chunk in chunks] == [False, False, True]
    assert chunks[0].start_s == 0.0
    assert chunks[1].start_s == pytest.approx(chunks[0].duration_s)
    pause = int(SENTENCE_PAUSE_S * 22050)
    assert not np.any(chunks[1].samples[:pause])  # each later sentence starts with its pause
    assert all(chunk.samples.dtype == np.float32 for chunk in chunks)


def test_stream_is_lazy_and_checks_input_before_the_first_chunk(kumo):
    stream = kumo.synthesize_stream("One. Two.")
    first = next(stream)
    assert first.text == "One." and not first.last
    with pytest.raises(InvalidArgument, match="empty"):
        kumo.synthesize_stream("  ")
    with pytest.raises(InvalidArgument, match="control character"):
        kumo.synthesize("bell\x07")


@pytest.mark.parametrize("speed", [0.2, 3, float("nan"), "fast", True])
def test_bad_speaking_rate_is_invalid_argument(speed):
    with pytest.raises(InvalidArgument, match="speaking rate"):
        check_speed(speed)


def test_custom_voice_speaks_with_its_own_pack(kumo):
    pack = catalog.stock_pack("kokoro-jf_alpha")
    custom = catalog.load_custom_voice("voice-abc", pack)
    assert custom.info.voice_id == "voice-abc" and custom.model is kumo.model
    np.testing.assert_array_equal(custom.synthesize("Yes."), catalog.load_stock_voice("kokoro-jf_alpha")
                                  .synthesize("Yes."))
