"""The trust boundary's domain: scopes and the one table of what each RPC needs (methods.py), identities
(principal.py), API keys and certificate identities (keys.py), the hash-chained audit log (audit.py), and
what the server starts with (bootstrap.py). Free of gRPC; adapt_server/api/auth.py applies it to calls."""
