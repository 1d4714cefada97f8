"""Fine-tunes as a resource: create (validated up front), the `fine_tune.run` job that gathers the dataset's
audio, calls the training library (adapt_server.training) and registers the exported model as
"ft:<base>:<short id>", and the reads the API serves.

records.py (value objects), repository.py (SQLite), data.py (train/holdout items from the dataset store),
registration.py (the tuned model into the catalogue), service.py (use cases), job.py (the job handler).
"""
