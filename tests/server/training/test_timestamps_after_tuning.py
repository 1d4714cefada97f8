"""Training keeps timestamp tokens, so the tuned model still gives Whisper segments and word timestamps."""
import numpy as np
import pytest

from adapt_kernels.threads import thread_budget
from adapt_server.engines.whisper import WhisperEngine

pytestmark = pytest.mark.slow  # the shared tiny fine-tune, exported to every format (~30 s)


def test_tuned_model_gives_segments_and_word_times(tuned_run, call_items):
    output, _, _ = tuned_run
    engine = WhisperEngine(output.ctranslate2_dir, "ft:whisper-tiny.en:test", compute_type="int8",
                           threads=thread_budget(total_cores=2))
    clips = [samples for samples, _ in call_items[1][:2]]
    audio = np.concatenate([clips[0], np.zeros(8000, np.float32), clips[1]])  # two turns, a pause between
    result = engine.transcribe(audio)
    words = [word for segment in result.segments for word in segment.words]
    assert len(words) >= 5 and result.text
    starts = [word.start for word in words]
    assert starts == sorted(starts)
    assert all(0 <= word.start <= word.end <= result.duration_s + 0.01 for word in words)
    assert all(segment.start <= word.start and word.end <= segment.end + 0.01
               for segment in result.segments for word in segment.words)
    # the second turn's words start after the first clip ends: the times follow the audio
    second_turn = clips[0].size / 16000 + 0.5
    assert any(word.start >= second_turn - 0.5 for word in words) and words[0].start < second_turn
