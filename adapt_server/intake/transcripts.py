"""Sidecar references next to an audio file: transcripts (.json, .srt, .vtt, .txt) and speaker turns (.rttm).

`call.wav` takes its transcript from `call.json`, `call.srt`, `call.vtt` or `call.txt` (the first found, in
that order) and its speaker reference from `call.rttm`.

A sidecar is a file a user put next to the audio, so it is read like the audio (adapt_server/paths.py): a
regular file is used as is; a symlink only when its target is a regular file inside a source root; anything else
(a link out of the roots, a FIFO, a device) is refused with a TranscriptError naming the file, which the ingest
reports as a warning on the recording (ingested without it). Reads never block and stop at MAX_SIDECAR_BYTES.

The parsers are written here rather than taken from pysrt / webvtt-py: the formats are a few lines of grammar,
those libraries skip malformed blocks silently or raise without a line number, and a user fixing a sidecar
needs `file:line: what is wrong`. Every malformed input raises `TranscriptError` with that location.
"""
from __future__ import annotations

import codecs
import html
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from adapt_server.paths import RefusedFile, read_confined, refusal
from adapt_server.spans import Segment, SpeakerTurn

TRANSCRIPT_EXTENSIONS = (".json", ".srt", ".vtt", ".txt")  # sidecar lookup order: the first found wins
RTTM_EXTENSION = ".rttm"
MAX_SIDECAR_BYTES = 32 * 1024 * 1024  # a transcript or RTTM file larger than this is refused (hours of text)


class TranscriptError(ValueError):
    """A sidecar file cannot be read; the message names the file (and line) and what is wrong."""


@dataclass(frozen=True)
class Transcript:
    """A reference transcript: its source format and its segments in file order."""

    format: str  # "json" | "srt" | "vtt" | "txt"
    segments: tuple[Segment, ...]  # in file order; untimed (start = end = None) for .txt and text-only .json

    @property
    def text(self) -> str:
        """All segment texts joined with single spaces."""
        return " ".join(segment.text for segment in self.segments if segment.text)

    @property
    def is_timed(self) -> bool:
        """True when there is at least one segment and every segment has known start and end times."""
        return bool(self.segments) and all(segment.is_timed for segment in self.segments)

    @property
    def speakers(self) -> tuple[str, ...]:
        """Distinct speaker labels in order of first appearance."""
        return tuple(dict.fromkeys(s.speaker for s in self.segments if s.speaker is not None))


def find_sidecar(audio_path: str | Path) -> Path | None:
    """The transcript next to `audio_path` with the same stem (.json > .srt > .vtt > .txt), or None. A candidate
    that may not be read (see the module docstring) is still returned, so that reading it reports why."""
    return _find_with_extensions(Path(audio_path), TRANSCRIPT_EXTENSIONS)


def find_rttm(audio_path: str | Path) -> Path | None:
    """The RTTM speaker reference next to `audio_path` with the same stem, or None (see `find_sidecar`)."""
    return _find_with_extensions(Path(audio_path), (RTTM_EXTENSION,))


def sidecar_refusal(path: str | Path, roots: tuple[Path, ...] | None) -> str | None:
    """Why the sidecar at `path` will not be read (a link out of `roots`, a FIFO, ...), or None. Never opens it."""
    try:
        return refusal(Path(path), roots)
    except FileNotFoundError:
        return "no such sidecar file"


def parse_transcript(path: str | Path, *, roots: tuple[Path, ...] | None = None) -> Transcript:
    """Parse a transcript sidecar; the format comes from the extension (.json, .srt, .vtt, .txt). With `roots`,
    the file must resolve inside one of them (TranscriptError naming it otherwise, as for a FIFO or a device)."""
    path = Path(path)
    parser = _PARSERS.get(path.suffix.lower())
    if parser is None:
        supported = ", ".join(TRANSCRIPT_EXTENSIONS)
        raise TranscriptError(f"{path}: unsupported transcript extension; use one of {supported}")
    text = _read_text(path, roots)
    return Transcript(format=path.suffix.lower().lstrip("."), segments=tuple(parser(text, str(path))))


def parse_rttm(path: str | Path, *, file_id: str | None = None,
               roots: tuple[Path, ...] | None = None) -> tuple[SpeakerTurn, ...]:
    """Speaker turns of an RTTM file, sorted by start; see `parse_rttm_text` (and `parse_transcript` for roots)."""
    path = Path(path)
    return parse_rttm_text(_read_text(path, roots), file_id=file_id, source=str(path))


def parse_rttm_text(text: str, *, file_id: str | None = None, source: str = "<rttm>") -> tuple[SpeakerTurn, ...]:
    """Speaker turns (sorted by start, end) from RTTM text: `SPEAKER <file> <chnl> <tbeg s> <tdur s> <NA> <NA>
    <speaker> <NA> <NA>` per line. Other record types and `;;`/`#` comments are skipped.

    With `file_id`, only that file's lines are kept (TranscriptError if the file has none while others are
    present); without it, all SPEAKER lines must name the same file.
    """
    turns_by_file: dict[str, list[SpeakerTurn]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields or fields[0].startswith((";;", "#")) or fields[0] != "SPEAKER":
            continue
        where = f"{source}:{number}"
        if len(fields) < 8:
            raise TranscriptError(
                f"{where}: an RTTM SPEAKER line needs at least 8 fields "
                f"(SPEAKER file channel onset duration <NA> <NA> speaker), got {len(fields)}: {line.strip()!r}"
            )
        onset = _parse_seconds(fields[3], "onset", where)
        duration = _parse_seconds(fields[4], "duration", where)
        if duration < 0:
            raise TranscriptError(f"{where}: negative turn duration {fields[4]} s")
        turn = _make_span(SpeakerTurn, where, start=onset, end=onset + duration, speaker=fields[7])
        turns_by_file.setdefault(fields[1], []).append(turn)
    if file_id is not None:
        if turns_by_file and file_id not in turns_by_file:
            raise TranscriptError(f"{source}: no SPEAKER lines for file id {file_id!r}; it has {sorted(turns_by_file)}")
        turns = turns_by_file.get(file_id, [])
    elif len(turns_by_file) > 1:
        raise TranscriptError(
            f"{source}: SPEAKER lines for several files {sorted(turns_by_file)}; pass file_id to choose one"
        )
    else:
        turns = next(iter(turns_by_file.values()), [])
    return tuple(sorted(turns, key=lambda turn: (turn.start, turn.end, turn.speaker)))


# ---------------------------------------------------------------------------------------------------- formats


def _parse_txt(text: str, source: str) -> Iterator[Segment]:
    """A whole-recording transcript: one untimed segment (none when the file is blank)."""
    words = " ".join(text.split())
    if words:
        yield Segment(start=None, end=None, text=words)


def _parse_json(text: str, source: str) -> Iterator[Segment]:
    """{"text": ...}, {"segments": [...]} (whisper / whisperX output) or a bare list of segments, each
    {"start": s, "end": s, "text": ..., "speaker"?: ...}; start/end may be absent or null."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise TranscriptError(f"{source}:{error.lineno}: invalid JSON: {error.msg}") from error
    if isinstance(document, dict) and "segments" in document:
        items, path = document["segments"], "segments"
    elif isinstance(document, list):
        items, path = document, ""
    elif isinstance(document, dict) and "text" in document:
        items, path = [{"text": document["text"]}], ""
    else:
        keys = f" with keys {sorted(document)[:8]}" if isinstance(document, dict) else ""
        raise TranscriptError(
            f"{source}: expected {{\"text\": ...}}, {{\"segments\": [...]}} or a list of segments, "
            f"got {type(document).__name__}{keys}"
        )
    if not isinstance(items, list):
        raise TranscriptError(f"{source}: 'segments' must be a list, got {type(items).__name__}")
    for index, item in enumerate(items):
        where = f"{source}: {path}[{index}]"
        if not isinstance(item, dict):
            raise TranscriptError(f"{where}: a segment must be an object with 'text', got {type(item).__name__}")
        text_value = item.get("text")
        if not isinstance(text_value, str):
            raise TranscriptError(f"{where}: 'text' must be a string, got {text_value!r}")
        times = {key: item.get(key) for key in ("start", "end")}
        for key, value in times.items():
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
                raise TranscriptError(f"{where}: '{key}' must be seconds (a number or null), got {value!r}")
        speaker = item.get("speaker")
        if speaker is not None and not isinstance(speaker, (str, int)):
            raise TranscriptError(f"{where}: 'speaker' must be a string, got {speaker!r}")
        words = " ".join(text_value.split())
        if words:
            yield _make_span(Segment, where, text=words, speaker=None if speaker is None else str(speaker), **times)


_SRT_TIME = r"(\d+):(\d{1,2}):(\d{1,2})[,.](\d{1,3})"
_SRT_TIMING = re.compile(rf"^\s*{_SRT_TIME}\s*-->\s*{_SRT_TIME}(?:\s.*)?$")
_VTT_TIME = r"(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})"
_VTT_TIMING = re.compile(rf"^\s*{_VTT_TIME}\s+-->\s+{_VTT_TIME}(?:\s.*)?$")
_VOICE_TAG = re.compile(r"<v(?:\.[^\s>]*)?(?:\s+([^>]*))?>")  # <v Name>, <v.class Name>
_ANY_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")  # <i>, </v>, <00:00:01.000>, <c.red>, and ASS overrides {\an8}
_BRACKET_SPEAKER = re.compile(r"^\[([^\]\n]+)\]:\s*")  # whisperX subtitle output: "[SPEAKER_00]: text"


def _parse_srt(text: str, source: str) -> Iterator[Segment]:
    """SubRip: blocks of [index line], `HH:MM:SS,mmm --> HH:MM:SS,mmm`, text lines; blank lines between."""
    for first_line, lines in _blocks(text):
        where = f"{source}:{first_line}"
        if lines[0].strip().isdigit() and len(lines) > 1:
            lines, first_line = lines[1:], first_line + 1
        match = _SRT_TIMING.match(lines[0])
        if match is None:
            raise TranscriptError(
                f"{source}:{first_line}: expected an SRT timing line 'HH:MM:SS,mmm --> HH:MM:SS,mmm', got {lines[0]!r}"
            )
        start, end = _clock_seconds(match.groups()[:4]), _clock_seconds(match.groups()[4:])
        yield from _cue_segments(start, end, "\n".join(lines[1:]), where)


def _parse_vtt(text: str, source: str) -> Iterator[Segment]:
    """WebVTT: a `WEBVTT` header, then cues of [identifier], `[HH:]MM:SS.mmm --> [HH:]MM:SS.mmm [settings]`,
    payload lines; NOTE, STYLE and REGION blocks are skipped; `<v Speaker>` voice tags give the speaker."""
    blocks = _blocks(text)
    header = next(blocks, None)
    if header is None or not header[1][0].startswith("WEBVTT"):
        got = header[1][0] if header else "an empty file"
        raise TranscriptError(f"{source}:1: a WebVTT file must start with 'WEBVTT', got {got!r}")
    for offset, line in enumerate(header[1]):
        if "-->" in line:
            raise TranscriptError(
                f"{source}:{header[0] + offset}: a blank line must separate the WEBVTT header from the first cue"
            )
    for first_line, lines in blocks:
        if lines[0].startswith(("NOTE", "STYLE", "REGION")) and "-->" not in lines[0]:
            continue
        if "-->" not in lines[0] and len(lines) > 1:  # a cue identifier
            lines, first_line = lines[1:], first_line + 1
        match = _VTT_TIMING.match(lines[0])
        if match is None:
            raise TranscriptError(
                f"{source}:{first_line}: expected a WebVTT timing line '[HH:]MM:SS.mmm --> [HH:]MM:SS.mmm', "
                f"got {lines[0]!r}"
            )
        start, end = _clock_seconds(match.groups()[:4]), _clock_seconds(match.groups()[4:])
        yield from _cue_segments(start, end, "\n".join(lines[1:]), f"{source}:{first_line}")


def _cue_segments(start: float, end: float, payload: str, where: str) -> Iterator[Segment]:
    """One segment per voice in a cue payload (one segment, speaker None or "[NAME]:" prefix, without voices)."""
    voices = list(_VOICE_TAG.finditer(payload))
    pieces: list[tuple[str | None, str]] = []
    if not voices:
        pieces.append((None, payload))
    else:
        pieces.append((None, payload[: voices[0].start()]))
        for index, voice in enumerate(voices):
            stop = voices[index + 1].start() if index + 1 < len(voices) else len(payload)
            name = (voice.group(1) or "").strip() or None
            pieces.append((name, payload[voice.end() : stop]))
    for speaker, raw in pieces:
        words = " ".join(html.unescape(_ANY_TAG.sub("", raw)).split())
        if speaker is None and (prefix := _BRACKET_SPEAKER.match(words)):
            speaker, words = prefix.group(1).strip(), words[prefix.end() :]
        if words:
            yield _make_span(Segment, where, start=start, end=end, text=words, speaker=speaker)


_PARSERS = {".txt": _parse_txt, ".json": _parse_json, ".srt": _parse_srt, ".vtt": _parse_vtt}


# ---------------------------------------------------------------------------------------------------- helpers


def _find_with_extensions(audio_path: Path, extensions: tuple[str, ...]) -> Path | None:
    """The first candidate that exists (lstat: a dangling or hostile link counts, it is refused when read)."""
    for extension in extensions:
        for candidate in (audio_path.with_suffix(extension), audio_path.with_suffix(extension.upper())):
            if candidate != audio_path and os.path.lexists(candidate) and not candidate.is_dir():
                return candidate
    return None


def _read_text(path: Path, roots: tuple[Path, ...] | None = None) -> str:
    """The file's text: UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252 as a fallback. Read
    through `read_confined` (no final symlink followed out of `roots`, no FIFO, at most MAX_SIDECAR_BYTES)."""
    reason = sidecar_refusal(path, roots)
    if reason is not None and reason != "no such sidecar file":
        raise TranscriptError(f"{path}: {reason}")
    try:
        raw = read_confined(path, roots, MAX_SIDECAR_BYTES)
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no such sidecar file") from None
    except RefusedFile as exc:
        raise TranscriptError(f"{path}: {exc.reason}") from None
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            line = raw.count(b"\n", 0, utf8_error.start) + 1
            raise TranscriptError(f"{path}:{line}: not UTF-8 (or Windows-1252) text; save it as UTF-8") from None


def _blocks(text: str) -> Iterator[tuple[int, list[str]]]:
    """(1-based number of the block's first line, its lines) for each run of non-blank lines."""
    block: list[str] = []
    first = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            if not block:
                first = number
            block.append(line.rstrip())
        elif block:
            yield first, block
            block = []
    if block:
        yield first, block


def _clock_seconds(parts: tuple[str | None, ...]) -> float:
    """Seconds from (hours or None, minutes, seconds, fraction digits) of a subtitle timestamp."""
    hours, minutes, seconds, fraction = parts
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(fraction) / 10 ** len(fraction)


def _parse_seconds(value: str, what: str, where: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise TranscriptError(f"{where}: {what} must be seconds (a number), got {value!r}") from None


def _make_span(kind, where: str, **fields):
    """kind(**fields), with a validation error turned into a TranscriptError that says where."""
    try:
        return kind(**fields)
    except (TypeError, ValueError) as error:
        raise TranscriptError(f"{where}: {error}") from error
