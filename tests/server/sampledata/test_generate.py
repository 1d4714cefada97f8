"""The generated calls on disk: layout, determinism, audio format, timing against audio energy, stereo
layout, and ground truth that points at the right words; for the telecom default and for every other domain
(its own ids, vocabulary, voices and channel format)."""
from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import numpy as np
import pytest

from adapt_server.sampledata import CallInfo, generate_calls, spoken
from adapt_server.sampledata.constants import TELEPHONE_FRAME, TELEPHONE_SAMPLE_RATE
from adapt_server.sampledata.domains import DEFAULT_DOMAIN, DOMAIN_NAMES, DOMAINS, get_domain
from adapt_server.sampledata.energy import frame_rms
from adapt_server.sampledata.entities import EntityType
from adapt_server.sampledata.generate import call_id, is_stereo
from adapt_server.sampledata.mulaw_wav import read_wav
from adapt_server.sampledata.tokens import tokenize

RATE = TELEPHONE_SAMPLE_RATE
_DIGIT_WORDS = {word: str(i) for i, word in enumerate("zero one two three four five six seven eight nine".split())}
_DIGIT_WORDS["oh"] = "0"
_DIGIT_STRINGS = {EntityType.PHONE_NUMBER, EntityType.ACCOUNT_NUMBER, EntityType.MEDICAL_RECORD_NUMBER,
                  EntityType.HEALTH_PLAN_NUMBER, EntityType.TRACKING_NUMBER}


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _files(out: Path) -> dict[str, bytes]:
    return {str(path.relative_to(out)): path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file()}


def _db(samples: np.ndarray) -> float:
    return 10 * np.log10(np.mean(np.square(samples.astype(np.float64) / 32768.0)) + 1e-20)


def _calls(out: Path, infos: list[CallInfo]):
    for info in infos:
        yield (info, _json(info.transcript_path)["segments"], read_wav(info.audio_path).samples,
               _json(out / "truth" / f"{info.id}.words.json"), _json(out / "truth" / f"{info.id}.entities.json"))


def test_layout_ids_and_call_info(train_calls):
    out, infos = train_calls
    assert [info.id for info in infos] == ["call_train_s11_0001", "call_train_s11_0002", "call_train_s11_0003"]
    assert [info.stereo for info in infos] == [False, False, True]
    for info in infos:
        for path in (f"calls/{info.id}.wav", f"calls/{info.id}.json", f"truth/{info.id}.rttm",
                     f"truth/{info.id}.entities.json", f"truth/{info.id}.words.json"):
            assert (out / path).is_file(), path
        assert info.audio_path == out / "calls" / f"{info.id}.wav"
        assert info.speakers == ("agent", "customer") and info.split == "train"
        assert info.n_turns == len(_json(info.transcript_path)["segments"])
    assert generate_calls(out / "seed0", n_calls=1)[0].id == "call_train_0001"


def test_audio_is_8khz_mu_law_and_matches_call_info(train_calls):
    _, infos = train_calls
    for info in infos:
        header = info.audio_path.read_bytes()[:24]
        assert header[:4] == b"RIFF" and header[8:12] == b"WAVE"
        assert int.from_bytes(header[20:22], "little") == 7  # WAVE_FORMAT_MULAW
        decoded = read_wav(info.audio_path)
        assert decoded.codec == "pcm_mulaw" and decoded.sample_rate == RATE
        assert decoded.samples.shape[0] == (2 if info.stereo else 1)
        assert decoded.samples.shape[1] / RATE == pytest.approx(info.duration_s, abs=1e-3)
        assert 30.0 <= info.duration_s <= 90.0


def test_same_arguments_give_byte_identical_files(train_calls, tmp_path):
    out, _ = train_calls
    again = tmp_path / "again"
    generate_calls(again, n_calls=3, seed=11, split="train", stereo_share=1 / 3)
    assert _files(again) == {name: data for name, data in _files(out).items() if not name.startswith("seed0")}


def test_a_call_depends_only_on_seed_split_and_index(train_calls, tmp_path):
    out, infos = train_calls
    generate_calls(tmp_path, n_calls=1, seed=11, split="train", stereo_share=1 / 3)
    assert (tmp_path / "calls" / f"{infos[0].id}.wav").read_bytes() == infos[0].audio_path.read_bytes()
    other = generate_calls(tmp_path / "other", n_calls=1, seed=12, split="train")[0]
    assert other.audio_path.read_bytes() != infos[0].audio_path.read_bytes()


def test_transcripts_are_words_without_digits(train_calls, holdout_calls):
    for out, infos in (train_calls, holdout_calls):
        for _, segments, _, words, _ in _calls(out, infos):
            for segment, turn in zip(segments, words["turns"]):
                assert segment["text"] == turn["text"]
                assert not any(char.isdigit() for char in segment["text"]), segment["text"]
                assert segment["role"] in ("agent", "customer") and segment["speaker"].startswith(("train-", "holdout-"))


def _loudest_frame_db(samples: np.ndarray) -> float:
    """dBFS of the loudest 10 ms frame."""
    return 20 * np.log10(frame_rms(samples / 32768.0, TELEPHONE_FRAME).max() + 1e-12)


def test_turns_sit_inside_the_audio_where_the_speech_is(train_calls, holdout_calls):
    for out, infos in (train_calls, holdout_calls):
        for info, segments, audio, _, _ in _calls(out, infos):
            line = audio.astype(np.float64).sum(axis=0)  # both channels of a stereo call
            ends = [0.0] + [s["end"] for s in segments]
            for previous_end, segment in zip(ends, segments):
                start, end = round(segment["start"] * RATE), round(segment["end"] * RATE)
                assert previous_end * RATE <= start < end <= line.shape[0], (info.id, segment)
                gap_db = _db(line[round(previous_end * RATE) + 240 : start - 240])  # the pause before the turn
                where = f"{info.id}: {segment['text']!r}"
                assert gap_db < -50 and _db(line[start:end]) - gap_db > 25, where
                # speech right at both edges of the turn, only line noise just outside them
                assert _loudest_frame_db(line[start : start + 400]) > gap_db + 6, f"no speech at the start of {where}"
                assert _loudest_frame_db(line[end - 400 : end]) > gap_db + 6, f"no speech at the end of {where}"
                assert _loudest_frame_db(line[start - 800 : start - 80]) < gap_db + 4, f"speech before {where}"
                assert _loudest_frame_db(line[end + 80 : end + 800]) < gap_db + 4, f"speech after {where}"


def test_stereo_calls_put_the_agent_left_and_the_customer_right(longest_call):
    out, info = longest_call
    audio = read_wav(info.audio_path).samples
    assert info.stereo and audio.shape[0] == 2
    for segment in _json(info.transcript_path)["segments"]:
        start, end = round(segment["start"] * RATE), round(segment["end"] * RATE)
        left, right = _db(audio[0, start:end]), _db(audio[1, start:end])
        talking, silent = (left, right) if segment["role"] == "agent" else (right, left)
        assert talking - silent > 25 and silent < -45, segment


def test_rttm_repeats_the_sidecar_turns(train_calls):
    out, infos = train_calls
    for info in infos:
        lines = (out / "truth" / f"{info.id}.rttm").read_text().splitlines()
        segments = _json(info.transcript_path)["segments"]
        assert len(lines) == len(segments)
        for line, segment in zip(lines, segments):
            fields = line.split()
            assert fields[0] == "SPEAKER" and fields[1] == info.id and fields[7] == segment["speaker"]
            assert float(fields[3]) == pytest.approx(segment["start"], abs=1e-3)
            assert float(fields[3]) + float(fields[4]) == pytest.approx(segment["end"], abs=2e-3)


def _written_from_spoken(entity: dict) -> str:
    """Re-derive an entity's canonical value from its spoken words, independently of the generator."""
    kind, words = entity["type"], [token.text for token in tokenize(entity["text"])]
    if kind in _DIGIT_STRINGS:
        return "".join(_DIGIT_WORDS[word] for word in words)
    if kind == EntityType.EMAIL_ADDRESS:
        symbols = {"dot": ".", "at": "@", "underscore": "_", **_DIGIT_WORDS}
        return "".join(symbols.get(word, word) for word in words)
    return entity["text"]


def _spoken_from_written(entity: dict) -> str:
    kind, value = entity["type"], entity["value"]
    if kind == EntityType.DATE_OF_BIRTH:
        born = datetime.date.fromisoformat(value)
        candidates = {spoken.full_date(born), spoken.full_date(born, day_first=True)}
        return entity["text"].lower() if entity["text"].lower() in candidates else sorted(candidates)[0]
    if kind == EntityType.DATE:
        month, day = (int(part) for part in value.strip("-").split("-"))
        return spoken.month_day(datetime.date(2026, month, day))
    if kind == EntityType.MONEY:
        dollars, cents = value.lstrip("$").split(".")
        return spoken.money(int(dollars) * 100 + int(cents))
    if kind == EntityType.ADDRESS:
        house, street, unit, town = re.fullmatch(r"(\d+) (.+?)(?:, Apt (\d+))?, (.+)", value).groups()
        apartment = f", apartment {spoken.cardinal(int(unit))}" if unit else ""
        return f"{spoken.pair_number(int(house))} {street}{apartment}, {town}".lower()
    return entity["text"].lower()


def _check_entities(out: Path, infos: list[CallInfo]) -> set[str]:
    """Assert that every entity of the calls points at its words and times and that its canonical value is
    what its words say; returns the entity types seen."""
    seen = set()
    for info, segments, _, words, entities in _calls(out, infos):
        assert entities["entities"], info.id
        for entity in entities["entities"]:
            seen.add(entity["type"])
            turn, timed = segments[entity["turn"]], words["turns"][entity["turn"]]
            assert turn["role"] == entity["speaker"]
            assert turn["text"][entity["char_start"]:entity["char_end"]] == entity["text"]
            covered = [timed["words"][i] for i in entity["word_indices"]]
            assert [w["word"] for w in covered] == [t.text for t in tokenize(entity["text"])]
            assert entity["start"] == covered[0]["start"] and entity["end"] == covered[-1]["end"]
            assert turn["start"] - 1e-4 <= entity["start"] < entity["end"] <= turn["end"] + 1e-4
            if entity["type"] in _DIGIT_STRINGS | {EntityType.EMAIL_ADDRESS}:
                assert _written_from_spoken(entity) == entity["value"], entity
            else:
                assert entity["text"].lower() == _spoken_from_written(entity), entity
            assert entity["pii"] == (entity["type"] not in ("MONEY", "PRODUCT", "ORGANIZATION"))
    return seen


def test_entities_point_at_their_words_and_times(longest_call, train_calls):
    seen = _check_entities(longest_call[0], [longest_call[1]]) | _check_entities(*train_calls)
    assert seen == {str(kind) for kind in get_domain("telecom").entity_types}


def test_word_times_are_ordered_inside_their_turn_and_on_speech(longest_call):
    out, info = longest_call
    audio = read_wav(info.audio_path).samples.astype(np.float64).sum(axis=0)
    words = _json(out / "truth" / f"{info.id}.words.json")
    floor_db = _db(audio[: round(words["turns"][0]["start"] * RATE) - 80])
    for turn in words["turns"]:
        assert [w["word"] for w in turn["words"]] == [t.text for t in tokenize(turn["text"])]
        times = [(w["start"], w["end"]) for w in turn["words"]]
        assert all(start <= end for start, end in times)
        assert all(a[1] <= b[0] + 1e-4 for a, b in zip(times, times[1:]))
        assert turn["start"] - 1e-4 <= times[0][0] and times[-1][1] <= turn["end"] + 1e-4
        for word in turn["words"]:
            if word["end"] - word["start"] >= 0.05:
                piece = audio[round(word["start"] * RATE) : round(word["end"] * RATE)]
                assert _db(piece) > floor_db + 15, (turn["text"], word)


def test_holdout_calls_share_no_sentence_and_no_voice_with_train_calls(train_calls, holdout_calls):
    def sentences_and_voices(out, infos):
        sentences, voices = set(), set()
        for _, segments, _, words, _ in _calls(out, infos):
            voices |= set(words["voices"].values())
            for segment in segments:
                sentences |= {s.strip().lower() for s in re.split(r"(?<=[.?!])\s", segment["text"]) if s.strip()}
        return sentences, voices

    train_sentences, train_voices = sentences_and_voices(*train_calls)
    holdout_sentences, holdout_voices = sentences_and_voices(*holdout_calls)
    assert not train_sentences & holdout_sentences
    assert not train_voices & holdout_voices
    assert all(voice.startswith("holdout-") for voice in holdout_voices)


def test_bad_arguments_are_refused_before_writing(tmp_path):
    for kwargs, message in (({"split": "dev"}, "unknown split"), ({"stereo_share": 1.5}, "between 0 and 1"),
                            ({"n_calls": -1}, "n_calls"), ({"min_turns": 40, "max_turns": 50}, "overlap")):
        with pytest.raises(ValueError, match=message):
            generate_calls(tmp_path / "bad", **kwargs)
    assert not (tmp_path / "bad" / "calls").exists() or not list((tmp_path / "bad" / "calls").iterdir())


def test_call_ids_name_split_seed_and_index():
    assert call_id("train", 0, 1) == "call_train_0001"
    assert call_id("holdout", 7, 12) == "call_holdout_s7_0012"


def test_stereo_share_is_spread_evenly_and_exactly():
    assert [is_stereo(i, 0.5) for i in range(1, 7)] == [False, True, False, True, False, True]
    assert sum(is_stereo(i, 0.3) for i in range(1, 11)) == 3
    assert not any(is_stereo(i, 0.0) for i in range(1, 20))
    assert all(is_stereo(i, 1.0) for i in range(1, 20))


NEW_DOMAINS = [name for name in DOMAIN_NAMES if name != DEFAULT_DOMAIN]


def test_the_default_domain_is_telecom_with_the_ids_and_bytes_it_always_had(train_calls, tmp_path):
    out, infos = train_calls
    explicit = generate_calls(tmp_path, n_calls=1, seed=11, split="train", domain="telecom")[0]
    assert explicit.id == infos[0].id == "call_train_s11_0001" and explicit.domain == "telecom"
    assert explicit.audio_path.read_bytes() == infos[0].audio_path.read_bytes()
    assert explicit.sample_rate == RATE


def test_domain_call_ids_name_the_domain_after_the_split():
    assert call_id("train", 0, 1, "clinic") == "call_train_clinic_0001"
    assert call_id("holdout", 7, 12, "bank") == "call_holdout_bank_s7_0012"
    assert call_id("holdout", 7, 12, "telecom") == call_id("holdout", 7, 12) == "call_holdout_s7_0012"


def test_domains_share_a_folder_without_clashing(domain_calls, tmp_path):
    out = next(iter(domain_calls.values()))[0]
    ids = [info.id for _, infos in domain_calls.values() for info in infos]
    assert len(ids) == len(set(ids)) == 3 * len(NEW_DOMAINS)
    assert {path.stem for path in (out / "calls").glob("*.wav")} == set(ids)
    for name, (_, infos) in domain_calls.items():
        assert [info.id for info in infos] == [f"call_train_{name}_s3_0001", f"call_train_{name}_s3_0002",
                                               f"call_holdout_{name}_s3_0001"]
        assert all(info.domain == name for info in infos)


@pytest.mark.parametrize("name", NEW_DOMAINS)
def test_domain_audio_is_written_in_the_domain_channel_format(domain_calls, name):
    channel = get_domain(name).channel
    for info in domain_calls[name][1]:
        header = info.audio_path.read_bytes()[:24]
        assert int.from_bytes(header[20:22], "little") == (7 if channel.codec == "pcm_mulaw" else 1)  # mu-law / PCM
        decoded = read_wav(info.audio_path)
        assert decoded.codec == channel.codec and decoded.sample_rate == channel.sample_rate == info.sample_rate
        assert decoded.samples.shape == (2 if info.stereo else 1, round(info.duration_s * channel.sample_rate))
        assert 30.0 <= info.duration_s <= 90.0


@pytest.mark.parametrize("name", NEW_DOMAINS)
def test_domain_calls_are_deterministic_and_differ_from_telecom(domain_calls, name, tmp_path):
    first = domain_calls[name][1][0]
    again = generate_calls(tmp_path, n_calls=1, seed=3, split="train", stereo_share=0.5, min_turns=9, max_turns=10,
                           domain=name)[0]
    for made, remade in ((first.audio_path, again.audio_path), (first.transcript_path, again.transcript_path)):
        assert made.read_bytes() == remade.read_bytes()
    telecom = generate_calls(tmp_path, n_calls=1, seed=3, split="train", min_turns=9, max_turns=10)[0]
    assert _json(telecom.transcript_path) != _json(first.transcript_path)


@pytest.mark.parametrize("name", NEW_DOMAINS)
def test_domain_transcripts_speak_the_domain_vocabulary_and_voices(domain_calls, name):
    domain = get_domain(name)
    others = set().union(*(other.vocabulary for other in DOMAINS.values() if other is not domain))
    for info, segments, _, words, _ in _calls(*domain_calls[name]):
        text = " ".join(segment["text"] for segment in segments)
        assert any(term in text for term in domain.vocabulary), (info.id, text)
        assert not [term for term in others if term in text], info.id
        assert not any(char.isdigit() for char in text)
        assert all(segment["speaker"].startswith(f"{name}-{info.split}-") for segment in segments)
        assert set(words["voices"].values()) <= {voice.voice_id for voice in domain.voices[info.split]}
        assert all(turn["template_id"].startswith(f"{name}.{info.split}.") for turn in words["turns"])


@pytest.mark.parametrize("name", NEW_DOMAINS)
def test_domain_holdout_sentences_are_not_in_its_train_templates(domain_calls, name):
    bank = get_domain(name).dialogue.templates["train"]
    train_wording = " ".join(re.sub(r"\{\w+\}", " ", template) for templates in bank.values() for template in templates)
    train_wording = " ".join(train_wording.split()).lower()
    for info, segments, _, _, _ in _calls(*domain_calls[name]):
        if info.split == "holdout":
            for segment in segments:
                for sentence in re.split(r"(?<=[.?!])\s", segment["text"]):
                    words = sentence.strip().lower().split()
                    if len(words) >= 4:  # a short reply ("Sure, it's ...") is no sentence of its own
                        assert " ".join(words) not in train_wording, sentence


@pytest.mark.parametrize("name", NEW_DOMAINS)
def test_domain_entities_point_at_their_words_and_are_of_the_domain_kinds(domain_calls, name):
    seen = _check_entities(*domain_calls[name])
    assert seen <= {str(kind) for kind in get_domain(name).entity_types}


@pytest.mark.parametrize("name", NEW_DOMAINS)
def test_domain_turns_sit_on_speech_above_the_channel_floor(domain_calls, name):
    """The line is noisier than telecom's (babble, a mobile or VoIP link) and a room rings on, so the check is a
    margin over the floor before the first turn, not silence around each turn."""
    for info, segments, audio, words, _ in _calls(*domain_calls[name]):
        rate = info.sample_rate
        line = audio.astype(np.float64).sum(axis=0)
        floor_db = _db(line[: round(segments[0]["start"] * rate) - rate // 20])
        assert floor_db < -35, info.id
        for segment in segments:
            start, end = round(segment["start"] * rate), round(segment["end"] * rate)
            assert 0 < start < end <= line.shape[0]
            assert _db(line[start:end]) - floor_db > 12, (info.id, segment["text"])
        for turn in words["turns"]:
            times = [(w["start"], w["end"]) for w in turn["words"]]
            assert all(a[1] <= b[0] + 1e-4 for a, b in zip(times, times[1:]))
            assert turn["start"] - 1e-4 <= times[0][0] and times[-1][1] <= turn["end"] + 1e-4


def test_an_unknown_domain_is_refused_before_writing(tmp_path):
    with pytest.raises(ValueError, match="unknown domain 'dentist'; use one of telecom, clinic, bank, logistics"):
        generate_calls(tmp_path / "bad", n_calls=1, domain="dentist")
    assert not (tmp_path / "bad").exists()
