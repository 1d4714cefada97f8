"""Dataset statistics from stored rows (pure: rows in, a stats dict out, matching adapt.v1.DatasetStats)."""
from __future__ import annotations

from adapt_server.intake.lexicon import OovCounter
from adapt_server.store.datasets import RecordingRow, TurnRow, UtteranceRow

TOP_OOV_WORDS = 20
SECONDS_PER_HOUR = 3600.0


def dataset_stats(recordings: list[RecordingRow], utterances: list[tuple[str, UtteranceRow]],
                  turns: list[tuple[str, TurnRow]], files_failed: int) -> dict:
    """hours: normalized audio; speakers: distinct labels over utterances and speaker turns (labels are
    dataset-wide identities); OOV over reference utterances (see adapt_server.intake.lexicon)."""
    oov = OovCounter()
    transcribed: set[str] = set()
    speakers: set[str] = set()
    for recording_id, utterance in utterances:
        transcribed.add(recording_id)
        if utterance.speaker:
            speakers.add(utterance.speaker)
        if utterance.origin == "reference":
            oov.add(utterance.text)
    speakers.update(turn.speaker for _, turn in turns)
    result = oov.result(TOP_OOV_WORDS)
    return {
        "hours": sum(r.duration_s for r in recordings) / SECONDS_PER_HOUR,
        "recordings": len(recordings),
        "utterances": len(utterances),
        "speakers": len(speakers),
        "oov_rate": result.rate,
        "top_oov_words": [{"word": w, "count": c} for w, c in result.top_oov],
        "reference_words": result.tokens,
        "oov_words": result.oov_tokens,
        "transcribed_recordings": len(transcribed),
        "transcribed_hours": sum(r.duration_s for r in recordings if r.id in transcribed) / SECONDS_PER_HOUR,
        "files_failed": files_failed,
    }
