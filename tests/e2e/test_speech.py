"""Speech over gRPC against a real server and the bundled whisper-tiny.en: unary, streaming, bad input."""
from __future__ import annotations

import json
import threading
import time

import grpc
import numpy as np
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

import adapt
from adapt._speech import paced
from adapt.v1 import speech_pb2, speech_pb2_grpc
from adapt_server.audio.decode import decode_audio
from testkit.audio import tone, write_audio
from testkit.servers import ServerProcess
from testkit.text import wer

pytestmark = pytest.mark.slow  # starts a real `adapt serve` with its worker processes

RATE = 16000


@pytest.fixture(scope="module")
def calls(tmp_path_factory):
    from adapt_server.sampledata import generate_calls
    root = tmp_path_factory.mktemp("speech-sources")
    infos = generate_calls(root / "gen", n_calls=2, seed=3, split="holdout")
    return root, infos


@pytest.fixture(scope="module")
def server(tmp_path_factory, calls):
    root, _ = calls
    proc = ServerProcess(tmp_path_factory.mktemp("speech-data") / "adapt-data", [root]).start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def client(server):
    with adapt.Client(server.target) as c:
        yield c


def _reference(info) -> str:
    return " ".join(s["text"] for s in json.loads(info.transcript_path.read_text())["segments"])


def _pcm16(path) -> bytes:
    samples = decode_audio(path).samples[0]
    return (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()


def test_transcribe_a_generated_call(client, calls):
    _, infos = calls
    transcript = client.speech.transcribe(infos[0].audio_path)
    assert transcript.model == "whisper-tiny.en"
    assert wer(_reference(infos[0]), transcript.text) < 0.5
    assert abs(transcript.duration_s - infos[0].duration_s) < 0.05
    assert 0 < transcript.realtime_factor < 1 and transcript.processing_s > 0
    words = transcript.words
    assert words and all(0 <= w.start <= w.end <= transcript.duration_s + 0.01 for w in words)
    assert all(0 <= w.confidence <= 1 for w in words)
    assert [w.start for w in words] == sorted(w.start for w in words)
    assert transcript.non_speech, "the pauses between turns are reported as non-speech"


def test_transcribe_real_speech(client, realspeech):
    transcript = client.speech.transcribe(realspeech / "asr" / "whisper_jfk.wav", beam_size=5)
    assert "ask not what your country can do for you" in transcript.text.lower().replace(",", "")


def test_transcribe_a_stored_recording(client, calls):
    root, infos = calls
    dataset = client.datasets.create(name="speech-src", sources=[{"type": "local", "uri": str(root / "gen" / "calls")}])
    dataset.wait(timeout=300)
    recording = dataset.recordings()[0]
    transcript = client.speech.transcribe(recording=(dataset.id, recording.id))
    info = next(i for i in infos if recording.source_uri.endswith(i.audio_path.name))
    assert wer(_reference(info), transcript.text) < 0.5


def test_linear16_with_its_rate(client, calls):
    _, infos = calls
    transcript = client.speech.transcribe(_pcm16(infos[1].audio_path), encoding="linear16", sample_rate_hz=RATE)
    assert wer(_reference(infos[1]), transcript.text) < 0.5


@pytest.mark.parametrize("kwargs, error, fragment", [
    ({"audio": b"this is not audio" * 50}, adapt.InvalidArgumentError, "audio"),
    ({"audio": b""}, adapt.InvalidArgumentError, "empty"),
    ({"audio": "WAV", "model": "no-such-model"}, adapt.NotFoundError, "no-such-model"),
    ({"audio": "WAV", "beam_size": 1000}, adapt.InvalidArgumentError, "beam_size"),
    ({"audio": "WAV", "temperatures": [0.5, 0.1]}, adapt.InvalidArgumentError, "temperatures"),
    ({"audio": "WAV", "compute_type": "int3"}, adapt.InvalidArgumentError, "compute_type"),
    ({"audio": "WAV", "sample_rate_hz": 8000}, adapt.InvalidArgumentError, "16000 Hz but sample_rate_hz declared 8000"),
    ({"audio": "PCM", "encoding": "linear16"}, adapt.InvalidArgumentError, "sample_rate_hz is required"),
    ({"audio": "PCM", "encoding": "linear16", "sample_rate_hz": 3}, adapt.InvalidArgumentError, "sample_rate_hz"),
    ({"audio": "WAV", "deployment_id": "prod-voice"}, adapt.NotFoundError, "deployment 'prod-voice'"),
])
def test_bad_transcribe_requests(client, server, tmp_path, kwargs, error, fragment):
    wav = write_audio(tmp_path / "t.wav", tone(1.0, RATE), RATE, "wav")
    if kwargs.get("audio") == "WAV":
        kwargs["audio"] = wav.read_bytes()
    elif kwargs.get("audio") == "PCM":
        kwargs["audio"] = (tone(1.0, RATE) * 32767).astype("<i2").tobytes()
    with pytest.raises(error, match=fragment):
        client.speech.transcribe(**kwargs)
    assert server.alive()


def test_streaming_gives_interims_then_finals(client, calls):
    _, infos = calls
    pcm = _pcm16(infos[0].audio_path)
    chunks = [pcm[i:i + 3200] for i in range(0, len(pcm), 3200)]  # 100 ms chunks, as fast as possible
    results = list(client.speech.stream(chunks, sample_rate_hz=RATE))
    finals = [r for r in results if r.is_final]
    assert any(not r.is_final for r in results), "interim results come before finals"
    assert len(finals) >= 3, "the pauses between turns end utterances"
    assert [r.utterance_index for r in finals] == list(range(len(finals)))
    assert wer(_reference(infos[0]), " ".join(r.text for r in finals)) < 0.5
    for r in finals:
        assert all(r.start - 0.05 <= w.start <= w.end <= r.end + 0.05 for w in r.words)
    interims = [r for r in results if not r.is_final]
    assert all(r.text.startswith(r.stable_text) for r in interims)


def test_streaming_an_encoded_file(client, calls):
    _, infos = calls
    data = infos[1].audio_path.read_bytes()
    chunks = [data[i:i + 4000] for i in range(0, len(data), 4000)]
    finals = [r for r in client.speech.stream(chunks, encoding="encoded", sample_rate_hz=0) if r.is_final]
    assert wer(_reference(infos[1]), " ".join(r.text for r in finals)) < 0.5


def test_stream_that_ends_before_any_audio(client):
    assert list(client.speech.stream([], sample_rate_hz=RATE)) == []


def _raw_stream(server, messages):
    with grpc.insecure_channel(server.target) as channel:
        return list(speech_pb2_grpc.SpeechStub(channel).StreamingTranscribe(iter(messages), timeout=60))


def test_stream_protocol_errors(server):
    with pytest.raises(grpc.RpcError) as err:
        _raw_stream(server, [])
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "config" in err.value.details()
    with pytest.raises(grpc.RpcError) as err:
        _raw_stream(server, [speech_pb2.StreamingTranscribeRequest(audio=b"\0\0" * 100)])
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "first message" in err.value.details()


@pytest.mark.parametrize("config, audio, code, fragment", [
    (dict(sample_rate_hz=16000, recognition=speech_pb2.RecognitionConfig(model="nope")), b"", "NOT_FOUND", "nope"),
    (dict(sample_rate_hz=0), b"", "INVALID_ARGUMENT", "sample_rate_hz"),
    (dict(sample_rate_hz=8000), "WAV16K", "INVALID_ARGUMENT", "16000 Hz"),
    (dict(sample_rate_hz=8000, encoding=speech_pb2.ENCODED), "WAV16K", "INVALID_ARGUMENT", "16000 Hz"),
    (dict(sample_rate_hz=0, encoding=speech_pb2.ENCODED), b"garbage!" * 4000, "INVALID_ARGUMENT", "audio"),
    (dict(sample_rate_hz=16000, endpoint_silence_s=60), b"", "INVALID_ARGUMENT", "endpoint_silence_s"),
])
def test_bad_streams(server, tmp_path, config, audio, code, fragment):
    if audio == "WAV16K":
        audio = write_audio(tmp_path / "x.wav", tone(2.0, RATE), RATE, "wav").read_bytes()
    messages = [speech_pb2.StreamingTranscribeRequest(config=speech_pb2.StreamingConfig(**config))]
    messages += [speech_pb2.StreamingTranscribeRequest(audio=audio[i:i + 8000]) for i in range(0, len(audio), 8000)]
    with pytest.raises(grpc.RpcError) as err:
        _raw_stream(server, messages)
    assert err.value.code().name == code and fragment in err.value.details()
    assert server.alive()


def test_client_vanishing_mid_stream_frees_the_stream(client, server, calls):
    _, infos = calls
    pcm = _pcm16(infos[0].audio_path)
    stop = threading.Event()

    def endless():
        yield speech_pb2.StreamingTranscribeRequest(config=speech_pb2.StreamingConfig(sample_rate_hz=RATE))
        for offset in range(0, len(pcm), 3200):
            if stop.is_set():
                return
            yield speech_pb2.StreamingTranscribeRequest(audio=pcm[offset:offset + 3200])
            time.sleep(0.02)
        stop.wait(60)

    channel = grpc.insecure_channel(server.target)
    call = speech_pb2_grpc.SpeechStub(channel).StreamingTranscribe(endless())
    next(call)  # the stream is live and producing
    assert client.status().active_streams == 1
    call.cancel()
    channel.close()
    stop.set()
    deadline = time.monotonic() + 10
    while client.status().active_streams and time.monotonic() < deadline:
        time.sleep(0.1)
    assert client.status().active_streams == 0
    with grpc.insecure_channel(server.target) as ch:
        health = health_pb2_grpc.HealthStub(ch).Check(health_pb2.HealthCheckRequest(), timeout=5)
    assert health.status == health_pb2.HealthCheckResponse.SERVING
    finals = [r for r in client.speech.stream([pcm[: RATE * 2 * 6]], sample_rate_hz=RATE) if r.is_final]
    assert finals and all(r.text.strip() for r in finals)  # a new stream still transcribes the call's first words


def test_concurrent_streams_share_one_model(client, server, calls):
    _, infos = calls
    pcms = [_pcm16(info.audio_path)[: RATE * 2 * 20] for info in infos] * 2  # 4 streams, 20 s each
    outputs = [None] * len(pcms)

    def run(i):
        outputs[i] = [r for r in client.speech.stream(paced(pcms[i], RATE, chunk_s=0.1), sample_rate_hz=RATE)
                      if r.is_final]

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(pcms))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert all(out for out in outputs)
    assert [" ".join(r.text for r in outputs[0])] == [" ".join(r.text for r in outputs[2])]
    assert list(client.status().loaded_models) == ["whisper-tiny.en/int8"]


def test_oversized_upload_is_resource_exhausted(client, server):
    with pytest.raises(adapt.ResourceExhaustedError):
        client.speech.transcribe(b"\0" * (65 * 1024 * 1024))
    assert server.alive()
    assert client.status().version
