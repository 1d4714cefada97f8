"""Sidecar transcripts (.json/.srt/.vtt/.txt) and RTTM speaker references."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapt_server.intake.transcripts import (
    Transcript,
    TranscriptError,
    find_rttm,
    find_sidecar,
    parse_rttm,
    parse_rttm_text,
    parse_transcript,
)
from adapt_server.spans import Segment, SpeakerTurn

REALSPEECH_DIAR = Path(__file__).resolve().parents[3] / ".." / "shared" / "realspeech" / "diar"


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------------ lookup


def test_find_sidecar_prefers_json_srt_vtt_txt(tmp_path):
    audio = write(tmp_path / "call.wav", b"RIFF")
    assert find_sidecar(audio) is None
    for extension in (".txt", ".vtt", ".srt", ".json"):
        write(tmp_path / f"call{extension}", "x")
        assert find_sidecar(audio) == tmp_path / f"call{extension}"
    write(tmp_path / "other.json", "x")
    assert find_sidecar(tmp_path / "call.wav") == tmp_path / "call.json"


def test_find_sidecar_matches_the_full_stem_and_upper_case(tmp_path):
    write(tmp_path / "call.2024-01-02.SRT", "x")
    assert find_sidecar(tmp_path / "call.2024-01-02.mp3") == tmp_path / "call.2024-01-02.SRT"
    assert find_sidecar(tmp_path / "call.mp3") is None


def test_find_rttm(tmp_path):
    assert find_rttm(tmp_path / "a.wav") is None
    write(tmp_path / "a.rttm", "")
    assert find_rttm(tmp_path / "a.wav") == tmp_path / "a.rttm"


# ------------------------------------------------------------------------------------------------ txt, json


def test_txt_is_one_untimed_segment(tmp_path):
    transcript = parse_transcript(write(tmp_path / "a.txt", "\ufeffHello  there,\n\nGeneral Kenobi.\n"))
    assert transcript == Transcript("txt", (Segment(None, None, "Hello there, General Kenobi."),))
    assert transcript.text == "Hello there, General Kenobi."
    assert not transcript.is_timed
    assert parse_transcript(write(tmp_path / "blank.txt", "  \n")).segments == ()


def test_json_text_only(tmp_path):
    transcript = parse_transcript(write(tmp_path / "a.json", json.dumps({"text": " ask not ", "language": "en"})))
    assert transcript.segments == (Segment(None, None, "ask not"),)


def test_json_whisper_output(tmp_path):
    whisper = {
        "text": " Hello there. Hi.",
        "segments": [
            {"id": 0, "seek": 0, "start": 0.0, "end": 1.5, "text": " Hello there.", "tokens": [1, 2], "words": []},
            {"id": 1, "seek": 0, "start": 1.5, "end": 2.25, "text": " Hi."},
            {"id": 2, "seek": 0, "start": 2.25, "end": 2.5, "text": "  "},
        ],
        "language": "en",
    }
    transcript = parse_transcript(write(tmp_path / "a.json", json.dumps(whisper)))
    assert transcript.format == "json"
    assert transcript.segments == (Segment(0.0, 1.5, "Hello there."), Segment(1.5, 2.25, "Hi."))
    assert transcript.is_timed


def test_json_whisperx_list_with_speakers(tmp_path):
    segments = [
        {"start": 0.5, "end": 2.0, "text": "How can I help?", "speaker": "SPEAKER_00"},
        {"start": 2.1, "end": 3.0, "text": "My card is blocked.", "speaker": "SPEAKER_01"},
        {"start": 3.2, "end": 4.0, "text": "Let me look."},
        {"start": None, "end": None, "text": "untimed", "speaker": 2},
    ]
    transcript = parse_transcript(write(tmp_path / "a.json", json.dumps(segments)))
    assert [s.speaker for s in transcript.segments] == ["SPEAKER_00", "SPEAKER_01", None, "2"]
    assert transcript.speakers == ("SPEAKER_00", "SPEAKER_01", "2")
    assert not transcript.is_timed


@pytest.mark.parametrize(
    "document, message",
    [
        ('{"segments": [{"start": 0, "end": 1}]}', r"segments\[0\]: 'text' must be a string"),
        ('[{"start": "0:01", "end": 2, "text": "x"}]', r"\[0\]: 'start' must be seconds"),
        ('[{"start": 3, "end": 2, "text": "x"}]', r"\[0\]: Segment ends before it starts"),
        ('[{"start": 1, "end": 2, "text": "x"}, "oops"]', r"\[1\]: a segment must be an object"),
        ('{"segments": {"text": "x"}}', "'segments' must be a list"),
        ('{"language": "en"}', r"expected .* with keys \['language'\]"),
        ('{"text": "x",\n "segments": [}', r"a\.json:2: invalid JSON"),
    ],
)
def test_json_errors_name_file_and_place(tmp_path, document, message):
    path = write(tmp_path / "a.json", document)
    with pytest.raises(TranscriptError, match=message) as raised:
        parse_transcript(path)
    assert str(path) in str(raised.value)


# ------------------------------------------------------------------------------------------------ srt


SRT = """\ufeff1
00:00:01,000 --> 00:00:02,500
<i>Hello</i> there,
General Kenobi.

2
00:00:03,250 --> 00:00:04,000 X1:100 X2:200 Y1:10 Y2:20
{\\an8}[SPEAKER_01]: You are a bold one &amp; more.

3
01:00:00,000 --> 01:00:01,5
Late.

"""


def test_srt(tmp_path):
    transcript = parse_transcript(write(tmp_path / "a.srt", SRT))
    assert transcript.format == "srt"
    assert transcript.segments == (
        Segment(1.0, 2.5, "Hello there, General Kenobi."),
        Segment(3.25, 4.0, "You are a bold one & more.", "SPEAKER_01"),
        Segment(3600.0, 3601.5, "Late."),
    )


def test_srt_windows_1252_and_crlf(tmp_path):
    text = "1\r\n00:00:00,000 --> 00:00:01,000\r\nCaf\xe9 au lait\r\n"
    transcript = parse_transcript(write(tmp_path / "a.srt", text.encode("cp1252")))
    assert transcript.segments == (Segment(0.0, 1.0, "Café au lait"),)


def test_srt_utf16(tmp_path):
    text = "1\n00:00:00,000 --> 00:00:01,000\nnaïve\n"
    assert parse_transcript(write(tmp_path / "a.srt", text.encode("utf-16"))).text == "naïve"


@pytest.mark.parametrize(
    "text, message",
    [
        ("1\n00:00:01,000 -> 00:00:02,000\nhi\n", r"a\.srt:2: expected an SRT timing line"),
        ("1\n00:00:01,000 --> 00:00:02,000\nhi\n\n2\nhello\n", r"a\.srt:6: expected an SRT timing line"),
        ("1\n00:00:05,000 --> 00:00:02,000\nhi\n", r"a\.srt:1: Segment ends before it starts"),
    ],
)
def test_srt_errors(tmp_path, text, message):
    with pytest.raises(TranscriptError, match=message):
        parse_transcript(write(tmp_path / "a.srt", text))


def test_undecodable_bytes(tmp_path):
    with pytest.raises(TranscriptError, match=r"a\.srt:2: not UTF-8"):
        parse_transcript(write(tmp_path / "a.srt", b"1\n\x81\x8d\x8f bad\n"))


# ------------------------------------------------------------------------------------------------ vtt


VTT = """WEBVTT - call 42
Kind: captions

NOTE this block is a comment
--> with an arrow in it? no, NOTE blocks are skipped

STYLE
::cue { color: white }

intro
00:01.000 --> 00:02.500 align:start position:10%
<v Roger Bingham>We are in New York City</v>

00:00:03.000 --> 00:00:05.000
<v.loud Neil deGrasse Tyson>Yes.</v>
<v Roger Bingham>And <c.highlight>this</c> is <00:00:04.000>it &gt; all</v>

01:00:00.000 --> 01:00:01.000
no voice here
"""


def test_vtt_with_voices(tmp_path):
    transcript = parse_transcript(write(tmp_path / "a.vtt", VTT))
    assert transcript.format == "vtt"
    assert transcript.segments == (
        Segment(1.0, 2.5, "We are in New York City", "Roger Bingham"),
        Segment(3.0, 5.0, "Yes.", "Neil deGrasse Tyson"),
        Segment(3.0, 5.0, "And this is it > all", "Roger Bingham"),
        Segment(3600.0, 3601.0, "no voice here"),
    )
    assert transcript.speakers == ("Roger Bingham", "Neil deGrasse Tyson")


@pytest.mark.parametrize(
    "text, message",
    [
        ("1\n00:01.000 --> 00:02.000\nhi\n", r"a\.vtt:1: a WebVTT file must start with 'WEBVTT'"),
        ("", r"a\.vtt:1: a WebVTT file must start with 'WEBVTT', got 'an empty file'"),
        ("WEBVTT\n00:01.000 --> 00:02.000\nhi\n", r"a\.vtt:2: a blank line must separate"),
        ("WEBVTT\n\ncue-1\n00:01,000 --> 00:02,000\nhi\n", r"a\.vtt:4: expected a WebVTT timing line"),
    ],
)
def test_vtt_errors(tmp_path, text, message):
    with pytest.raises(TranscriptError, match=message):
        parse_transcript(write(tmp_path / "a.vtt", text))


def test_unsupported_extension_and_missing_file(tmp_path):
    with pytest.raises(TranscriptError, match="unsupported transcript extension"):
        parse_transcript(write(tmp_path / "a.docx", "x"))
    with pytest.raises(FileNotFoundError, match="b.srt"):
        parse_transcript(tmp_path / "b.srt")


# ------------------------------------------------------------------------------------------------ rttm


RTTM = """;; a comment
SPEAKER call 1 3.5 1.25 <NA> <NA> agent <NA> <NA>
SPEAKER call 1 0.000 2.000 <NA> <NA> customer <NA> <NA>
SPKR-INFO call 1 <NA> <NA> <NA> unknown agent <NA> <NA>

SPEAKER call 1 1.5 0 <NA> <NA> agent
"""


def test_rttm_turns_sorted():
    assert parse_rttm_text(RTTM) == (
        SpeakerTurn(0.0, 2.0, "customer"),
        SpeakerTurn(1.5, 1.5, "agent"),
        SpeakerTurn(3.5, 4.75, "agent"),
    )


def test_rttm_file_ids(tmp_path):
    mixed = RTTM + "SPEAKER other 1 0.0 1.0 <NA> <NA> x <NA> <NA>\n"
    path = write(tmp_path / "all.rttm", mixed)
    with pytest.raises(TranscriptError, match=r"all\.rttm: SPEAKER lines for several files \['call', 'other'\]"):
        parse_rttm(path)
    assert parse_rttm(path, file_id="other") == (SpeakerTurn(0.0, 1.0, "x"),)
    with pytest.raises(TranscriptError, match="no SPEAKER lines for file id 'nope'"):
        parse_rttm(path, file_id="nope")
    assert parse_rttm_text("") == ()


@pytest.mark.parametrize(
    "line, message",
    [
        ("SPEAKER call 1 0.0 1.0 <NA> <NA>", "at least 8 fields"),
        ("SPEAKER call 1 zero 1.0 <NA> <NA> a <NA> <NA>", "onset must be seconds"),
        ("SPEAKER call 1 0.0 -1.0 <NA> <NA> a <NA> <NA>", "negative turn duration"),
        ("SPEAKER call 1 -2.0 1.0 <NA> <NA> a <NA> <NA>", "SpeakerTurn.start must be finite seconds >= 0"),
    ],
)
def test_rttm_errors_name_the_line(line, message):
    with pytest.raises(TranscriptError, match=f"x.rttm:3: .*{message}"):
        parse_rttm_text(f";; header\n\n{line}\n", source="x.rttm")


@pytest.mark.realspeech
@pytest.mark.skipif(not REALSPEECH_DIAR.is_dir(), reason="../shared/realspeech is absent")
def test_realspeech_rttm_sidecars():
    wavs = sorted(REALSPEECH_DIAR.glob("*.wav"))
    with_reference = [wav for wav in wavs if find_rttm(wav) is not None]
    assert len(with_reference) >= 15
    for wav in with_reference:
        turns = parse_rttm(find_rttm(wav), file_id=wav.stem)
        assert turns, wav
        assert all(turn.end > turn.start for turn in turns)
        assert len({turn.speaker for turn in turns}) >= 1
