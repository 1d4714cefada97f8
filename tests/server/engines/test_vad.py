from __future__ import annotations

import subprocess
import sys
import time

import numpy as np
import pytest

from adapt_server.engines.options import VadOptions
from adapt_server.engines.vad import (
    FRAME_S,
    MAX_WINDOW_S,
    SileroVad,
    Window,
    decoding_windows,
    expand_windows,
    non_speech_regions,
    pack_windows,
    pad_regions,
    regions_from_probabilities,
    silero_model_path,
    speech_regions,
    unpadded_regions,
)

SAMPLE_RATE = 16000


def frames(*runs: tuple[float, float]) -> np.ndarray:
    """Probabilities from (probability, seconds) runs, one value per 32-ms frame."""
    return np.concatenate([np.full(int(round(seconds / FRAME_S)), probability, np.float32)
                           for probability, seconds in runs])


def test_the_weights_ship_with_silero_vad_and_load_without_torch():
    assert silero_model_path().name == "silero_vad_16k_sequence.onnx"
    assert SileroVad().speech_probabilities(np.zeros(0, np.float32)).shape == (0,)
    # silero_vad/__init__ imports torch (seconds, hundreds of MB): the engine must not run it
    code = ("import sys, numpy; import adapt_server.engines.vad as vad, adapt_server.engines.registry; "
            "vad.speech_regions(numpy.zeros(16000, numpy.float32)); print('torch' in sys.modules)")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert completed.stdout.strip() == "False"


def test_finds_the_speech_of_real_utterances(asr_corpus):
    for utterance in asr_corpus[:8]:
        regions = speech_regions(utterance.audio)
        duration = utterance.audio.size / SAMPLE_RATE
        assert regions, utterance.id
        assert sum(end - start for start, end in regions) > 0.3 * duration, utterance.id
        assert all(0 <= start < end <= duration for start, end in regions)


def test_finds_synthetic_speech_and_the_pauses_between_turns(synthetic_call):
    regions = speech_regions(synthetic_call.audio, speech_pad_s=0.0)
    turns = synthetic_call.turns
    for start, end in turns:  # the middle of every turn is speech
        assert any(region_start <= (start + end) / 2 <= region_end for region_start, region_end in regions)
    long_pauses = [(earlier[1], later[0]) for earlier, later in zip(turns, turns[1:]) if later[0] - earlier[1] > 0.7]
    assert long_pauses
    for start, end in long_pauses:  # the middle of a pause longer than min_silence_s + margin is not
        assert not any(region_start < (start + end) / 2 < region_end for region_start, region_end in regions)


@pytest.mark.parametrize("kind", ["silence", "white noise", "loud noise", "hum"])
def test_finds_nothing_in_silence_or_noise(kind):
    rng = np.random.default_rng(1)
    n = 5 * SAMPLE_RATE
    audio = {
        "silence": np.zeros(n),
        "white noise": 0.1 * rng.standard_normal(n),
        "loud noise": np.clip(0.5 * rng.standard_normal(n), -1, 1),
        "hum": 0.3 * np.sin(2 * np.pi * 50 * np.arange(n) / SAMPLE_RATE),
    }[kind].astype(np.float32)
    assert speech_regions(audio) == []


def test_probabilities_do_not_depend_on_the_block_size():
    """Consecutive onnxruntime calls carry the LSTM state and the 64-sample context across blocks."""
    rng = np.random.default_rng(2)
    audio = (0.05 * rng.standard_normal(3 * SAMPLE_RATE)).astype(np.float32)
    vad = SileroVad()
    whole = vad.speech_probabilities(audio)
    import adapt_server.engines.vad as vad_module

    saved = vad_module.BLOCK_FRAMES
    try:
        vad_module.BLOCK_FRAMES = 7  # many blocks
        blocked = vad.speech_probabilities(audio)
    finally:
        vad_module.BLOCK_FRAMES = saved
    np.testing.assert_allclose(blocked, whole, atol=1e-5)
    assert whole.shape == (-(-audio.size // 512),)


def test_is_fast_on_long_audio():
    audio = (0.05 * np.random.default_rng(3).standard_normal(120 * SAMPLE_RATE)).astype(np.float32)
    SileroVad().speech_probabilities(audio[:SAMPLE_RATE])
    started = time.perf_counter()
    SileroVad().speech_probabilities(audio)
    assert time.perf_counter() - started < 2.0  # ~0.2 s measured for 2 minutes on 2 cores


def test_hysteresis_min_silence_and_min_speech():
    options = VadOptions(threshold=0.5, min_silence_s=0.3, min_speech_s=0.2, speech_pad_s=0.0)
    probabilities = frames((0.0, 0.32), (0.9, 0.96), (0.1, 0.128), (0.9, 0.64), (0.4, 0.64), (0.0, 0.96),
                           (0.9, 0.064), (0.0, 0.32))
    regions = unpadded_regions(probabilities, probabilities.size * FRAME_S, options)
    # the 0.128-s dip is shorter than min_silence: one region; 0.4 lies between neg_threshold (0.35) and
    # threshold: still speech; the 0.064-s burst is shorter than min_speech
    assert regions == [(pytest.approx(0.32), pytest.approx(0.32 + 0.96 + 0.128 + 0.64 + 0.64))]


def test_long_speech_is_cut_at_its_quietest_frame():
    options = VadOptions(speech_pad_s=0.0, min_silence_s=0.5)
    probabilities = frames((0.9, 20.0), (0.6, 0.064), (0.9, 25.0))  # a 64-ms breath, never silence
    regions = unpadded_regions(probabilities, probabilities.size * FRAME_S, options, max_region_s=30.0)
    assert len(regions) == 2
    assert regions[0][1] == pytest.approx(20.0, abs=FRAME_S)
    assert all(end - start <= 30.0 for start, end in regions)


def test_padding_halves_short_gaps_and_stays_in_the_audio():
    assert pad_regions([(0.1, 1.0), (1.4, 2.0), (3.5, 4.9)], 0.4, 5.0) == [
        (0.0, pytest.approx(1.2)), (pytest.approx(1.2), pytest.approx(2.4)), (pytest.approx(3.1), 5.0)]
    assert regions_from_probabilities(frames((0.9, 1.0)), 1.0, VadOptions()) == [(0.0, 1.0)]


def test_pack_windows_cuts_between_regions_under_30_s():
    regions = [(float(start), float(start) + 4.0) for start in range(0, 100, 5)]  # 4 s speech, 1 s pause
    windows = pack_windows(regions)
    assert [region for window in windows for region in window.regions] == regions
    assert all(window.duration_s <= MAX_WINDOW_S for window in windows)
    assert all(window.start_s == window.regions[0][0] and window.end_s == window.regions[-1][1]
               for window in windows)
    assert len(windows) == 4  # 6 regions (29 s) per window
    assert pack_windows([(0.0, 70.0)]) == [Window(0.0, 30.0, ((0.0, 30.0),)), Window(30.0, 60.0, ((30.0, 60.0),)),
                                          Window(60.0, 70.0, ((60.0, 70.0),))]
    assert pack_windows([]) == []


def test_expand_windows_grows_into_silence_within_30_s():
    short = expand_windows([Window(6.0, 9.0, ((6.0, 9.0),))], duration_s=12.0)
    assert short == [Window(0.0, 12.0, ((6.0, 9.0),))]  # a short input is decoded whole
    pair = expand_windows([Window(10.0, 38.0, ((10.0, 38.0),)), Window(50.0, 60.0, ((50.0, 60.0),))], 100.0)
    assert pair[0].start_s == pytest.approx(9.0) and pair[0].end_s == pytest.approx(39.0)
    assert pair[1].start_s == pytest.approx(44.0) and pair[1].end_s == pytest.approx(74.0)
    assert pair[0].end_s <= pair[1].start_s


def test_decoding_windows_of_a_long_recording(synthetic_call):
    duration = synthetic_call.audio.size / SAMPLE_RATE
    regions = speech_regions(synthetic_call.audio)
    windows = decoding_windows(regions, duration)
    assert len(windows) >= 3  # ~65 s of speech
    assert all(window.duration_s <= MAX_WINDOW_S for window in windows)
    assert all(earlier.end_s <= later.start_s for earlier, later in zip(windows, windows[1:]))
    assert [region for window in windows for region in window.regions] == regions
    for earlier, later in zip(windows, windows[1:]):  # cut in a pause: no speech region crosses a cut
        assert earlier.regions[-1][1] <= earlier.end_s <= later.start_s <= later.regions[0][0]


def test_non_speech_is_the_complement():
    assert non_speech_regions([(1.0, 2.0), (2.2, 3.0)], 5.0) == [(0.0, 1.0), (2.0, 2.2), (3.0, 5.0)]
    assert non_speech_regions([(1.0, 2.0), (2.2, 3.0)], 5.0, min_gap_s=0.5) == [(0.0, 1.0), (3.0, 5.0)]
    assert non_speech_regions([], 4.0) == [(0.0, 4.0)]
    assert non_speech_regions([(0.0, 4.0)], 4.0) == []
