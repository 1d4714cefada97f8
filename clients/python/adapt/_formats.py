"""Transcript output formats for the CLI: plain text, JSON, SubRip (.srt) and WebVTT (.vtt)."""
from __future__ import annotations

import dataclasses
import json


def _clock(seconds: float, separator: str) -> str:
    millis = int(round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def to_json(transcript) -> str:
    return json.dumps(dataclasses.asdict(transcript), indent=2)


def to_srt(transcript) -> str:
    blocks = [f"{i}\n{_clock(s.start, ',')} --> {_clock(s.end, ',')}\n{s.text.strip()}\n"
              for i, s in enumerate(transcript.segments, 1)]
    return "\n".join(blocks)


def to_vtt(transcript) -> str:
    blocks = [f"{_clock(s.start, '.')} --> {_clock(s.end, '.')}\n{s.text.strip()}\n" for s in transcript.segments]
    return "WEBVTT\n\n" + "\n".join(blocks)
