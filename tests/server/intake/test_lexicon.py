"""Reference tokenization and the OOV rate against the CMU Pronouncing Dictionary."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapt_server.intake.lexicon import OovCounter, OovStats, general_english_lexicon, oov_stats, tokenize_reference

REALSPEECH_ASR = Path(__file__).resolve().parents[3] / ".." / "shared" / "realspeech" / "asr"


def test_tokenization_rules():
    text = "Don’t say 'em: the students' 1,000 MP3s, 3rd well-known O'Clock café ﬁne 42 rock'n'roll_x"
    assert tokenize_reference(text) == [
        "don't", "say", "em", "the", "students", "mp3s", "3rd", "well", "known", "o'clock", "café", "fine",
        "rock'n'roll", "x",
    ]
    assert tokenize_reference("1813 5 3.14 -- !!") == []
    assert tokenize_reference("") == []


def test_cmu_lexicon_is_loaded_once_and_large():
    lexicon = general_english_lexicon()
    assert lexicon is general_english_lexicon()
    assert 120_000 < len(lexicon) < 140_000
    assert {"hello", "don't", "o'clock", "the"} <= lexicon
    assert "zorblax" not in lexicon


def test_oov_stats_against_cmu():
    stats = oov_stats(["Hello world, hello Zorblax.", "Zorblax and QWXZ met 1999 times; zorblax!"], top_n=5)
    assert stats == OovStats(
        tokens=10, oov_tokens=4, oov_types=2, rate=0.4, top_oov=(("zorblax", 3), ("qwxz", 1))
    )


def test_custom_lexicon_top_n_and_ties():
    stats = oov_stats(["b a c b d"], top_n=2, lexicon=frozenset({"a"}))
    assert (stats.tokens, stats.oov_tokens, stats.oov_types) == (5, 4, 3)
    assert stats.top_oov == (("b", 2), ("c", 1))  # ties break alphabetically
    assert stats.rate == pytest.approx(0.8)


def test_no_tokens_gives_zero_rate():
    assert oov_stats(["123 456", ""]) == OovStats(tokens=0, oov_tokens=0, oov_types=0, rate=0.0, top_oov=())


def test_counter_accumulates_and_merges_like_one_pass():
    texts = ["the quick zorblax", "jumps over qwxz", "the lazy zorblax dog", "1 2 3"]
    whole = oov_stats(texts)
    first, second = OovCounter(), OovCounter()
    for text in texts[:2]:
        first.add(text)
    for text in texts[2:]:
        second.add(text)
    first.merge(second)
    assert first.result() == whole
    with pytest.raises(ValueError, match="different lexicons"):
        first.merge(OovCounter(frozenset({"the"})))


@pytest.mark.realspeech
@pytest.mark.skipif(not (REALSPEECH_ASR / "manifest.jsonl").is_file(), reason="../shared/realspeech is absent")
def test_realspeech_references_are_almost_all_in_vocabulary():
    texts = [json.loads(line)["text"] for line in (REALSPEECH_ASR / "manifest.jsonl").read_text().splitlines()]
    stats = oov_stats(texts)
    assert stats.tokens > 400  # the corpus README counts 465 reference words
    assert stats.rate < 0.02  # read English from LibriSpeech, LJ Speech, Harvard sentences
