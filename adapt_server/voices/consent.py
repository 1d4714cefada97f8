"""Consent verification at CreateVoice: what the statement says (whisper + consent_statement.check_statement) and
who says it (CAM++ + speaker_check.verify_speaker against the dataset speaker's recordings), then the signed
consent record. A failed check is a refusal (`ConsentRefused`, FAILED_PRECONDITION naming the check and its
score); bad input is InvalidArgument."""
from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from adapt_server.audio.decode import AudioDecodeError, decode_audio
from adapt_server.errors import FailedPrecondition, InvalidArgument
from adapt_server.voices import consent_statement, speaker_check
from adapt_server.voices.consent_record import RECORD_VERSION, ConsentRecord, sign_record
from adapt_server.voices.server_key import key_id, public_key_bytes
from adapt_server.voices.talent_audio import TalentAudio

MAX_STATEMENT_BYTES = 20 * 1024 * 1024  # an encoded statement recording (a minute of WAV is ~2-10 MB)
MAX_STATEMENT_S = 120.0  # seconds: the statement takes ~6 s to read
CHECKED_LANGUAGES = ("en",)  # the statement's wording is checked in these languages


@dataclass(frozen=True)
class ConsentRequest:
    """What CreateVoice's `consent` carries."""
    talent_name: str
    company: str
    locale: str                # BCP-47, e.g. "en-US"
    statement_audio: bytes     # an encoded file

    @property
    def statement_sha256(self) -> str:
        return hashlib.sha256(self.statement_audio).hexdigest()


@dataclass(frozen=True)
class ConsentVerdict:
    statement: consent_statement.StatementCheck
    speaker: speaker_check.SpeakerCheck

    @property
    def passed(self) -> bool:
        return self.statement.matched and self.speaker.matched

    def failed_check(self) -> tuple[str, float] | None:
        """("statement", score) or ("speaker", cosine) of the first failed check; None when both passed."""
        if not self.statement.matched:
            return "statement", self.statement.score
        if not self.speaker.matched:
            return "speaker", self.speaker.score
        return None

    def to_dict(self) -> dict:
        """The stored consent check (keys of adapt.v1.ConsentCheck)."""
        return {"passed": self.passed, "statement_score": self.statement.statement_score,
                "name_score": self.statement.name_score, "company_score": self.statement.company_score,
                "speaker_score": self.speaker.score, "statement_threshold": consent_statement.STATEMENT_MIN,
                "name_threshold": consent_statement.NAME_MIN, "company_threshold": consent_statement.COMPANY_MIN,
                "speaker_threshold": self.speaker.threshold, "transcript": self.statement.transcript,
                "reason": self.statement.reason if not self.statement.matched else self.speaker.reason}


class ConsentRefused(FailedPrecondition):
    """A consent check failed: the message names every failed check with its score, and what to do."""

    def __init__(self, verdict: ConsentVerdict):
        failures = []
        if not verdict.statement.matched:
            failures.append(f"the statement check failed (score {verdict.statement.score:.2f}): "
                            f"{verdict.statement.reason}; whisper heard {verdict.statement.transcript!r}. The talent "
                            f"must read {consent_statement.STATEMENT_TEMPLATE!r} with their name and the company")
        if not verdict.speaker.matched:
            failures.append(f"the speaker check failed (cosine {verdict.speaker.score:.3f} < "
                            f"{verdict.speaker.threshold}): {verdict.speaker.reason}")
        super().__init__("consent refused: " + "; and ".join(failures) + ". Nothing was built.")
        self.verdict = verdict
        self.check, self.score = verdict.failed_check()


def check_consent_request(consent: ConsentRequest) -> ConsentRequest:
    """The request's fields checked (InvalidArgument saying what to fix)."""
    consent_statement.expected_statement(consent.talent_name, consent.company)  # name: 2+ words; company: 1+
    locale = (consent.locale or "").strip()
    if not locale:
        raise InvalidArgument("consent.locale is required: the BCP-47 language of the statement, e.g. 'en-US'")
    if locale.split("-")[0].lower() not in CHECKED_LANGUAGES:
        raise InvalidArgument(f"consent.locale {locale!r}: this server checks statements in "
                              f"{', '.join(CHECKED_LANGUAGES)} only; record the English statement")
    if not consent.statement_audio:
        raise InvalidArgument("consent.statement_audio is empty: send the recording of the talent reading the "
                              "statement (any audio file)")
    if len(consent.statement_audio) > MAX_STATEMENT_BYTES:
        raise InvalidArgument(f"consent.statement_audio is {len(consent.statement_audio)} bytes, more than "
                              f"{MAX_STATEMENT_BYTES}: send the statement alone (it takes ~6 s to read)")
    return ConsentRequest(" ".join(consent.talent_name.split()), " ".join(consent.company.split()), locale,
                          consent.statement_audio)


def decode_statement(data: bytes) -> np.ndarray:
    """float32 (n,) 16-kHz mono of the statement recording."""
    try:
        decoded = decode_audio(data, max_duration_s=MAX_STATEMENT_S)
    except AudioDecodeError as error:
        raise InvalidArgument(f"consent.statement_audio: {error}") from None
    return decoded.samples[0]


def verify_consent(consent: ConsentRequest, talent: TalentAudio, transcribe: Callable[[np.ndarray], str]
                   ) -> ConsentVerdict:
    """Both checks (both always run, so a refusal's audit has every score). transcribe: 16-kHz audio -> text."""
    statement_audio = decode_statement(consent.statement_audio)
    statement = consent_statement.check_statement(transcribe(statement_audio), consent.talent_name, consent.company)
    try:
        embedding = speaker_check.embed_recording(statement_audio)
    except InvalidArgument as error:
        raise InvalidArgument(f"consent.statement_audio: {error}") from None
    target = speaker_check.centroid([speaker_check.embed_recording(audio) for audio in talent.recordings])
    return ConsentVerdict(statement, speaker_check.verify_speaker(embedding, target))


def signed_consent_record(consent: ConsentRequest, verdict: ConsentVerdict, dataset_sha256: str, speaker: str,
                          private_key) -> bytes:
    """The signed envelope of the consent record (voices/consent_record.py)."""
    record = ConsentRecord(
        version=RECORD_VERSION, talent_name=consent.talent_name, company=consent.company, locale=consent.locale,
        statement_sha256=consent.statement_sha256, dataset_sha256=dataset_sha256, speaker=speaker,
        created_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), statement_score=verdict.statement.score,
        speaker_score=verdict.speaker.score, key_id=key_id(public_key_bytes(private_key)))
    return sign_record(record, private_key)
