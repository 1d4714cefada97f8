from adapt_kernels import whisper_constants as wc


def test_constants_match_whisper_and_are_derived_from_each_other():
    assert (wc.SAMPLE_RATE, wc.N_FFT, wc.HOP_LENGTH, wc.CHUNK_LENGTH) == (16000, 400, 160, 30)
    assert wc.N_SAMPLES == wc.CHUNK_LENGTH * wc.SAMPLE_RATE == 480_000
    assert wc.N_FRAMES == wc.N_SAMPLES // wc.HOP_LENGTH == 3000
    assert wc.N_FREQ_BINS == 201
    assert wc.FRAMES_PER_SECOND == 100


def test_decoder_and_timing_constants():
    assert wc.TOKENS_PER_SECOND == 50 and wc.TIME_PRECISION_S == 0.02
    assert (wc.N_TEXT_CTX, wc.MAX_TEXT_TOKENS, wc.MEDIAN_FILTER_WIDTH) == (448, 440, 7)
