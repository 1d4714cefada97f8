"""Deployments: named routes ({"stt": model_id}) with an optional canary, a revision history and rollback.

routing.py (pure: which model serves a request), validation.py (did a model pass its validation gates, read
from the stored evaluations), service.py (the use cases the API calls). The records and their tables are in
store/deployments.py.
"""
