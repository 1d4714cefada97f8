"""Dataset statistics from stored rows (pure: rows in, a stats dict out, matching adapt.v1.DatasetStats).

Nothing here reads a redacted value: redaction counts come from the audit rows (type and span only), and
OOV words are counted on the stored, already redacted text with entity tags such as [PERSON] removed.
"""
from __future__ import annotations

import re
from collections import Counter

from adapt_server.intake.lexicon import OovCounter
from adapt_server.intake.steps.speakers import qualified, recording_name
from adapt_server.store.datasets import RecordingRow, RedactionRow, TurnRow, UtteranceRow

TOP_OOV_WORDS = 20
SECONDS_PER_HOUR = 3600.0
FAILED_STAGES = frozenset({"decode", "source", "download", "pipeline"})  # file issues where nothing was stored
ENTITY_TAG = re.compile(r"\[[A-Z][A-Z0-9_]*\]")


OOV_LEXICONS = {"en": "cmudict"}  # language code -> the lexicon its OOV rate is counted against


def dataset_stats(recordings: list[RecordingRow], utterances: list[tuple[str, UtteranceRow]],
                  turns: list[tuple[str, TurnRow]], files_failed: int,
                  redactions: list[tuple[str, RedactionRow]] = (), language: str = "en") -> dict:
    """hours: normalized audio; speakers: distinct labels over utterances and reference speaker turns
    (labels are dataset-wide identities), plus the diarized speakers of recordings without reference
    speakers (per recording); OOV over reference utterances (see adapt_server.intake.lexicon) where a lexicon of
    the dataset's `language` exists (OOV_LEXICONS), else oov_* are 0 and oov_note says why."""
    by_id = {r.id: r for r in recordings}
    oov = OovCounter()
    transcribed: set[str] = set()
    speakers: set[str] = set()
    with_reference_speakers: set[str] = set()
    for recording_id, utterance in utterances:
        transcribed.add(recording_id)
        if utterance.speaker:
            speakers.add(utterance.speaker)
        if utterance.origin == "reference" and language in OOV_LEXICONS:
            oov.add(ENTITY_TAG.sub(" ", utterance.text))
    diarized: dict[str, set[str]] = {}
    for recording_id, turn in turns:
        if turn.origin == "diarize":
            diarized.setdefault(recording_id, set()).add(turn.speaker)
        else:
            speakers.add(turn.speaker)
            with_reference_speakers.add(recording_id)
    for recording_id, labels in diarized.items():
        if recording_id not in with_reference_speakers and recording_id in by_id:
            r = by_id[recording_id]
            speakers.update(qualified(recording_name(r.source_uri, r.channel), label) for label in labels)
    result = oov.result(TOP_OOV_WORDS)
    referenced = {rid for rid, u in utterances if u.origin == "reference"}
    aligned = [r for r in recordings if r.alignment_score is not None and r.id in referenced]
    n_utterances = len(utterances)
    pseudo = sum(1 for _, u in utterances if u.origin == "pseudo")
    redaction_counts = Counter(row.entity_type for _, row in redactions)
    stats = {
        "hours": _hours(recordings),
        "recordings": len(recordings),
        "utterances": n_utterances,
        "speakers": len(speakers),
        "oov_rate": result.rate,
        "top_oov_words": [{"word": w, "count": c} for w, c in result.top_oov],
        "reference_words": result.tokens,
        "oov_words": result.oov_tokens,
        "oov_lexicon": OOV_LEXICONS.get(language, ""),
        "oov_note": "" if language in OOV_LEXICONS else (
            f"no OOV rate: Adapt has no lexicon of language {language!r} (lexicons: "
            f"{', '.join(f'{code} ({name})' for code, name in OOV_LEXICONS.items())})"),
        "transcribed_recordings": len(transcribed),
        "transcribed_hours": _hours(r for r in recordings if r.id in transcribed),
        "files_failed": files_failed,
        # pipeline steps (0 when the step did not run)
        "speech_hours": sum(r.speech_s or 0.0 for r in recordings) / SECONDS_PER_HOUR,
        "diarized_recordings": len(diarized),
        "diarized_speakers": sum(len(labels) for labels in diarized.values()),
        "aligned_recordings": sum(1 for r in recordings if r.alignment_score is not None),
        "aligned_words": sum(len(u.words) for _, u in utterances if u.words),
        "mean_alignment_score": (sum(r.alignment_score for r in aligned) / len(aligned)) if aligned else 0.0,
        "low_alignment_recordings": len({rid for rid, u in utterances if u.flag == "low_alignment"}),
        "pseudo_utterances": pseudo,
        "pseudo_label_share": pseudo / n_utterances if n_utterances else 0.0,
        "redactions": [{"entity_type": t, "count": c} for t, c in sorted(redaction_counts.items())],
        "redacted_recordings": sum(1 for r in recordings if r.redacted),
        "redacted_seconds": sum(row.end_s - row.start_s for _, row in redactions),
        "dropped_utterances": sum(1 for _, u in utterances if u.flag.startswith("redacted:")),
    }
    stats.update(_split_stats(recordings, utterances))
    return stats


def _split_stats(recordings: list[RecordingRow], utterances: list[tuple[str, UtteranceRow]]) -> dict:
    out = {}
    for split in ("train", "holdout"):
        members = [r for r in recordings if r.split == split]
        ids = {r.id for r in members}
        out[f"{split}_recordings"] = len(members)
        out[f"{split}_hours"] = _hours(members)
        out[f"{split}_utterances"] = sum(1 for rid, u in utterances if rid in ids and not u.flag)
    return out


def _hours(recordings) -> float:
    return sum(r.duration_s for r in recordings) / SECONDS_PER_HOUR
