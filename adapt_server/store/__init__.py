"""SQLite repositories and the content-addressed blob store (open one with adapt_server.store.store.Store)."""
