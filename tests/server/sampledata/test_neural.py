"""Neural voices in the synthetic calls (sampledata/neural.py and its use by render/generate).

Kept short: a 3-turn call spoken by piper-joe (fast) with one Kokoro turn, and one 9-turn "mixed" call whose
neural pool is narrowed to piper-joe.
"""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import jiwer
import numpy as np
import pytest

from adapt_server.audio.encode import resample
from adapt_server.engines.whisper import WhisperEngine
from adapt_server.models.bundled import bundled_model_path
from adapt_server.sampledata import generate, generate_calls
from adapt_server.sampledata.channel import NARROWBAND, WIDEBAND_ROOM
from adapt_server.sampledata.mulaw_wav import read_wav
from adapt_server.sampledata.neural import NOISE_SEED, seeded_piper_graph, synthesize_neural
from adapt_server.sampledata.render import render_call
from adapt_server.sampledata.script import AGENT, CUSTOMER, CallScript, ScriptTurn
from adapt_server.sampledata.voices import (FEMALE, MALE, NEURAL_POOLS, check_pools, neural_voice, pick_call_voices,
                                            pick_partner_voice)
from adapt_server.scoring.text import Normalizer
from adapt_server.tts import catalog

TEXTS = (
    (AGENT, "Thank you for calling, how can I help you today?"),
    (CUSTOMER, "Hi, my internet stopped working this morning."),
    (AGENT, "I am sorry to hear that. Let me check your line."),
)
JOE = neural_voice("holdout", MALE, "piper-joe")
NEZUMI = neural_voice("holdout", FEMALE, "kokoro-jf_nezumi")
# tiny.en on the piper-joe turns of this call through the 8 kHz telephone line, measured: WER 0.0 (21 words);
# the bound leaves room for another CPU's rounding without letting unintelligible audio pass.
MAX_PIPER_TURN_WER = 0.25


def _script(texts=TEXTS) -> CallScript:
    return CallScript("holdout", tuple(ScriptTurn(speaker, "test", f"test.{index}", text, ())
                                       for index, (speaker, text) in enumerate(texts)))


@pytest.fixture(scope="module")
def narrowband_call():
    """A 3-turn call through the 8 kHz telephone line: piper-joe agent, Kokoro jf_nezumi customer."""
    return render_call(_script(), {AGENT: JOE, CUSTOMER: NEZUMI}, np.random.default_rng(5), False, NARROWBAND)


@pytest.fixture(scope="module")
def whisper() -> WhisperEngine:
    return WhisperEngine(bundled_model_path(), "whisper-tiny.en", compute_type="int8")


def _db(samples: np.ndarray) -> float:
    return 10 * np.log10(np.mean((samples / 32768.0) ** 2) + 1e-20)


def test_neural_pools_are_stock_voices_disjoint_between_splits():
    check_pools(NEURAL_POOLS)  # both genders per split, no voice id or stock voice in both splits
    train = {voice.neural for voice in NEURAL_POOLS["train"]}
    holdout = {voice.neural for voice in NEURAL_POOLS["holdout"]}
    assert not train & holdout
    assert train | holdout == set(catalog.stock_voice_ids())  # every stock voice speaks in exactly one split
    assert "piper-joe" in holdout
    for pool in NEURAL_POOLS.values():
        for voice in pool:
            assert voice.espeak is None and voice.variant == voice.neural
            assert voice.gender == (MALE if voice.neural in ("piper-joe", "kokoro-jm_kumo") else FEMALE)


def test_neural_calls_draw_two_different_voices_of_their_split():
    rng = np.random.default_rng(0)
    for split, pool in NEURAL_POOLS.items():
        pairs = [pick_call_voices(rng, split, NEURAL_POOLS) for _ in range(200)]
        assert all(agent != customer and {agent, customer} <= set(pool) for agent, customer in pairs)
        assert {agent for agent, _ in pairs} == set(pool)  # holdout's two voices: each plays both roles
        partners = {pick_partner_voice(rng, split, pool[0]) for _ in range(200)}
        assert partners <= set(pool) and len({v.gender for v in partners}) == 2


def test_seeded_piper_gives_the_same_samples_for_a_seed_and_other_samples_for_another():
    text = "Your account number is four two seven."
    first, again = synthesize_neural(text, "piper-joe", 3), synthesize_neural(text, "piper-joe", 3)
    other = synthesize_neural(text, "piper-joe", 4)
    assert first.sample_rate == 22050 and first.samples.dtype == np.float32 and first.samples.size > 22050
    assert np.array_equal(first.samples, again.samples)
    assert first.samples.shape != other.samples.shape or not np.array_equal(first.samples, other.samples)


def test_a_piper_turn_is_the_same_in_a_fresh_process():
    # the guarantee stock Piper lacks: onnxruntime seeds its RandomNormalLike from the clock in each process
    text, seed = "Please hold while I check.", 11
    code = ("import hashlib; from adapt_server.sampledata.neural import synthesize_neural; "
            f"print(hashlib.sha256(synthesize_neural({text!r}, 'piper-joe', {seed}).samples.tobytes()).hexdigest())")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    here = hashlib.sha256(synthesize_neural(text, "piper-joe", seed).samples.tobytes()).hexdigest()
    assert result.stdout.strip() == here


def test_the_seeded_graph_replaces_every_random_node_with_unit_normal_noise():
    import onnx
    import onnxruntime
    from onnx import TensorProto, helper

    # the seeded noise on its own: a graph whose only node is a RandomNormalLike, seeded like Piper's
    graph = helper.make_graph([helper.make_node("RandomNormalLike", ["x"], ["y"], dtype=TensorProto.FLOAT)], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 192, None])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)])
    seeded = seeded_piper_graph(model.SerializeToString())
    assert not [n for n in onnx.load_from_string(seeded).graph.node if n.op_type.startswith("Random")]
    session = onnxruntime.InferenceSession(seeded, providers=["CPUExecutionProvider"])
    x = np.zeros((1, 192, 400), np.float32)
    a, b = (session.run(None, {"x": x, NOISE_SEED: np.array([seed], np.int64)})[0] for seed in (1, 2))
    assert a.shape == x.shape
    noise = a.ravel()
    assert abs(noise.mean()) < 0.02 and abs(noise.std() - 1.0) < 0.02
    assert abs(np.corrcoef(noise[:-1], noise[1:])[0, 1]) < 0.02  # neighbours uncorrelated
    assert abs(np.corrcoef(noise, b.ravel())[0, 1]) < 0.02  # seeds independent
    assert np.array_equal(a, session.run(None, {"x": x, NOISE_SEED: np.array([1], np.int64)})[0])
    with pytest.raises(ValueError, match="RandomNormalLike"):
        seeded_piper_graph(onnx.load_from_string(seeded).SerializeToString())


def test_a_neural_call_is_at_the_channel_rate_with_turn_times_on_the_speech(narrowband_call):
    call = narrowband_call
    assert call.sample_rate == NARROWBAND.sample_rate and call.channels.dtype == np.int16
    line = call.channels[0].astype(np.float64)
    turns = call.turns
    assert [t.speaker for t in turns] == [AGENT, CUSTOMER, AGENT]
    gaps = [line[a.end_sample + 80: b.start_sample - 80] for a, b in zip(turns, turns[1:])]
    gap_db = max(_db(gap) for gap in gaps)
    for turn in turns:
        speech = line[turn.start_sample:turn.end_sample]
        assert turn.end_s - turn.start_s > 1.0
        assert _db(speech) - gap_db > 25, turn.text  # the turn holds the speech, the pauses only line noise
        assert _db(speech[:400]) > gap_db + 6 and _db(speech[-400:]) > gap_db + 6, turn.text  # speech at both edges
        # approximate word times: in order, inside the turn, one per token
        times = [(w.start_s, w.end_s) for w in turn.words]
        assert len(times) == len(turn.text.split())
        assert all(s <= e for s, e in times) and all(a[1] <= b[0] + 1e-9 for a, b in zip(times, times[1:]))
        assert turn.start_s - 1e-9 <= times[0][0] and times[-1][1] <= turn.end_s + 1e-9


def test_whisper_understands_the_piper_turns_of_a_telephone_call(narrowband_call, whisper):
    call, normalize = narrowband_call, Normalizer()
    line = call.channels[0].astype(np.float32) / 32768.0
    references, hypotheses = [], []
    for turn in call.turns:
        if turn.speaker == AGENT:  # piper-joe
            audio = resample(line[turn.start_sample:turn.end_sample], call.sample_rate, 16000)
            references.append(normalize(turn.text))
            hypotheses.append(normalize(whisper.transcribe(audio).text) or "<empty>")
    assert jiwer.wer(references, hypotheses) <= MAX_PIPER_TURN_WER, hypotheses


def test_a_mixed_call_keeps_the_script_and_the_espeak_party_and_is_reproducible(tmp_path, monkeypatch):
    # narrow the neural pools to piper-joe so the call costs seconds (Kokoro would take about a minute)
    monkeypatch.setattr(generate, "NEURAL_POOLS", {"train": (JOE,), "holdout": (JOE,)})
    kwargs = dict(n_calls=1, seed=2, split="holdout", min_turns=9, max_turns=9, domain="clinic")
    espeak = generate_calls(tmp_path / "espeak", **kwargs)[0]
    mixed = generate_calls(tmp_path / "mixed", voices="mixed", **kwargs)[0]
    again = generate_calls(tmp_path / "again", voices="mixed", **kwargs)[0]
    assert mixed.id == "call_holdout_clinic_mixed_s2_0001" and espeak.id == "call_holdout_clinic_s2_0001"
    assert mixed.voices == "mixed" and mixed.sample_rate == WIDEBAND_ROOM.sample_rate == 16000
    decoded = read_wav(mixed.audio_path)
    assert decoded.sample_rate == 16000 and decoded.samples.shape[1] / 16000 == pytest.approx(mixed.duration_s)
    for relative in (f"calls/{mixed.id}.wav", f"calls/{mixed.id}.json", f"truth/{mixed.id}.words.json"):
        assert (tmp_path / "mixed" / relative).read_bytes() == (tmp_path / "again" / relative).read_bytes()

    plain = json.loads(espeak.transcript_path.read_text())["segments"]
    segments = json.loads(mixed.transcript_path.read_text())["segments"]
    assert [s["text"] for s in segments] == [s["text"] for s in plain]  # the same script, other voices
    speakers = {s["role"]: s["speaker"] for s in segments}
    plain_speakers = {s["role"]: s["speaker"] for s in plain}
    neural_roles = [role for role, voice in speakers.items() if voice == "holdout-piper-joe"]
    assert len(neural_roles) == 1  # one party neural, the other keeps the espeak voice it had
    other = ({AGENT, CUSTOMER} - set(neural_roles)).pop()
    assert speakers[other] == plain_speakers[other]
    words = json.loads((tmp_path / "mixed" / "truth" / f"{mixed.id}.words.json").read_text())
    assert words["voices"] == speakers
    rttm = (tmp_path / "mixed" / "truth" / f"{mixed.id}.rttm").read_text()
    assert "holdout-piper-joe" in rttm


def test_explicit_espeak_is_the_default_and_an_unknown_option_is_refused(tmp_path):
    kwargs = dict(n_calls=1, seed=1, split="train", min_turns=9, max_turns=9, domain="bank")
    default = generate_calls(tmp_path / "default", **kwargs)[0]
    explicit = generate_calls(tmp_path / "explicit", voices="espeak", **kwargs)[0]
    assert default.voices == explicit.voices == "espeak" and default.id == explicit.id == "call_train_bank_s1_0001"
    for name in ("calls", "truth"):
        for path in sorted((tmp_path / "default" / name).iterdir()):
            assert path.read_bytes() == (tmp_path / "explicit" / name / path.name).read_bytes(), path.name
    with pytest.raises(ValueError, match="espeak, neural, mixed"):
        generate_calls(tmp_path / "bad", voices="robot", **kwargs)
    assert not (tmp_path / "bad").exists()
