"""decode_audio on every format intake must read, generated here from synthetic tones with PyAV encoders."""
from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from adapt_server.audio.constants import TARGET_SAMPLE_RATE
from adapt_server.audio.decode import AudioDecodeError, decode_audio
from adapt_server.audio.encode import encode_audio
from adapt_server.audio.wav import read_pcm16_wav

REALSPEECH_ASR = Path(__file__).resolve().parents[3] / ".." / "shared" / "realspeech" / "asr"


def tone(freq_hz: float, seconds: float, sample_rate: int, amplitude: float = 0.5) -> np.ndarray:
    """float32 (n,): a sine of `freq_hz` Hz lasting `seconds` at `sample_rate` Hz."""
    t = np.arange(round(seconds * sample_rate)) / sample_rate
    return (amplitude * np.sin(2 * np.pi * freq_hz * t)).astype(np.float32)


def band_amplitude(samples: np.ndarray, sample_rate: int, freq_hz: float) -> float:
    """Amplitude of the sine at `freq_hz` (within 20 Hz) in `samples` (n,), from a Hann-windowed FFT."""
    window = np.hanning(samples.size)
    spectrum = np.abs(np.fft.rfft(samples * window))
    freqs = np.fft.rfftfreq(samples.size, 1 / sample_rate)
    return float(2 * spectrum[np.abs(freqs - freq_hz) < 20].max() / window.sum())


def peak_frequency_hz(samples: np.ndarray, sample_rate: int) -> float:
    """Frequency (Hz) of the strongest bin of the Hann-windowed spectrum of `samples` (n,)."""
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    return float(np.fft.rfftfreq(samples.size, 1 / sample_rate)[np.argmax(spectrum)])


def nist_sphere(payload: bytes, *, samples: int, sample_rate: int, channels: int, sample_bytes: int,
                coding: str, byte_format: str | None) -> bytes:
    """A NIST SPHERE file: a 1024-byte ASCII header (`NIST_1A`, then `name -type value` lines), then `payload`."""
    fields = [
        f"sample_count -i {samples}",
        f"sample_rate -i {sample_rate}",
        f"channel_count -i {channels}",
        f"sample_n_bytes -i {sample_bytes}",
        f"sample_coding -s{len(coding)} {coding}",
    ]
    if byte_format is not None:
        fields.append(f"sample_byte_format -s{len(byte_format)} {byte_format}")
    header = ("NIST_1A\n   1024\n" + "\n".join(fields) + "\nend_head\n").encode("ascii")
    return header.ljust(1024, b" ") + payload


# name -> (container, encoder, rate of the signal in Hz, rate the codec runs at, FFmpeg codec name when read)
FORMATS = {
    "wav_pcm16_44k": ("wav", "pcm_s16le", 44100, None, "pcm_s16le"),
    "flac_22k": ("flac", "flac", 22050, None, "flac"),
    "mp3_44k": ("mp3", "libmp3lame", 44100, None, "mp3"),
    "opus_48k": ("ogg", "libopus", 48000, 48000, "opus"),
    "m4a_aac_32k": ("ipod", "aac", 32000, None, "aac"),
    "wav_mulaw_8k": ("wav", "pcm_mulaw", 8000, 8000, "pcm_mulaw"),
    "wav_alaw_8k": ("wav", "pcm_alaw", 8000, 8000, "pcm_alaw"),
}
SECONDS = 2.0


@pytest.fixture(scope="module", params=sorted(FORMATS))
def encoded_tone(request) -> tuple[str, bytes]:
    container, codec, rate, codec_rate, _ = FORMATS[request.param]
    return request.param, encode_audio(tone(440, SECONDS, rate), rate, container=container, codec=codec,
                                       codec_sample_rate=codec_rate)


def test_every_format_decodes_to_16k_mono_float32(encoded_tone):
    name, data = encoded_tone
    _, _, rate, codec_rate, codec = FORMATS[name]
    decoded = decode_audio(data)
    assert decoded.samples.dtype == np.float32
    assert decoded.samples.shape[0] == 1
    assert decoded.sample_rate == TARGET_SAMPLE_RATE
    assert decoded.info.codec == codec
    assert decoded.info.sample_rate == (codec_rate or rate)
    assert decoded.info.channels == 1
    # lossy codecs add up to a frame of priming/padding (aac: 1024 samples at 32 kHz = 32 ms)
    assert decoded.duration_s == pytest.approx(SECONDS, abs=0.05)
    assert decoded.info.duration_s == pytest.approx(SECONDS, abs=0.05)
    assert not decoded.info.looks_truncated
    mono = decoded.mono
    assert np.abs(mono).max() <= 1.0
    assert peak_frequency_hz(mono, TARGET_SAMPLE_RATE) == pytest.approx(440, abs=2)
    assert band_amplitude(mono, TARGET_SAMPLE_RATE, 440) == pytest.approx(0.5, rel=0.1)


def test_path_bytes_and_file_object_decode_alike(tmp_path):
    data = encode_audio(tone(440, 1.0, 22050), 22050, container="flac", codec="flac")
    path = tmp_path / "tone.flac"
    path.write_bytes(data)
    from_path = decode_audio(path)
    np.testing.assert_array_equal(from_path.samples, decode_audio(str(path)).samples)
    np.testing.assert_array_equal(from_path.samples, decode_audio(data).samples)
    np.testing.assert_array_equal(from_path.samples, decode_audio(io.BytesIO(data)).samples)


def test_non_seekable_pipe(tmp_path):
    """A pipe cannot be rewound for a second probe: it is opened once with FFmpeg's default probing."""
    path = tmp_path / "tone.wav"
    path.write_bytes(encode_audio(tone(440, 1.0, 16000), 16000, container="wav", codec="pcm_s16le"))
    with subprocess.Popen(["cat", str(path)], stdout=subprocess.PIPE) as cat:
        assert not cat.stdout.seekable()
        decoded = decode_audio(cat.stdout)
    np.testing.assert_array_equal(decoded.samples, decode_audio(path).samples)


def test_other_target_rates(tmp_path):
    data = encode_audio(tone(440, 1.0, 16000), 16000, container="wav", codec="pcm_s16le")
    for rate in (8000, 22050, 48000):
        decoded = decode_audio(data, sample_rate=rate)
        assert decoded.sample_rate == rate
        assert decoded.samples.shape[1] == pytest.approx(rate, abs=2)
        assert peak_frequency_hz(decoded.mono, rate) == pytest.approx(440, abs=2)


def test_sample_rate_change_mid_stream():
    """Two mp3 files glued together (22.05 kHz, then 44.1 kHz): the decoder's output rate changes mid-stream.
    The join (the second file's header frame) is a bad packet, hence strict=False."""
    first = encode_audio(tone(440, 2.0, 22050), 22050, container="mp3", codec="libmp3lame")
    second = encode_audio(tone(1000, 2.0, 44100), 44100, container="mp3", codec="libmp3lame")
    decoded = decode_audio(first + second, strict=False)
    assert decoded.duration_s == pytest.approx(4.0, abs=0.15)
    assert decoded.info.duration_s == pytest.approx(4.0, abs=0.15)
    mono = decoded.mono
    assert peak_frequency_hz(mono[: int(1.8 * TARGET_SAMPLE_RATE)], TARGET_SAMPLE_RATE) == pytest.approx(440, abs=2)
    assert peak_frequency_hz(mono[-int(1.8 * TARGET_SAMPLE_RATE) :], TARGET_SAMPLE_RATE) == pytest.approx(1000, abs=2)


# ------------------------------------------------------------------------------------------------ channels


@pytest.fixture(scope="module")
def stereo_tones() -> tuple[np.ndarray, int]:
    """(float32 (2, n), 44100): 300 Hz in the left channel, 1000 Hz in the right, 2 s."""
    return np.stack([tone(300, SECONDS, 44100), tone(1000, SECONDS, 44100)]), 44100


@pytest.mark.parametrize(
    "container, codec, codec_rate",
    [("wav", "pcm_s16le", None), ("mp3", "libmp3lame", None), ("ogg", "libopus", 48000), ("ipod", "aac", None)],
)
def test_stereo_keep_channels_and_downmix(stereo_tones, container, codec, codec_rate):
    samples, rate = stereo_tones
    data = encode_audio(samples, rate, container=container, codec=codec, codec_sample_rate=codec_rate)

    kept = decode_audio(data, keep_channels=True)
    assert kept.samples.shape[0] == 2 and kept.info.channels == 2
    left, right = kept.samples
    assert peak_frequency_hz(left, TARGET_SAMPLE_RATE) == pytest.approx(300, abs=2)
    assert peak_frequency_hz(right, TARGET_SAMPLE_RATE) == pytest.approx(1000, abs=2)
    assert band_amplitude(left, TARGET_SAMPLE_RATE, 1000) < 0.01  # no crosstalk
    assert band_amplitude(right, TARGET_SAMPLE_RATE, 300) < 0.01

    mixed = decode_audio(data)
    assert mixed.samples.shape == (1, kept.samples.shape[1])
    assert mixed.info.channels == 2
    assert band_amplitude(mixed.mono, TARGET_SAMPLE_RATE, 300) == pytest.approx(0.25, rel=0.1)  # (L + R) / 2
    assert band_amplitude(mixed.mono, TARGET_SAMPLE_RATE, 1000) == pytest.approx(0.25, rel=0.1)
    np.testing.assert_allclose(mixed.mono, kept.samples.mean(axis=0), atol=1e-4)
    with pytest.raises(ValueError, match="2 channels"):
        _ = kept.mono


# ------------------------------------------------------------------------------------------------ NIST sphere


def test_sphere_pcm_little_and_big_endian():
    signal = tone(440, SECONDS, 8000)
    pcm = np.round(signal * 32767)
    for byte_format, dtype, codec in (("01", "<i2", "pcm_s16le"), ("10", ">i2", "pcm_s16be")):
        data = nist_sphere(pcm.astype(dtype).tobytes(), samples=signal.size, sample_rate=8000, channels=1,
                           sample_bytes=2, coding="pcm", byte_format=byte_format)
        decoded = decode_audio(data)
        assert (decoded.info.container, decoded.info.codec, decoded.info.sample_rate) == ("nistsphere", codec, 8000)
        assert decoded.duration_s == pytest.approx(SECONDS, abs=1e-3)
        assert band_amplitude(decoded.mono, TARGET_SAMPLE_RATE, 440) == pytest.approx(0.5, rel=0.02)


def test_sphere_mu_law():
    signal = tone(440, SECONDS, 8000)
    mu_law = encode_audio(signal, 8000, container="mulaw", codec="pcm_mulaw")  # raw G.711 bytes, no header
    data = nist_sphere(mu_law, samples=signal.size, sample_rate=8000, channels=1, sample_bytes=1,
                       coding="ulaw", byte_format=None)
    decoded = decode_audio(data)
    assert decoded.info.codec == "pcm_mulaw"
    assert decoded.duration_s == pytest.approx(SECONDS, abs=1e-3)
    assert band_amplitude(decoded.mono, TARGET_SAMPLE_RATE, 440) == pytest.approx(0.5, rel=0.05)


def test_sphere_three_channels_unnamed_layout_downmixes_to_the_mean():
    channels = np.stack([tone(300, SECONDS, 8000), tone(1000, SECONDS, 8000), tone(2000, SECONDS, 8000)])
    interleaved = np.round(channels.T * 32767).astype("<i2").tobytes()
    data = nist_sphere(interleaved, samples=channels.shape[1], sample_rate=8000, channels=3, sample_bytes=2,
                       coding="pcm", byte_format="01")
    kept = decode_audio(data, keep_channels=True)
    assert kept.samples.shape[0] == 3
    for channel, freq in zip(kept.samples, (300, 1000, 2000), strict=True):
        assert peak_frequency_hz(channel, TARGET_SAMPLE_RATE) == pytest.approx(freq, abs=2)
    mixed = decode_audio(data)
    np.testing.assert_allclose(mixed.mono, kept.samples.mean(axis=0), atol=1e-5)


# ------------------------------------------------------------------------------------------------ bad input


def test_empty_inputs(tmp_path):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    with pytest.raises(AudioDecodeError, match=r"empty\.wav: empty"):
        decode_audio(empty)
    with pytest.raises(AudioDecodeError, match="empty"):
        decode_audio(b"")
    header_only = io.BytesIO()
    with wave.open(header_only, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(16000)
    with pytest.raises(AudioDecodeError, match="empty: 0 samples"):
        decode_audio(header_only.getvalue())


def test_text_file_renamed_wav(tmp_path):
    fake = tmp_path / "notes.wav"
    fake.write_text("meeting notes, not audio\n" * 40)
    with pytest.raises(AudioDecodeError, match=r"notes\.wav: not an audio file"):
        decode_audio(fake)


def test_subtitle_file_has_no_audio_stream(tmp_path):
    subtitles = tmp_path / "call.wav"
    subtitles.write_text("1\n00:00:01,000 --> 00:00:02,000\nhello\n\n2\n00:00:03,000 --> 00:00:04,000\nbye\n")
    with pytest.raises(AudioDecodeError, match="no audio stream.*subtitle"):
        decode_audio(subtitles)


@pytest.mark.parametrize("seed", range(4))
def test_random_bytes(seed):
    garbage = np.random.default_rng(seed).integers(0, 256, 50_000, dtype=np.uint8).tobytes()
    with pytest.raises(AudioDecodeError):
        decode_audio(garbage)


def wav_with_header(*, audio_format: int = 1, channels: int = 1, rate: int = 16000, bits: int = 16) -> bytes:
    """A WAV file of 0.1 s of silence whose fmt chunk carries the given fields as they are (even nonsense)."""
    data = bytes(3200)
    fmt = struct.pack("<HHIIHH", audio_format, channels, rate, rate * channels * bits // 8, channels * bits // 8, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


@pytest.mark.parametrize("fields, error", [
    ({"channels": 0}, "wav header declares 0 audio channels"),
    ({"bits": 0}, "no decoder reads .*0 bits per sample"),
    ({"audio_format": 0x1234}, "no decoder reads .*unknown format tag"),
    ({"rate": 0}, "not an audio file"),  # FFmpeg refuses this one itself
], ids=["channels0", "bits0", "format_tag", "rate0"])
def test_wav_header_fields_no_decoder_takes_are_decode_errors(fields, error):
    """Issue 16, defect 7: channels=0 or bits-per-sample 0 raised AttributeError (INTERNAL)."""
    assert decode_audio(wav_with_header()).duration_s == pytest.approx(0.1)
    with pytest.raises(AudioDecodeError, match=error):
        decode_audio(wav_with_header(**fields))


@pytest.mark.parametrize("rate", [1, 3999, 768001, 597_951_872])
def test_sample_rates_outside_the_decoded_range_are_refused_at_once(rate):
    """Found by the fuzz bench: a 684-byte wav declaring 1 Hz decoded to 5 M samples (16,000 output samples
    per input sample), and one declaring 598 MHz kept libswresample busy for 8 s setting up its filter."""
    started = time.process_time()
    with pytest.raises(AudioDecodeError, match=f"declared at {rate} Hz; Adapt decodes audio sampled at 4000 to 768000"):
        decode_audio(wav_with_header(rate=rate))
    assert time.process_time() - started < 0.5


@pytest.mark.parametrize("rate", [4000, 768000])
def test_sample_rates_at_the_ends_of_the_range_decode(rate):
    assert decode_audio(wav_with_header(rate=rate)).info.sample_rate == rate


def test_chunk_claiming_more_than_the_file_is_refused_before_ffmpeg_walks_it(tmp_path):
    """Found by the fuzz bench: FFmpeg's wav demuxer stepped through a LIST chunk's claimed 2 GB even past
    the end of a 2 KB file, ~3 s of CPU per open (and decode_audio may open twice)."""
    header = wav_with_header()
    data = header[:36] + b"LIST" + struct.pack("<I", 0x8000001A) + b"INFOISFT" + bytes(2000)
    path = tmp_path / "list.wav"
    path.write_bytes(data)
    for source in (data, path, io.BytesIO(data)):
        started = time.process_time()
        with pytest.raises(AudioDecodeError, match=r"'LIST' chunk at byte 36 claims 2147483674 bytes but the file "
                                                   r"ends at byte 2052, before any audio"):
            decode_audio(source)
        assert time.process_time() - started < 0.5
    truncated_data = wav_with_header()[:1000]  # a data chunk cut short is still decoded, as before
    assert decode_audio(truncated_data).duration_s == pytest.approx((1000 - 44) / 32000, abs=1e-3)


EIGHT_CHANNELS_CHECK = """
import struct, sys
import numpy as np
from adapt_server.audio.decode import decode_audio
levels = np.arange(1, 9, dtype=np.float32) / 16  # channel k holds the constant (k + 1) / 16
pcm = np.rint(np.tile(levels, 800) * 32768).astype("<i2").tobytes()  # 800 frames of 8 interleaved samples
def wav(extensible):
    if extensible:  # WAVE_FORMAT_EXTENSIBLE, 16 valid bits, 7.1 channel mask, PCM sub-format
        fmt = struct.pack("<HHIIHHHHI", 0xFFFE, 8, 16000, 256000, 16, 16, 22, 16, 0x63F) + \
            struct.pack("<H", 1) + bytes.fromhex("000000001000800000aa00389b71")
    else:
        fmt = struct.pack("<HHIIHH", 1, 8, 16000, 256000, 16, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(pcm)) + pcm
    return b"RIFF" + struct.pack("<I", len(body)) + body
for extensible in (False, True):
    kept = decode_audio(wav(extensible), keep_channels=True)
    assert kept.samples.shape == (8, 800), kept.samples.shape
    np.testing.assert_allclose(kept.samples[:, 400], levels, atol=1e-3)
    assert decode_audio(wav(extensible)).samples.shape == (1, 800)
np.testing.assert_allclose(decode_audio(wav(False)).samples[0, 400], levels.mean(), atol=1e-3)
print("ok")
"""


def test_eight_channels_decode_without_crashing_the_process():
    """Found by the fuzz test: a WAV header claiming 8 to ~63 channels segfaulted the process (PyAV counts 9
    planes for an 8-channel planar frame and `to_ndarray` read past it): one upload killed the server.
    Runs in a child process so that a crash fails this test instead of the test run."""
    result = subprocess.run([sys.executable, "-c", EIGHT_CHANNELS_CHECK], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "ok", (result.returncode, result.stderr[-2000:])


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.wav"):
        decode_audio(tmp_path / "nope.wav")


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_header_fragment_is_rejected(name):
    container, codec, rate, codec_rate, _ = FORMATS[name]
    data = encode_audio(tone(440, SECONDS, rate), rate, container=container, codec=codec, codec_sample_rate=codec_rate)
    with pytest.raises(AudioDecodeError):
        decode_audio(data[:24])


def test_truncated_flac_is_an_error_unless_lenient():
    data = encode_audio(tone(440, 4.0, 22050), 22050, container="flac", codec="flac")
    cut = data[: len(data) // 2]
    with pytest.raises(AudioDecodeError, match="truncated/corrupt: the flac decoder failed after"):
        decode_audio(cut)
    lenient = decode_audio(cut, strict=False)
    assert lenient.info.corrupt_packets_skipped >= 1
    assert 1.0 < lenient.duration_s < 3.0


def test_corrupt_mp3_is_an_error_unless_lenient():
    data = bytearray(encode_audio(tone(440, 4.0, 44100), 44100, container="mp3", codec="libmp3lame"))
    middle = len(data) // 2
    data[middle : middle + 2000] = np.random.default_rng(1).integers(0, 256, 2000, dtype=np.uint8).tobytes()
    with pytest.raises(AudioDecodeError, match="truncated/corrupt"):
        decode_audio(bytes(data))
    lenient = decode_audio(bytes(data), strict=False)
    assert lenient.info.corrupt_packets_skipped >= 1
    assert 3.0 < lenient.duration_s <= 4.05


def test_truncated_wav_decodes_what_is_there_and_says_so():
    data = encode_audio(tone(440, 4.0, 8000), 8000, container="wav", codec="pcm_mulaw")
    decoded = decode_audio(data[: 44 + 8000 * 2])  # header + 2 s of 1-byte samples
    assert decoded.duration_s == pytest.approx(2.0, abs=0.01)
    assert decoded.info.declared_duration_s == pytest.approx(4.0, abs=0.01)
    assert decoded.info.looks_truncated


def test_max_duration_guard():
    data = encode_audio(tone(440, 3.0, 16000), 16000, container="wav", codec="pcm_s16le")
    with pytest.raises(AudioDecodeError, match="longer than the 2 s limit"):
        decode_audio(data, max_duration_s=2)
    assert decode_audio(data, max_duration_s=3.5).duration_s == pytest.approx(3.0)


def test_ten_minutes_of_telephony_mu_law_decodes_fast():
    """10 min of 8 kHz mu-law: ~40 ms on the 2-core dev machine; the bound leaves room for a loaded host."""
    data = encode_audio(tone(440, 600.0, 8000), 8000, container="wav", codec="pcm_mulaw")
    started = time.perf_counter()
    decoded = decode_audio(data)
    elapsed = time.perf_counter() - started
    assert decoded.samples.shape == (1, 600 * TARGET_SAMPLE_RATE)
    assert elapsed < 1.0


# ------------------------------------------------------------------------------------------------ real speech


def _realspeech_wavs() -> list[Path]:
    return sorted(REALSPEECH_ASR.glob("*.wav")) if REALSPEECH_ASR.is_dir() else []


@pytest.mark.realspeech
@pytest.mark.skipif(not _realspeech_wavs(), reason="../shared/realspeech is absent")
def test_realspeech_wavs_decode_exactly():
    """The corpus is 16 kHz mono PCM16: decoding must be lossless and agree with the storage reader."""
    durations = {}
    manifest = REALSPEECH_ASR / "manifest.jsonl"
    for line in manifest.read_text().splitlines():
        item = json.loads(line)
        durations[Path(item["audio"]).name] = item["duration"]
    for path in _realspeech_wavs():
        decoded = decode_audio(path)
        stored, rate = read_pcm16_wav(path)
        assert rate == decoded.info.sample_rate == TARGET_SAMPLE_RATE
        np.testing.assert_array_equal(decoded.mono, stored)
        if path.name in durations:
            assert decoded.duration_s == pytest.approx(durations[path.name], abs=0.01)
