"""Evaluations as a resource, built on the pure scoring core (`adapt_server.scoring`).

spec.py (request validation), service.py (use cases), units.py (the dataset split as units of audio with
references and known non-speech), job.py (job kind `evaluation.run`: transcribe on the serving path, score,
rank, decide) and results.py (the stored result, keyed like `adapt.v1.EvaluationResult`). The tables are in
store/evaluations.py; a model's latest validation, read by promotion, in deploy/validation.py.
"""
