"""The transcript sidecar and the ground-truth documents of one call (pure: values in, JSON/text out).

- sidecar `calls/<id>.json`: {"segments": [{"start", "end", "speaker", "role", "text"}]}, seconds from the audio;
  `speaker` is the voice id (a voice is one synthetic person, the same across calls), `role` agent/customer;
- `truth/<id>.rttm`: one SPEAKER line per turn;
- `truth/<id>.entities.json`: every entity mention with its turn, character span, word indices and times;
- `truth/<id>.words.json`: every word of every turn with its character span and times.
"""

from __future__ import annotations

from adapt_server.sampledata.entities import PII_ENTITY_TYPES
from adapt_server.sampledata.render import RenderedCall
from adapt_server.sampledata.script import CallScript
from adapt_server.sampledata.voices import PoolVoice

_WORD_TIME_DECIMALS = 4  # 0.1 ms


def transcript_sidecar(rendered: RenderedCall, voices: dict[str, PoolVoice]) -> dict:
    """{"segments": [...]} with start/end in seconds at the exact sample positions of each turn; `speaker` is
    the voice id (dataset-wide speaker identity), `role` the part it plays in the call."""
    return {
        "segments": [
            {"start": turn.start_s, "end": turn.end_s, "speaker": voices[turn.speaker].voice_id,
             "role": turn.speaker, "text": turn.text}
            for turn in rendered.turns
        ]
    }


def rttm_lines(call_id: str, rendered: RenderedCall, voices: dict[str, PoolVoice]) -> str:
    """NIST RTTM: `SPEAKER <file> 1 <onset> <duration> <NA> <NA> <voice id> <NA> <NA>` per turn."""
    return "".join(
        f"SPEAKER {call_id} 1 {turn.start_s:.3f} {turn.end_s - turn.start_s:.3f} <NA> <NA> "
        f"{voices[turn.speaker].voice_id} <NA> <NA>\n"
        for turn in rendered.turns
    )


def entity_document(call_id: str, script: CallScript, rendered: RenderedCall) -> dict:
    """Every entity mention: turn index, type, span text, canonical value, character span, word indices,
    and start/end seconds (from its first to its last word)."""
    entities = []
    for turn_index, (turn, timed) in enumerate(zip(script.turns, rendered.turns)):
        for mention in turn.entities:
            first, last = timed.words[mention.word_indices[0]], timed.words[mention.word_indices[-1]]
            entities.append(
                {
                    "turn": turn_index,
                    "speaker": turn.speaker,
                    "type": str(mention.entity_type),
                    "pii": mention.entity_type in PII_ENTITY_TYPES,
                    "text": mention.text,
                    "value": mention.value,
                    "char_start": mention.char_start,
                    "char_end": mention.char_end,
                    "word_indices": list(mention.word_indices),
                    "start": round(first.start_s, _WORD_TIME_DECIMALS),
                    "end": round(last.end_s, _WORD_TIME_DECIMALS),
                }
            )
    return {"call_id": call_id, "split": script.split, "entities": entities}


def word_document(call_id: str, script: CallScript, rendered: RenderedCall, voices: dict[str, PoolVoice]) -> dict:
    """Every word of every turn with its character span and start/end seconds in the call."""
    return {
        "call_id": call_id,
        "split": script.split,
        "voices": {speaker: voice.voice_id for speaker, voice in voices.items()},
        "turns": [
            {
                "turn": turn_index,
                "speaker": timed.speaker,
                "template_id": turn.template_id,
                "start": timed.start_s,
                "end": timed.end_s,
                "text": timed.text,
                "words": [
                    {
                        "word": word.text,
                        "char_start": word.char_start,
                        "char_end": word.char_end,
                        "start": round(word.start_s, _WORD_TIME_DECIMALS),
                        "end": round(word.end_s, _WORD_TIME_DECIMALS),
                    }
                    for word in timed.words
                ],
            }
            for turn_index, (turn, timed) in enumerate(zip(script.turns, rendered.turns))
        ],
    }
