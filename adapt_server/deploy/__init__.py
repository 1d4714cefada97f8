"""Deployments: named routes ({"stt": model_id}) with an optional canary, a revision history and rollback.

records.py (value objects), routing.py (pure: which model serves a request), repository.py (SQLite),
validation.py (did a model pass its validation gates), service.py (the use cases the API calls).
"""
