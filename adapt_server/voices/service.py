"""Voice use cases (create with consent verification, get, list stock + custom, cancel, delete, the consent
record); called by the API layer, free of gRPC.

CreateVoice verifies the consent before anything is stored: the statement recording is transcribed by the
bundled Whisper and checked (consent_statement.py), and its speaker compared with the dataset speaker's
recordings (speaker_check.py). A failed check stores only an audit row (store/consents.py) and answers
FAILED_PRECONDITION naming the check and its score. A passed one gives a consent record signed with the
server's key, stored with the voice, its PENDING `voice.build` job and its lineage in one transaction.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from adapt_server.config import ServerConfig
from adapt_server.engines.options import DecodeOptions
from adapt_server.engines.registry import EngineRegistry
from adapt_server.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from adapt_server.jobs.resources import JobBackedResources
from adapt_server.models.bundled import BUNDLED_BASE_MODEL
from adapt_server.models.sources import model_source
from adapt_server.store.consents import VOICE_CONSENT, ConsentRow, new_consent_id
from adapt_server.store.pages import decode_token, encode_token, page_size
from adapt_server.store.voices import VoiceRecord, new_voice_id
from adapt_server.tts import catalog
from adapt_server.tts.synthesizer import VoiceInfo
from adapt_server.voices.consent import (ConsentRefused, ConsentRequest, check_consent_request, signed_consent_record,
                                         verify_consent)
from adapt_server.voices.signing import server_public_key, signing_key
from adapt_server.voices.talent_audio import talent_audio
from adapt_server.voices.voice_build import BuildOptions

MAX_NAME_LENGTH = 200
MAX_GENERATIONS = 200
MAX_POPULATION = 64
BUILD_OPTION_FIELDS = ("generations", "population", "max_wer", "seed")


@dataclass(frozen=True)
class ConsentView:
    """A voice's consent record as GetConsentRecord returns it."""
    consent: ConsentRow
    voice_id: str
    server_public_key: bytes  # raw 32 bytes


def build_options(raw: dict) -> BuildOptions:
    """BuildOptions from the request's (0 = the default), checked; InvalidArgument naming the field."""
    unknown = sorted(set(raw) - set(BUILD_OPTION_FIELDS))
    if unknown:
        raise InvalidArgument(f"options: unknown fields {unknown}; use {list(BUILD_OPTION_FIELDS)}")
    defaults = BuildOptions()
    generations = int(raw.get("generations") or defaults.generations)
    population = int(raw.get("population") or defaults.population)
    max_wer = float(raw.get("max_wer") or defaults.max_wer)
    if not 1 <= generations <= MAX_GENERATIONS:
        raise InvalidArgument(f"options.generations must be 1..{MAX_GENERATIONS} (0: {defaults.generations}); "
                              f"got {generations}")
    if not 2 <= population <= MAX_POPULATION or population % 2:
        raise InvalidArgument(f"options.population must be an even number 2..{MAX_POPULATION} (0: "
                              f"{defaults.population}); got {population}")
    if not 0.0 < max_wer <= 1.0:
        raise InvalidArgument(f"options.max_wer must be in (0, 1] (0: {defaults.max_wer}); got {max_wer}")
    return BuildOptions(generations=generations, population=population, max_wer=max_wer,
                        seed=int(raw.get("seed") or 0))


def options_dict(options: BuildOptions) -> dict:
    return {name: getattr(options, name) for name in BUILD_OPTION_FIELDS}


def whisper_transcriber(store, engines: EngineRegistry) -> Callable[[np.ndarray], str]:
    """16-kHz audio -> text with the bundled whisper (what checks the statement and gates the build)."""
    engine = engines.get(model_source(store.models.get(BUNDLED_BASE_MODEL)), "int8")
    options = replace(DecodeOptions(), word_timestamps=False)
    return lambda audio: engine.transcribe(audio, options).text


class VoiceService(JobBackedResources[VoiceRecord]):
    """Voice use cases; get (custom), list, cancel and delete are those of every job-backed resource."""

    def __init__(self, config: ServerConfig, store, engines: EngineRegistry):
        super().__init__(store.voices, store.jobs, cancel_rpc="CancelVoice")
        self.config = config
        self.store = store
        self.engines = engines

    # --- create ------------------------------------------------------------------------------------
    def create(self, name: str, dataset_id: str, speaker: str, consent: ConsentRequest, options: dict,
               labels: dict[str, str], request_id: str) -> VoiceRecord:
        """Checks the request, verifies the consent, stores the voice with its signed consent and PENDING build."""
        name = (name or "").strip()
        if len(name) > MAX_NAME_LENGTH:
            raise InvalidArgument(f"name is {len(name)} characters; the limit is {MAX_NAME_LENGTH}")
        if not dataset_id:
            raise InvalidArgument("dataset_id is required: the dataset with the talent's recordings")
        speaker = (speaker or "").strip()
        build = build_options(options)
        consent = check_consent_request(consent)
        request_hash = hashlib.sha256(json.dumps(
            {"name": name, "dataset_id": dataset_id, "speaker": speaker, "talent_name": consent.talent_name,
             "company": consent.company, "locale": consent.locale, "statement": consent.statement_sha256,
             "options": options_dict(build), "labels": labels}, sort_keys=True).encode()).hexdigest()
        earlier = self.store.voices.for_request(request_id)
        if earlier is not None:  # a retry: the same voice, without verifying (and signing) again
            if earlier[1] != request_hash:
                raise AlreadyExists(f"request_id {request_id!r} was already used to create voice {earlier[0]} with "
                                    "different parameters; send a new request_id for a new voice")
            return self.get(earlier[0])
        dataset = self.store.datasets.get(dataset_id)
        if dataset is None:
            raise NotFound(f"dataset {dataset_id!r} does not exist; list datasets to see the ids")
        self.store.lineage.require_not_revoked(dataset_id, "dataset")
        if dataset.job.state != "SUCCEEDED":
            raise FailedPrecondition(f"dataset {dataset_id} is {dataset.job.state}; create the voice once its ingest "
                                     "SUCCEEDED (client.datasets.wait)")
        talent = talent_audio(self.store, dataset_id, speaker)
        verdict = verify_consent(consent, talent, whisper_transcriber(self.store, self.engines))
        if not verdict.passed:
            refusal = ConsentRefused(verdict)
            self.store.consents.add_refusal(dataset_id, speaker, consent.statement_sha256, refusal.check,
                                            refusal.score, verdict.to_dict())
            raise refusal
        record = signed_consent_record(consent, verdict, self.store.datasets.content_sha256(dataset_id), speaker,
                                       signing_key(self.config.data_dir))
        voice, _ = self.store.voices.create(
            new_voice_id(), name or consent.talent_name, dataset_id, speaker, options_dict(build), verdict.to_dict(),
            dict(labels), new_consent_id(), record, request_id or None, request_hash, self.config.max_job_attempts)
        return voice

    # --- reads -------------------------------------------------------------------------------------
    def describe(self, voice_id: str) -> VoiceInfo | VoiceRecord:
        """A stock voice's info, or a custom voice's record (NotFound listing the stock voices)."""
        if voice_id in catalog.stock_voice_ids():
            return catalog.stock_info(voice_id)
        record = self.store.voices.get(voice_id) if voice_id else None
        if record is None:
            raise NotFound(f"voice {voice_id!r} does not exist: the stock voices are "
                           f"{', '.join(catalog.stock_voice_ids())}; list voices to see the custom ones")
        return record

    def list_voices(self, requested_size: int, token: str) -> tuple[list[VoiceInfo | VoiceRecord], str]:
        """The stock voices (as created at time 0, by id), then the custom voices oldest first; one page."""
        size, after = page_size(requested_size), decode_token(token)
        stock = [info for info in sorted(catalog.STOCK_VOICES, key=lambda i: i.voice_id)
                 if after is None or (0.0, info.voice_id) > after]
        items: list = stock[:size]
        if len(items) == size:
            more = len(stock) > size or bool(self.store.voices.list_page(1, None)[0])
            return items, encode_token(0.0, items[-1].voice_id) if more else ""
        custom, next_token = self.store.voices.list_page(size - len(items), after if after and after[0] > 0 else None)
        return items + custom, next_token

    def consent_record(self, voice_id: str = "", consent_id: str = "") -> ConsentView:
        if bool(voice_id) == bool(consent_id):
            raise InvalidArgument("give voice_id or consent_id (one of them)")
        if voice_id:
            if voice_id in catalog.stock_voice_ids():
                raise FailedPrecondition(f"{voice_id} is a stock voice: it has no consent record (its provenance is "
                                         "in docs/voices.md)")
            consent_id = self.get(voice_id).consent_id
        row = self.store.consents.get(consent_id)
        if row is None:
            raise NotFound(f"consent {consent_id!r} does not exist")
        if row.kind != VOICE_CONSENT:
            raise FailedPrecondition(f"consent {consent_id} is the provenance record of dataset {row.subject_id} "
                                     "(GetDataset shows it); signed records exist for voice consents")
        return ConsentView(row, row.subject_id, server_public_key(self.config.data_dir))

    # --- writes ------------------------------------------------------------------------------------
    def delete(self, voice_id: str) -> bool:
        if voice_id in catalog.stock_voice_ids():
            raise FailedPrecondition(f"{voice_id} is a stock voice; only custom voices can be deleted")
        serving = self.store.deployments.using_model(voice_id)
        if serving:
            raise FailedPrecondition(f"voice {voice_id} is served by deployment(s) {', '.join(serving)}; point their "
                                     "tts route at another voice first")
        return super().delete(voice_id)
