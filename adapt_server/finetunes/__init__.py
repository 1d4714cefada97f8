"""Fine-tunes as a resource: create (validated up front), the `fine_tune.run` job that gathers the dataset's
audio, calls the training library (adapt_server.training) and registers the exported model as
"ft:<base>:<short id>", and the reads the API serves.

service.py (use cases), data.py (train/holdout items from the dataset store), job.py (the job handler),
registration.py (the tuned model into the catalogue). The records and their table are in store/fine_tunes.py.
"""
