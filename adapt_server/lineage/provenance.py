"""A dataset's provenance: on what basis its audio may be used, recorded where and when, and the hash of the
document that says so. Checked at CreateDataset and stored as the dataset's consent record (canonical JSON),
which RevokeConsent can withdraw."""
from __future__ import annotations

import datetime
import json
import re

from adapt_server.errors import InvalidArgument

CONSENT_BASES = ("consent", "contract", "legitimate_interests", "legal_obligation", "public_task", "vital_interests",
                 "licensed", "public_domain")  # GDPR art. 6 bases, and data under a licence or in the public domain
FIELDS = ("consent_basis", "jurisdictions", "collection_start", "collection_end", "document_sha256", "document_uri",
          "notes")
MAX_JURISDICTIONS = 50
MAX_TEXT_CHARS = 2000
_JURISDICTION = re.compile(r"(EU|[A-Z]{2}(-[A-Z0-9]{1,3})?)")
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _date(name: str, value: str) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise InvalidArgument(f"provenance.{name} {value!r} is not a date: use YYYY-MM-DD") from None


def check_provenance(raw: dict) -> dict:
    """The provenance as stored (every field, checked); InvalidArgument naming the field to fix."""
    unknown = sorted(set(raw) - set(FIELDS))
    if unknown:
        raise InvalidArgument(f"provenance: unknown fields {unknown}; use {list(FIELDS)}")
    basis = str(raw.get("consent_basis") or "").strip().lower()
    if basis not in CONSENT_BASES:
        raise InvalidArgument(f"provenance.consent_basis {raw.get('consent_basis')!r}: use one of "
                              f"{', '.join(CONSENT_BASES)}")
    jurisdictions = [str(j).strip().upper() for j in raw.get("jurisdictions") or []]
    if not jurisdictions:
        raise InvalidArgument("provenance.jurisdictions is empty: name where the audio was recorded, e.g. ['US-CA', "
                              "'DE'] (ISO 3166 codes) or ['EU']")
    if len(jurisdictions) > MAX_JURISDICTIONS:
        raise InvalidArgument(f"provenance.jurisdictions has {len(jurisdictions)} entries; the limit is "
                              f"{MAX_JURISDICTIONS}")
    for jurisdiction in jurisdictions:
        if not _JURISDICTION.fullmatch(jurisdiction):
            raise InvalidArgument(f"provenance.jurisdictions: {jurisdiction!r} is not an ISO 3166 code such as 'US', "
                                  "'US-CA' or 'DE' (or 'EU')")
    start = _date("collection_start", str(raw.get("collection_start") or ""))
    end = _date("collection_end", str(raw.get("collection_end") or ""))
    today = datetime.datetime.now(datetime.timezone.utc).date()
    for name, day in (("collection_start", start), ("collection_end", end)):
        if day is not None and day > today:
            raise InvalidArgument(f"provenance.{name} {day} is in the future")
    if start and end and end < start:
        raise InvalidArgument(f"provenance.collection_end {end} is before collection_start {start}")
    document = str(raw.get("document_sha256") or "").strip().lower()
    if document and not _SHA256.fullmatch(document):
        raise InvalidArgument("provenance.document_sha256 must be the document's sha256: 64 hexadecimal digits")
    texts = {name: " ".join(str(raw.get(name) or "").split()) for name in ("document_uri", "notes")}
    for name, text in texts.items():
        if len(text) > MAX_TEXT_CHARS:
            raise InvalidArgument(f"provenance.{name} has {len(text)} characters; the limit is {MAX_TEXT_CHARS}")
    return {"consent_basis": basis, "jurisdictions": sorted(set(jurisdictions)),
            "collection_start": start.isoformat() if start else "", "collection_end": end.isoformat() if end else "",
            "document_sha256": document, **texts}


def provenance_record(provenance: dict) -> bytes:
    """The stored form: canonical JSON (sorted keys, no whitespace, UTF-8)."""
    return json.dumps(provenance, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
