"""The docs' dataset snippet over gRPC against a real `adapt serve`: generated calls in an S3 bucket on a
loopback S3-compatible server (moto, signatures and IAM checked), pipeline diarize + align + redact + split;
stats, speakers, redaction counts, splits, exports; no PII value anywhere; an object that is not audio and a
transcript of other audio are reported. The other bad inputs are in test_datasets_s3.py (quick)."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest
from click.testing import CliRunner

import adapt
from adapt.cli import main as cli
from adapt_server.audio.wav import read_pcm16_wav
from adapt_server.intake.alignment import MIN_ALIGNMENT_SCORE
from testkit.audio import write_audio
from testkit.s3server import serve_bucket
from testkit.servers import ServerProcess

pytestmark = pytest.mark.slow

WAIT_S = 900
BUCKET, PREFIX = "internal", "calls/2026-q1/"
MISMATCH_TEXT = "please ship the blue container to the northern warehouse before friday afternoon"


@pytest.fixture(scope="module")
def calls(tmp_path_factory):
    """Two generated calls (PII in the script, truth files), a clip whose transcript belongs to other audio,
    a clip without transcript,
    a PDF and a corrupt .wav, as they would sit in a bucket."""
    from adapt_server.sampledata import generate_calls
    root = tmp_path_factory.mktemp("generated")
    infos = generate_calls(root, n_calls=2, seed=11, split="train", max_turns=10)
    bucket = root / "bucket"
    bucket.mkdir()
    for info in infos:
        (bucket / info.audio_path.name).write_bytes(info.audio_path.read_bytes())
        (bucket / info.transcript_path.name).write_bytes(info.transcript_path.read_bytes())
    samples, rate = read_pcm16_wav_any(infos[0].audio_path)
    write_audio(bucket / "mismatch.wav", samples[: rate * 6], rate, "wav")
    (bucket / "mismatch.txt").write_text(MISMATCH_TEXT + "\n")
    samples, rate = read_pcm16_wav_any(infos[1].audio_path)
    write_audio(bucket / "untranscribed.wav", samples[: rate * 12], rate, "wav")  # no sidecar: pseudo labels
    (bucket / "notes.pdf").write_bytes(b"%PDF-1.4 meeting notes, not audio")
    (bucket / "broken.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt garbage" * 40)
    truth = {i.id: json.loads((root / "truth" / f"{i.id}.entities.json").read_text()) for i in infos}
    return root, bucket, infos, truth


def read_pcm16_wav_any(path):
    """The generated calls are 8 kHz mu-law WAV: decode with the server's own decoder (first channel, at the
    rate it decodes to: 16 kHz, not the file's own rate - pairing those two once wrote half-speed audio)."""
    from adapt_server.audio.decode import decode_audio
    decoded = decode_audio(path)
    return decoded.samples[0], decoded.sample_rate


@pytest.fixture(scope="module")
def moto(tmp_path_factory, calls):
    _, bucket, _, _ = calls
    server, env = serve_bucket(tmp_path_factory.mktemp("moto"), BUCKET, PREFIX, bucket)
    yield server, env
    server.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory, source_root, moto):
    """`adapt serve` with the reader's keys in its environment (the usual AWS chain) and a profiles file."""
    s3, aws_env = moto
    proc = ServerProcess(tmp_path_factory.mktemp("data") / "adapt-data", [source_root], env=aws_env,
                         extra_args=["--s3-endpoint", s3.endpoint_url]).start()  # the operator's allow-list
    yield proc
    if proc.alive():
        proc.stop()


@pytest.fixture(scope="module")
def client(server):
    with adapt.Client(server.target) as c:
        yield c


def _source(s3, uri=f"s3://{BUCKET}/{PREFIX}", **options):
    return {"type": "s3", "uri": uri, "endpoint_url": s3.endpoint_url, **options}


@pytest.fixture(scope="module")
def s3(moto):
    return moto[0]


@pytest.fixture(scope="module")
def dataset(client, s3):
    """The docs' snippet, on the bucket."""
    dataset = client.datasets.create(name="contact-center-2026q2",
        sources=[_source(s3)],
        pipeline=[{"step": "diarize", "model": "embedded", "num_speakers": 2},  # two parties (docs/datasets.md)
                  {"step": "align", "model": "whisper-tiny.en"},
                  {"step": "redact", "entities": ["pii", "phi"]}, {"step": "split", "holdout": 0.3}])
    client.datasets.wait(dataset.id, timeout=WAIT_S); print(dataset.stats)
    return dataset


def _pii_phrases(truth) -> list[str]:
    """The spoken form of every PII mention, normalized like _normalize."""
    return [_normalize(e["text"]) for doc in truth.values() for e in doc["entities"] if e["pii"]]


def _normalize(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9@.']+", text.lower()))


def test_snippet_ingests_the_bucket_with_every_step(dataset, calls):
    _, _, infos, _ = calls
    assert dataset.state == "SUCCEEDED"
    stats = dataset.stats
    assert stats.recordings == 4 and stats.files_failed == 2
    issues = {i.uri.rsplit("/", 1)[1]: i for i in dataset.file_issues}
    assert issues["notes.pdf"].stage == "source" and "not an audio file" in issues["notes.pdf"].reason
    assert issues["broken.wav"].stage == "decode"
    recordings = {r.source_uri.rsplit("/", 1)[1]: r for r in dataset.recordings()}
    assert all(uri.startswith(f"s3://{BUCKET}/{PREFIX}") for uri in (r.source_uri for r in recordings.values()))
    assert all(r.redacted and r.alignment_score is not None for r in recordings.values())
    # speakers: the reference voices of the calls (dataset-wide labels)
    voices = {s["speaker"] for i in infos for s in json.loads(i.transcript_path.read_text())["segments"]}
    assert stats.speakers >= len(voices)
    assert stats.diarized_recordings == 4
    # alignment: every call aligned well, utterances of at most 30 s with words
    assert stats.aligned_recordings == 4 and stats.aligned_words > 200
    for info in infos:
        assert recordings[info.audio_path.name].alignment_score >= MIN_ALIGNMENT_SCORE
    untranscribed = recordings["untranscribed.wav"]  # pseudo-labelled: transcribed, confident utterances kept
    assert untranscribed.transcript_format == "" and untranscribed.utterances == stats.pseudo_utterances >= 1
    assert stats.pseudo_label_share == stats.pseudo_utterances / stats.utterances
    assert 0 < stats.oov_rate < 0.5


def test_diarization_finds_the_two_parties_of_each_call(client, dataset, calls):
    _, _, infos, _ = calls
    rttm = client.datasets.export(dataset.id, format="rttm")
    by_recording: dict[str, set[str]] = {}
    for line in rttm.splitlines():
        fields = line.split()
        by_recording.setdefault(fields[1], set()).add(fields[7])
    found = [len(by_recording.get(i.audio_path.stem, ())) for i in infos]  # RTTM file id: the file's name
    assert found == [2] * len(infos), found  # num_speakers 2: the agent and the customer
    assert dataset.stats.diarized_speakers >= sum(found)


def test_a_transcript_that_does_not_match_its_audio_is_flagged(dataset):
    mismatch = next(r for r in dataset.recordings() if r.source_uri.endswith("mismatch.wav"))
    assert mismatch.alignment_score < MIN_ALIGNMENT_SCORE
    assert dataset.stats.low_alignment_recordings == 1
    [issue] = [i for i in dataset.file_issues if i.uri.endswith("mismatch.wav")]
    assert issue.stage == "alignment" and "does not seem to match" in issue.reason


def test_redaction_counts_and_no_pii_value_anywhere(client, dataset, calls, server):
    _, _, _, truth = calls
    stats = dataset.stats
    expected_types = {e["type"] for doc in truth.values() for e in doc["entities"] if e["pii"]}
    assert sum(stats.redactions.values()) >= 0.8 * len(_pii_phrases(truth))
    assert {"PERSON", "PHONE_NUMBER"} <= set(stats.redactions) or len(set(stats.redactions) & expected_types) >= 2
    assert stats.redacted_recordings == 4 and stats.redacted_seconds > 1.0
    exported = {f: client.datasets.export(dataset.id, format=f) for f in ("jsonl", "ctm", "rttm", "audit")}
    assert "[PERSON]" in exported["jsonl"]
    events = " ".join(e.message + json.dumps(e.details) for e in client.datasets.watch(dataset.id))
    places = {**exported, "stats": str(stats) + repr(stats), "events": events, "server log": server.log(),
              "file issues": repr(dataset.file_issues)}
    leaked = {where: [p for p in _pii_phrases(truth) if len(p) > 3 and p in _normalize(text)]
              for where, text in places.items()}
    assert not any(leaked.values()), leaked
    audit = [json.loads(line) for line in exported["audit"].splitlines()]
    assert audit and all(set(row) == {"recording_id", "utterance_id", "entity_type", "start", "end"} for row in audit)


def test_redacted_audio_is_muted_over_pii_words(client, dataset, calls):
    _, _, infos, truth = calls
    manifest = [json.loads(line) for line in client.datasets.export(dataset.id, format="jsonl").splitlines()]
    paths = {row["source_uri"].rsplit("/", 1)[1]: row["audio_filepath"] for row in manifest}
    muted = total = 0
    for info in infos:
        redacted, rate = read_pcm16_wav(paths[info.audio_path.name])
        original, orig_rate = read_pcm16_wav_any(info.audio_path)
        assert rate == 16000
        for entity in (e for e in truth[info.id]["entities"] if e["pii"]):
            a, b = int(entity["start"] * rate), int(entity["end"] * rate)
            oa, ob = int(entity["start"] * orig_rate), int(entity["end"] * orig_rate)
            before = float(np.sqrt(np.mean(np.square(original[oa:ob]))))
            after = float(np.sqrt(np.mean(np.square(redacted[a:b]))))
            total += 1
            muted += after < 0.1 * before
    assert total > 5 and muted / total >= 0.9, (muted, total)


def test_splits_are_disjoint_and_exports_follow_them(client, dataset):
    stats = dataset.stats
    assert stats.train_recordings + stats.holdout_recordings == 4
    assert stats.holdout_recordings >= 1 and stats.train_recordings >= 1
    sides = {r.id: r.split for r in dataset.recordings()}
    assert set(sides.values()) == {"train", "holdout"}
    train = [json.loads(line) for line in client.datasets.export(dataset.id, split="train").splitlines()]
    holdout = [json.loads(line) for line in client.datasets.export(dataset.id, split="holdout").splitlines()]
    assert {r["recording_id"] for r in train}.isdisjoint({r["recording_id"] for r in holdout})
    assert all(sides[r["recording_id"]] == "train" for r in train)
    assert len(train) == stats.train_utterances and len(holdout) == stats.holdout_utterances
    for row in train + holdout:
        assert {"audio_filepath", "offset", "duration", "text", "speaker"} <= set(row)
        assert 0 < row["duration"] <= 30.0 and row["text"]
        assert row["pseudo"] == row["source_uri"].endswith("untranscribed.wav")


def test_cli_exports_to_a_file(server, dataset, tmp_path):
    out = tmp_path / "words.ctm"
    result = CliRunner().invoke(cli, ["--target", server.target, "datasets", "export", dataset.id,
                                      "--format", "ctm", "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert lines and all(len(line.split()) == 6 for line in lines)


def test_export_of_an_unknown_format_or_dataset(client, dataset):
    with pytest.raises(adapt.InvalidArgumentError, match="format 'csv'"):
        client.datasets.export(dataset.id, format="csv")
    with pytest.raises(adapt.NotFoundError):
        client.datasets.export("ds_nope")
