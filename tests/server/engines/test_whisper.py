"""The CTranslate2 Whisper engine on real (when present) and synthetic speech."""
from __future__ import annotations

import threading
from dataclasses import replace

import jiwer
import numpy as np
import pytest

from adapt_server.engines.errors import ModelLoadError, UnsupportedComputeType
from adapt_server.audio.decode import decode_audio
from adapt_server.engines.options import DecodeOptions, InvalidDecodeOptions, window_token_budget
from adapt_server.engines.results import Transcription
from adapt_server.engines import whisper
from adapt_server.engines.whisper import WhisperEngine, _replace_tokens
from adapt_server.models.bundled import bundled_model_path
from adapt_server.engines import quality
from adapt_server.sampledata.reference_speech import general_reference_items, long_form_windows

SAMPLE_RATE = 16000


def turn_clips(call, count: int) -> list[np.ndarray]:
    """The first `count` turns of a synthetic call, each cut out with 0.3 s around it."""
    clips = []
    for start, end in call.turns[:count]:
        first, last = int(max(0.0, start - 0.3) * SAMPLE_RATE), int((end + 0.3) * SAMPLE_RATE)
        clips.append(call.audio[first:last].copy())
    return clips


def wer(reference: str, hypothesis: str, normalize) -> float:
    return jiwer.wer(normalize(reference), normalize(hypothesis))


def assert_well_formed(result: Transcription, duration_s: float) -> None:
    """Times inside the audio and in order, words inside their segment, confidences in [0, 1]."""
    assert result.duration_s == pytest.approx(duration_s)
    assert result.text == " ".join(segment.text for segment in result.segments)
    for segment in result.segments:
        assert 0.0 <= segment.start <= segment.end <= duration_s + 1e-6
        assert 0.0 <= segment.confidence <= 1.0 and 0.0 <= segment.no_speech_prob <= 1.0
        assert segment.text and segment.words
        for word in segment.words:
            assert segment.start <= word.start <= word.end <= segment.end
            assert 0.0 <= word.confidence <= 1.0
        assert all(earlier.end <= later.start for earlier, later in zip(segment.words, segment.words[1:]))
    assert all(earlier.end <= later.start for earlier, later in zip(result.segments, result.segments[1:]))
    for start, end in result.non_speech:
        assert 0.0 <= start < end <= duration_s + 1e-6
        assert not any(start < segment.start and segment.end < end for segment in result.segments)
    assert result.processing_s > 0 and result.realtime_factor == pytest.approx(result.processing_s / duration_s)


def test_transcribes_a_real_recording(engine, asr_corpus, english_normalizer):
    jfk = next(utterance for utterance in asr_corpus if utterance.id == "whisper_jfk")
    result = engine.transcribe(jfk.audio)
    assert english_normalizer(result.text) == english_normalizer(jfk.text)
    assert_well_formed(result, jfk.audio.size / SAMPLE_RATE)
    assert (result.model_id, result.compute_type) == ("whisper-tiny.en", "int8_float32")
    country = [word for word in result.words if word.text.startswith("country")]
    assert len(country) == 2 and country[0].end < 7.5 < country[1].start  # "...for you, ask what..."


@pytest.mark.slow
def test_long_form_synthetic_call(engine, synthetic_call, english_normalizer):
    duration = synthetic_call.audio.size / SAMPLE_RATE
    assert duration > 60
    result = engine.transcribe(synthetic_call.audio)
    assert_well_formed(result, duration)
    assert wer(synthetic_call.text, result.text, english_normalizer) < 0.5  # tiny.en on espeak telephone: ~0.3
    assert result.segments[-1].end > duration - 10  # the end of the call is transcribed too
    assert "thank you for calling" in english_normalizer(result.text)
    # the pause between two turns is non-speech
    pauses = [(a[1], b[0]) for a, b in zip(synthetic_call.turns, synthetic_call.turns[1:]) if b[0] - a[1] > 0.7]
    middle = sum(pauses[0]) / 2
    assert any(start <= middle <= end for start, end in result.non_speech)


@pytest.mark.slow
def test_long_form_real_speech_with_silences(engine, asr_corpus, english_normalizer):
    chosen = [u for u in asr_corpus if u.id in {"whisper_jfk", "lhotse_libri_1088-134315-0000",
                                                "lhotse_libri_2412-153948-0000", "sb_ljspeech_LJ050-0131",
                                                "ps_librivox_0870", "ps_librivox_0890", "ps_librivox_0920"}]
    silence = np.zeros(3 * SAMPLE_RATE, np.float32)
    audio = np.concatenate([piece for utterance in chosen for piece in (utterance.audio, silence)])
    duration = audio.size / SAMPLE_RATE
    assert duration > 60
    result = engine.transcribe(audio)
    assert_well_formed(result, duration)
    reference = " ".join(utterance.text for utterance in chosen)
    assert wer(reference, result.text, english_normalizer) < 0.12  # each utterance alone: ~0.05
    cursor = 0.0
    for utterance in chosen:  # every inserted silence is reported as non-speech
        cursor += utterance.audio.size / SAMPLE_RATE
        middle = cursor + 1.5
        assert any(start <= middle <= end for start, end in result.non_speech), middle
        cursor += 3.0


@pytest.mark.parametrize("kind", ["silence", "noise"])
def test_no_speech_gives_no_segments(engine, kind):
    rng = np.random.default_rng(5)
    audio = np.zeros(4 * SAMPLE_RATE, np.float32) if kind == "silence" else (
        0.05 * rng.standard_normal(4 * SAMPLE_RATE)).astype(np.float32)
    result = engine.transcribe(audio)
    assert result.segments == () and result.text == ""
    assert result.non_speech == ((0.0, 4.0),)


def test_empty_audio(engine):
    result = engine.transcribe(np.zeros(0, np.float32))
    assert (result.segments, result.non_speech, result.duration_s, result.realtime_factor) == ((), (), 0.0, 0.0)


def test_batch_equals_one_by_one(engine, synthetic_call):
    clips = turn_clips(synthetic_call, 5) + [np.zeros(SAMPLE_RATE, np.float32)]
    batch = engine.transcribe_batch(clips, batch_size=4)
    single = [engine.transcribe(clip) for clip in clips]
    assert [result.text for result in batch] == [result.text for result in single]
    assert [[(w.start, w.end) for w in r.words] for r in batch] == [[(w.start, w.end) for w in r.words]
                                                                   for r in single]
    assert all(result.text for result in batch[:5]) and batch[5].text == ""
    total = sum(result.processing_s for result in batch)  # the batch's wall time, shared by duration
    assert batch[0].realtime_factor == pytest.approx(batch[1].realtime_factor)
    assert total > 0


def test_engines_sharing_an_encoder_cache_encode_each_window_once_and_decode_the_same(engine, synthetic_call):
    """Two engines of one model (the shares of a frozen-encoder interpolation have one encoder): the second
    encodes nothing and transcribes exactly as an engine without the cache, words and times included."""
    from adapt_server.engines.encoder_cache import EncoderCache
    clips = turn_clips(synthetic_call, 4) + [general_reference_items()[0][0]]
    cache = EncoderCache()
    first = WhisperEngine(bundled_model_path(), "first", encoder_cache=cache).transcribe_batch(clips)
    encoded, misses = len(cache), cache.misses
    assert encoded >= len(clips) and cache.hits == 0
    second = WhisperEngine(bundled_model_path(), "second", encoder_cache=cache).transcribe_batch(clips)
    assert cache.misses == misses and len(cache) == encoded and cache.hits >= len(clips)
    plain = engine.transcribe_batch(clips)
    for results in (first, second):
        assert [r.text for r in results] == [r.text for r in plain]
        assert [[(w.text, w.start, w.end) for w in r.words] for r in results] == \
            [[(w.text, w.start, w.end) for w in r.words] for r in plain]


def test_compute_types_int8_and_float32(engine, synthetic_call, english_normalizer):
    clips = turn_clips(synthetic_call, 3)
    float32 = WhisperEngine(bundled_model_path(), "whisper-tiny.en", compute_type="float32")
    exact = float32.transcribe_batch(clips)
    quantized = engine.transcribe_batch(clips)
    assert (float32.compute_type, exact[0].compute_type) == ("float32", "float32")
    assert (engine.compute_type, quantized[0].compute_type) == ("int8_float32", "int8_float32")
    assert "thank you for calling" in english_normalizer(exact[0].text)
    for a, b in zip(exact, quantized):  # quantization changes a word here and there, not the transcript
        assert a.text and wer(a.text, b.text, english_normalizer) < 0.3


def test_without_timestamp_tokens(engine, synthetic_call, english_normalizer):
    clips = turn_clips(synthetic_call, 3)
    with_tokens = engine.transcribe_batch(clips)
    without = engine.transcribe_batch(clips, DecodeOptions(without_timestamps=True))
    for a, b in zip(with_tokens, without):
        assert wer(a.text, b.text, english_normalizer) < 0.3
        assert_well_formed(b, b.duration_s)


def test_words_can_be_left_out(engine, synthetic_call):
    result = engine.transcribe(turn_clips(synthetic_call, 1)[0], DecodeOptions(word_timestamps=False))
    assert result.text and all(segment.words == () for segment in result.segments)
    assert all(0 < segment.confidence <= 1 for segment in result.segments)


class RecordingEngine(WhisperEngine):
    """The real engine, recording each generate call's (temperature, full context, batch size)."""

    calls: list[tuple[float, bool, int]]

    def _generate(self, encoded, prompt, temperature, options, full_context, longest_s):
        self.calls.append((temperature, full_context, encoded.shape[0]))
        return super()._generate(encoded, prompt, temperature, options, full_context, longest_s)


class TokenCountingEngine(WhisperEngine):
    """The real engine, recording the tokens each window generated and the budget it had."""

    generated: list[tuple[int, int]]  # (tokens generated, budget)

    def _generate(self, encoded, prompt, temperature, options, full_context, longest_s):
        decodings = super()._generate(encoded, prompt, temperature, options, full_context, longest_s)
        budget = window_token_budget(options, longest_s)
        self.generated += [(len(decoding.tokens), budget) for decoding in decodings]
        return decodings


@pytest.mark.realspeech
def test_a_window_stuck_in_a_loop_stops_at_its_length_budget(realspeech):
    # one second of a LibriSpeech utterance ("... will excuse me ...") said ten times over: tiny.en loops on it
    second = decode_audio(realspeech / "asr" / "lhotse_libri_2412-153948-0000.wav").mono[16000:32000]
    looping = np.tile(second, 10)
    engine = TokenCountingEngine(bundled_model_path(), "whisper-tiny.en")
    greedy = DecodeOptions(beam_size=1, temperatures=(0.0,))
    engine.generated = []
    engine.transcribe(looping, replace(greedy, max_new_tokens=444))
    assert max(tokens for tokens, _ in engine.generated) > window_token_budget(greedy, 10.0)  # it does loop
    engine.generated = []
    result = engine.transcribe(looping, greedy)
    assert engine.generated and all(tokens <= budget for tokens, budget in engine.generated)
    assert window_token_budget(greedy, 10.0) < 444 - 4 and result.text  # bounded well below the decoder's length


class FirstSegmentEngine(WhisperEngine):
    """Whose decoder closes every window after its first segment ("<|0.00|> text <|T|>", then end of text), as a
    model fine-tuned on single short turns does on a long window (docs/training.md)."""

    def _generate(self, encoded, prompt, temperature, options, full_context, longest_s):
        begin = self.tokenizer.timestamp_begin
        decodings = []
        for decoding in super()._generate(encoded, prompt, temperature, options, full_context, longest_s):
            stamps = [index for index, token in enumerate(decoding.tokens) if token >= begin]
            tokens = decoding.tokens[:stamps[1] + 1] if len(stamps) >= 2 else decoding.tokens
            decodings.append(_replace_tokens(decoding, list(tokens), self.tokenizer))
        return decodings


def test_a_window_closed_while_the_vad_hears_speech_after_it_is_continued(monkeypatch, english_normalizer):
    window = long_form_windows()[0]  # 27.6 s: JFK's quote, a pause, a LibriSpeech utterance
    engine = FirstSegmentEngine(bundled_model_path(), "whisper-tiny.en")
    options = DecodeOptions(word_timestamps=False)
    continued = engine.transcribe(window.samples, options)
    assert len(continued.segments) >= 3  # one segment per decoding, each resumed at the last one's end
    assert wer(window.text, continued.text, english_normalizer) < 0.1
    monkeypatch.setattr(whisper, "SPEECH_AFTER_CLOSE_S", float("inf"))  # openai/whisper's rule: closed is done
    closed = engine.transcribe(window.samples, options)
    assert len(closed.segments) == 1 and closed.segments[0].end < 15.0
    assert wer(window.text, closed.text, english_normalizer) > 0.5  # the words after the first segment are lost


class LoopingEngine(WhisperEngine):
    """Whose beam search (temperature 0) loops on the window's first word ("Word, Word, Word, Word, Word, Word"),
    as a fine-tuned tiny.en wrote the 1.6-s "five five" as ten "5,"; sampling (temperature > 0) is the real one."""

    def _generate(self, encoded, prompt, temperature, options, full_context, longest_s):
        decodings = super()._generate(encoded, prompt, temperature, options, full_context, longest_s)
        if temperature > 0:
            return decodings
        looped = []
        for decoding in decodings:
            text = [token for token in decoding.tokens if token < self.tokenizer.eot]
            word = list(self.tokenizer.split_words(text)[0].tokens)
            loop = [decoding.tokens[0], *word, *(self.tokenizer.encode(",") + word) * 5, decoding.tokens[-1]]
            looped.append(_replace_tokens(decoding, loop, self.tokenizer))
        return looped


def test_a_short_loop_faster_than_speech_falls_back_though_zlib_passes_it(monkeypatch, english_normalizer):
    samples, text = next((samples, text) for samples, text in general_reference_items()
                         if text == "EIGHT THE PRESS YARD")  # 1.6 s
    engine = LoopingEngine(bundled_model_path(), "whisper-tiny.en")
    monkeypatch.setattr(quality, "MAX_SPEECH_TOKENS_PER_SECOND", float("inf"))  # the rule off: zlib only
    looped = engine.transcribe(samples, DecodeOptions(word_timestamps=False))
    assert looped.segments[0].compression_ratio < 2.4 and looped.segments[0].temperature == 0.0
    assert len(english_normalizer(looped.text).split()) == 6  # the loop is kept
    monkeypatch.undo()
    guarded = engine.transcribe(samples, DecodeOptions(word_timestamps=False))
    assert guarded.segments[0].temperature > 0  # sampling took over from the looping beam search
    assert wer(text, guarded.text, english_normalizer) < 0.5


class RepeatingContinuationEngine(FirstSegmentEngine):
    """FirstSegmentEngine whose continuations start by writing again the last two words of the decoding they
    continue (Whisper's coarse timestamps let a continuation hear them again)."""

    def _decode_group(self, group, options, prompt, cancel=None):
        super()._decode_group(group, options, prompt, cancel)
        for job in group:
            if job.previous_tokens:
                words = self.tokenizer.split_words(list(job.previous_tokens))
                last_two = [token for word in [w for w in words if w.text.strip(" .,?!")][-2:] for token in word.tokens]
                tokens = [job.decoding.tokens[0], *last_two, *job.decoding.tokens[1:]]
                job.decoding = _replace_tokens(job.decoding, tokens, self.tokenizer)


def test_a_continuation_does_not_write_the_words_before_its_start_twice(monkeypatch, english_normalizer):
    window = long_form_windows()[0]
    engine = RepeatingContinuationEngine(bundled_model_path(), "whisper-tiny.en")
    options = DecodeOptions(word_timestamps=False)
    kept = engine.transcribe(window.samples, options)
    assert len(kept.segments) >= 3 and wer(window.text, kept.text, english_normalizer) < 0.1
    monkeypatch.setattr(whisper, "without_repeated_start", lambda tokens, *_: tokens)
    doubled = engine.transcribe(window.samples, options)
    inserted = len(english_normalizer(doubled.text).split()) - len(english_normalizer(kept.text).split())
    assert inserted == 2 * (len(doubled.segments) - 1)  # two words again at the start of each continuation


def test_fallback_ladder_reencodes_30_s_then_samples(synthetic_call):
    engine = RecordingEngine(bundled_model_path(), "whisper-tiny.en")
    clips = turn_clips(synthetic_call, 2)
    engine.calls = []
    engine.transcribe_batch(clips, DecodeOptions(temperatures=(0.0, 0.5, 1.0)))
    assert {temperature for temperature, _, _ in engine.calls} == {0.0}  # clean speech: no fallback
    engine.calls = []
    forced = DecodeOptions(temperatures=(0.0, 0.5, 1.0), log_prob_threshold=0.0)  # every decoding "fails"
    result = engine.transcribe(clips[0], forced)
    assert engine.calls == [(0.0, False, 1), (0.0, True, 1), (0.5, True, 1), (1.0, True, 1)]
    assert result.text and result.segments[0].temperature in (0.0, 0.5, 1.0)
    engine.calls = []
    engine.transcribe(clips[0], DecodeOptions(temperatures=(0.0, 0.5), log_prob_threshold=0.0,
                                              encoder_padding_s=None))
    assert engine.calls == [(0.0, True, 1), (0.5, True, 1)]


@pytest.mark.slow  # loads fresh engines (~25 s)
def test_sampling_repeats_on_fresh_engines_after_the_seed(synthetic_call):
    """What makes evaluations reproducible (evaluation/job.py): CTranslate2 seeds a decoding thread once, at its
    first sample, from the process-wide seed; an engine loaded after set_random_seed samples the same."""
    import ctranslate2

    clips = turn_clips(synthetic_call, 3)
    sampled = DecodeOptions(temperatures=(1.0,), best_of=2, word_timestamps=False)  # sampling only, hot

    def fresh_transcripts() -> list[str]:
        ctranslate2.set_random_seed(7)
        fresh = WhisperEngine(bundled_model_path(), "whisper-tiny.en")
        results = [fresh.transcribe(clip, sampled) for clip in clips + clips]
        assert {segment.temperature for result in results for segment in result.segments} == {1.0}
        return [result.text for result in results]

    first = fresh_transcripts()
    assert first == fresh_transcripts()


def test_prompt_carries_initial_prompt_and_hotwords(engine):
    tokenizer = engine.tokenizer
    prompt = engine._prompt(DecodeOptions(initial_prompt="Veltora support call.", hotwords="Zentrix"))
    assert prompt[0] == tokenizer.sot_prev and prompt[-1] == tokenizer.sot
    assert tokenizer.decode(prompt) == " Zentrix Veltora support call."
    assert engine._prompt(DecodeOptions(without_timestamps=True)) == [tokenizer.sot, tokenizer.no_timestamps]


def test_concurrent_requests_share_one_engine(engine, synthetic_call):
    clips = turn_clips(synthetic_call, 4)
    expected = [engine.transcribe(clip).text for clip in clips]
    got: dict[int, str] = {}

    def run(index: int) -> None:
        got[index] = engine.transcribe(clips[index]).text

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(clips))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [got[index] for index in range(len(clips))] == expected


def test_bad_requests_are_refused_with_context(engine):
    with pytest.raises(InvalidDecodeOptions, match="language"):
        engine.transcribe(np.zeros(SAMPLE_RATE, np.float32), DecodeOptions(language="de"))
    with pytest.raises(InvalidDecodeOptions, match="beam_size"):
        engine.transcribe(np.zeros(SAMPLE_RATE, np.float32), DecodeOptions(beam_size=0))
    with pytest.raises(ValueError, match=r"audio\[1\] must be mono"):
        engine.transcribe_batch([np.zeros(10, np.float32), np.zeros((2, 10), np.float32)])
    with pytest.raises(TypeError, match=r"audio\[0\] has dtype int16"):
        engine.transcribe(np.zeros(10, np.int16))
    with pytest.raises(ValueError, match="NaN"):
        engine.transcribe(np.full(10, np.nan, np.float32))
    with pytest.raises(ValueError, match="batch_size"):
        engine.transcribe_batch([], batch_size=0)
    assert engine.transcribe_batch([]) == []


def test_loading_errors_name_what_to_fix(tmp_path):
    with pytest.raises(UnsupportedComputeType, match="not supported on cpu"):
        WhisperEngine(bundled_model_path(), "m", compute_type="float16")
    with pytest.raises(UnsupportedComputeType, match="unknown"):
        WhisperEngine(bundled_model_path(), "m", compute_type="int4")
    with pytest.raises(ModelLoadError, match=f"{tmp_path} holds neither a CTranslate2 model"):
        WhisperEngine(tmp_path, "m")
    (tmp_path / "config.json").write_text('{"model_type": "whisper"}')
    with pytest.raises(ModelLoadError, match="has no weights"):
        WhisperEngine(tmp_path, "m")
    (tmp_path / "model.safetensors").write_bytes(b"")
    (tmp_path / "tokenizer.json").write_text("{}")
    with pytest.raises(ModelLoadError, match="engine_cache_dir"):
        WhisperEngine(tmp_path, "m")


def test_warmup(engine):
    assert engine.warmup() > 0
