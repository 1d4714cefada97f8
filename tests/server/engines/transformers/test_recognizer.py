"""TransformersRecognizer on tiny random checkpoints: Adapt's greedy decoding equals transformers' reference
decoding (the family's processor + model.generate called as its docs show) token for token; batching does not
change any item; transcribe() decodes a short utterance as one window; languages are checked and reported."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from adapt_server.engines.options import DecodeOptions, InvalidDecodeOptions
from adapt_server.engines.protocol import Recognizer, StreamingRecognizer
from adapt_server.engines.transformers.recognizer import compression_ratio

NEW_TOKENS = 12
GREEDY = DecodeOptions(beam_size=1, max_new_tokens=NEW_TOKENS, language="en")
FAMILIES = ("qwen3_asr", "voxtral", "voxtral_realtime", "cohere_asr", "whisper")


def _until_eos(tokens: list[int], eos) -> list[int]:
    eos = set(eos if isinstance(eos, (list, tuple)) else [eos])
    return next((tokens[:i] for i, token in enumerate(tokens) if token in eos), tokens)


@torch.inference_mode()
def reference_tokens(family: str, recognizer, clip: np.ndarray) -> list[int]:
    """transformers' own decoding of `clip`, written here independently of the backend's prompt code."""
    model, codec = recognizer.model, recognizer.codec
    processor, tokenizer = codec.processor, codec.tokenizer
    eos = model.generation_config.eos_token_id
    if family == "qwen3_asr":  # processor.apply_transcription_request(audio, language=...) then generate
        inputs = processor.apply_transcription_request(clip, language="en")
        out = model.generate(**inputs, max_new_tokens=NEW_TOKENS, do_sample=False)
        return _until_eos(out[0, inputs["input_ids"].shape[1]:].tolist(), eos)
    if family == "cohere_asr":  # processor(audio, sampling_rate=16000, language="en") then generate
        inputs = processor(clip, sampling_rate=16000, language="en")
        inputs.pop("audio_chunk_index", None)
        out = model.generate(**inputs, max_new_tokens=NEW_TOKENS, do_sample=False)
        return _until_eos(out[0, inputs["decoder_input_ids"].shape[1]:].tolist(), eos)
    if family == "whisper":  # feature extractor then generate(language, task) (timestamp tokens suppressed)
        features = processor(clip, sampling_rate=16000, return_tensors="pt").input_features
        first_timestamp = tokenizer.convert_tokens_to_ids("<|0.00|>")
        out = model.generate(features, language="en", task="transcribe", max_new_tokens=NEW_TOKENS,
                             suppress_tokens=list(range(first_timestamp, model.config.vocab_size)))
        return _until_eos(out[0].tolist(), eos)
    ids = tokenizer.convert_tokens_to_ids
    if family == "voxtral":  # mistral-common's transcription request, by hand: 375 [AUDIO] per 30 s
        features = processor.feature_extractor(clip, sampling_rate=16000, padding=True, pad_to_multiple_of=480000,
                                               return_tensors="pt").input_features
        prompt = [ids("<s>"), ids("[INST]"), ids("[BEGIN_AUDIO]")] + [ids("[AUDIO]")] * 375 + [ids("[/INST]")]
        prompt += tokenizer.encode("lang:en", add_special_tokens=False) + [ids("[TRANSCRIBE]")]
        out = model.generate(input_ids=torch.tensor([prompt]), input_features=features,
                             max_new_tokens=NEW_TOKENS, do_sample=False)
        return _until_eos(out[0, len(prompt):].tolist(), eos)
    assert family == "voxtral_realtime"  # offline streaming request: 32 left-pad + 6 delay tokens, 80 ms/token
    per_token, left, delay = 1280, 32, 6
    right = (-clip.size) % per_token + (delay + 1 + 10) * per_token
    audio = np.pad(clip, (left * per_token, right))
    features = processor(audio, sampling_rate=16000, return_tensors="pt").input_features
    prompt = [ids("<s>")] + [ids("[STREAMING_PAD]")] * (left + delay)
    out = model.generate(input_ids=torch.tensor([prompt]), input_features=features, num_delay_tokens=delay)
    return _until_eos(out[0, len(prompt):].tolist(), eos)


@pytest.mark.parametrize("family", FAMILIES)
def test_greedy_decoding_equals_transformers_reference_token_for_token(family, recognizers, clips):
    recognizer = recognizers(family)
    decoded = recognizer.decode_clips(clips, GREEDY)
    for clip, decoding in zip(clips, decoded):
        assert list(decoding.tokens) == reference_tokens(family, recognizer, clip)
        assert decoding.tokens and decoding.text  # random weights still say something
        assert np.isfinite(decoding.avg_logprob) and decoding.avg_logprob <= 0


@pytest.mark.parametrize("family", FAMILIES)
def test_batching_does_not_change_any_item(family, recognizers, clips):
    recognizer = recognizers(family)
    together = recognizer.decode_clips(clips, GREEDY, batch_size=3)
    alone = [recognizer.decode_clips([clip], GREEDY)[0] for clip in clips]
    assert [d.tokens for d in together] == [d.tokens for d in alone]
    reversed_order = recognizer.decode_clips(clips[::-1], GREEDY, batch_size=2)[::-1]
    assert [d.tokens for d in reversed_order] == [d.tokens for d in alone]


@pytest.mark.parametrize("family", FAMILIES)
def test_transcribe_decodes_a_short_utterance_as_one_window(family, recognizers, utterance):
    recognizer = recognizers(family)
    assert isinstance(recognizer, Recognizer)
    assert isinstance(recognizer, StreamingRecognizer) == (family == "voxtral_realtime")
    result = recognizer.transcribe(utterance, GREEDY)
    whole = recognizer.decode_clips([utterance], GREEDY)[0]
    assert result.text == whole.text
    assert len(result.segments) == 1
    segment = result.segments[0]
    assert segment.start == 0.0 and segment.end == pytest.approx(utterance.size / 16000)
    assert segment.words == () and segment.compression_ratio == pytest.approx(compression_ratio(whole.text))
    assert result.model_id == f"tiny-{family}" and result.compute_type == "float32"
    assert result.duration_s == pytest.approx(utterance.size / 16000)
    assert result.language == ("" if family == "voxtral_realtime" else "en")
    info = recognizer.info
    assert (info.family, info.backend, info.device, info.dtype) == (family, "transformers", "cpu", "float32")
    assert info.word_timestamps is False and info.native_streaming == (family == "voxtral_realtime")


def test_silence_and_empty_input_give_no_segments(recognizers):
    recognizer = recognizers("qwen3_asr")
    results = recognizer.transcribe_batch([np.zeros(16000, np.float32), np.zeros(0, np.float32)], GREEDY)
    assert [r.segments for r in results] == [(), ()]
    assert results[0].non_speech == ((0.0, 1.0),)


def test_beam_search_and_sampling_run_bounded(recognizers, clips):
    recognizer = recognizers("cohere_asr")
    beam = recognizer.decode_clips(clips[:2], DecodeOptions(beam_size=3, max_new_tokens=5, language="en"))
    sampled = recognizer.decode_clips(clips[:2], DecodeOptions(temperatures=(0.7,), max_new_tokens=5, language="en"))
    assert all(0 < len(d.tokens) <= 5 for d in beam + sampled)


def test_languages_are_checked_and_detected_where_the_family_can(recognizers, clips):
    cohere = recognizers("cohere_asr")
    with pytest.raises(InvalidDecodeOptions, match="cannot detect the language"):
        cohere.transcribe(clips[0], DecodeOptions(language=""))
    with pytest.raises(InvalidDecodeOptions, match="'xx' is not a language"):
        cohere.transcribe(clips[0], DecodeOptions(language="xx"))
    german = cohere.decode_clips(clips[:1], DecodeOptions(beam_size=1, max_new_tokens=4, language="de"))[0]
    assert german.language == "de"
    whisper = recognizers("whisper")
    detected = whisper.decode_clips(clips[:1], DecodeOptions(beam_size=1, max_new_tokens=4, language=""))[0]
    assert detected.language in ("en", "de", "fr", "es")  # the language token the model chose
    forced = whisper.decode_clips(clips[:1], DecodeOptions(beam_size=1, max_new_tokens=4,
                                                           language=detected.language))[0]
    assert forced.tokens == detected.tokens  # the detected language is the one decoding went on with
    with pytest.raises(InvalidDecodeOptions, match="use one of de, en, es, fr or '' to detect it"):
        whisper.transcribe(clips[0], DecodeOptions(language="ja"))


def test_bad_audio_and_batch_size_name_the_problem(recognizers):
    recognizer = recognizers("voxtral")
    with pytest.raises(ValueError, match=r"audio\[1\] must be mono"):
        recognizer.transcribe_batch([np.zeros(100, np.float32), np.zeros((2, 100), np.float32)])
    with pytest.raises(TypeError, match="int16"):
        recognizer.transcribe(np.zeros(100, np.int16))
    with pytest.raises(ValueError, match="batch_size"):
        recognizer.transcribe_batch([np.zeros(100, np.float32)], batch_size=0)
