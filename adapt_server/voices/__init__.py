"""Custom voices: consent verification (what was said, who said it), signed consent records, voice building.

Pure parts (no store, jobs or api): the job wrapper and the gRPC resource call these.
    consent_statement.py   the Azure-style statement and the transcript checker
    speaker_check.py       CAM++ speaker verification of the statement against the dataset's speaker
    consent_record.py      the consent record: canonical JSON, Ed25519 signature, offline verification
    server_key.py          the server's signing key file (load or create, 0600)
    evolution.py           a resumable evolution strategy over vectors (generic)
    voice_build.py         fitting a Kokoro style pack to a target speaker, with progress, cancel and resume
"""
