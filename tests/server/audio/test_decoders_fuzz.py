"""Fuzzing the decoders with malformed audio: the only exception `decode_audio`, `Linear16Stream` and
`EncodedStream` may let out is AudioDecodeError (the API answers it with INVALID_ARGUMENT), and no case may
run past its time bound (each case runs in a child process; see testkit/audio_fuzz.py).

Deterministic and bounded for CI (a few seconds): exhaustive enumerations (every WAV header field at edge
values, truncation at every offset of a small wav, chunk-structure damage) plus a fixed-seed hypothesis run
over byte-level edits of real mp3, ogg/opus, flac, aac and wav files. `bench/fuzz_bench.py` runs the long
version with a fresh seed.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from testkit.audio_fuzz import (
    EDIT_KINDS,
    Case,
    CaseRunner,
    Edit,
    apply_edits,
    chunk_structure_mutations,
    random_inputs,
    seed_files,
    small_wav,
    truncations,
    wav_field_mutations,
)

ALL_TARGETS = ("decode_audio", "linear16", "encoded")
CASE_TIMEOUT_S = 10.0  # a hang fails the case; valid inputs here take about a millisecond


@pytest.fixture(scope="module")
def runner():
    with CaseRunner(timeout_s=CASE_TIMEOUT_S) as case_runner:
        yield case_runner


def check(runner: CaseRunner, cases) -> int:
    """Runs every case; fails listing each one that let out another exception, hung or killed its process."""
    failures, count = [], 0
    for case in cases:
        count += 1
        outcome = runner.run(case)
        if outcome.kind not in ("ok", "decode_error"):
            failures.append(f"{case.target} <- {case.label} ({len(case.data)} bytes, first 48: "
                            f"{case.data[:48].hex()}): {outcome.kind} {outcome.error_type}\n{outcome.message}")
    assert not failures, f"{len(failures)} of {count} cases escaped:\n\n" + "\n\n".join(failures[:5])
    return count


def test_the_harness_reports_escapes_and_hangs():
    """The checks can fail: a non-AudioDecodeError, a hang and a dead child are each reported."""
    with CaseRunner(timeout_s=1.0) as case_runner:
        assert case_runner.run(Case("bad target", "no-such-target", b"")).kind == "crash"
        assert case_runner.run(Case("garbage", "decode_audio", b"not audio at all")).kind == "decode_error"
        valid = case_runner.run(Case("valid", "decode_audio", small_wav()))
        assert valid.kind == "ok", valid
        assert case_runner.run(Case("sleeps", "harness:hang", b"")).kind == "hang"
        assert case_runner.run(Case("dies", "harness:die", b"")).kind == "died"
        assert case_runner.run(Case("valid again", "decode_audio", small_wav())).kind == "ok"  # a fresh child


@pytest.mark.parametrize("target", ALL_TARGETS)
def test_wav_header_fields_at_edge_values(runner, target):
    cases = [Case(label, target, data, piece=7) for label, data in wav_field_mutations(small_wav())]
    assert check(runner, cases) == 144


@pytest.mark.parametrize("target", ALL_TARGETS)
def test_truncation_at_every_offset_of_a_small_wav(runner, target):
    wav = small_wav()
    stride = 1 if target != "encoded" else 3  # the encoded path starts a thread per case: a little slower
    check(runner, [Case(label, target, data, piece=64) for label, data in truncations(wav, stride)])


@pytest.mark.parametrize("name", sorted(seed_files()))
def test_truncations_of_encoded_files(runner, name):
    data = seed_files()[name]
    cuts = list(truncations(data, stride=max(1, len(data) // 40)))
    check(runner, [Case(f"{name}/{label}", target, cut) for label, cut in cuts
                   for target in ("decode_audio", "encoded")])


@pytest.mark.parametrize("target", ALL_TARGETS)
def test_damaged_riff_chunk_structure(runner, target):
    for piece in (5, 4096):
        check(runner, [Case(label, target, data, piece=piece) for label, data in chunk_structure_mutations(small_wav())])


def test_random_bytes_behind_real_magic_numbers(runner):
    inputs = list(random_inputs(np.random.default_rng(16), 40))
    check(runner, [Case(label, target, data, piece=333, channels=1 + i % 2)
                   for i, (label, data) in enumerate(inputs) for target in ALL_TARGETS + ("decode_audio_lenient",)])


edits = st.builds(
    Edit,
    kind=st.sampled_from(EDIT_KINDS),
    position=st.integers(0, 1 << 16),
    amount=st.integers(0, 64),
    payload=st.binary(min_size=1, max_size=64),
)


@settings(max_examples=250, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(sorted(seed_files())),
       target=st.sampled_from(ALL_TARGETS + ("decode_audio_lenient",)),
       changes=st.lists(edits, min_size=1, max_size=6),
       piece=st.sampled_from([1, 13, 512, 1 << 16]),
       declare_rate=st.booleans())
def test_byte_edits_of_real_files(runner, name, target, changes, piece, declare_rate):
    data = apply_edits(seed_files()[name], changes)
    if piece == 1 and len(data) > 4096:
        piece = 512  # one byte per message costs the harness more than the decoder
    label = f"{name} + {', '.join(map(str, changes))}"
    check(runner, [Case(label, target, data, piece=piece, declare_rate=declare_rate,
                        channels=2 if "stereo" in name else 1, sample_rate=8000 if "8k" in name else 16000)])
