"""Resilience for every call the platform makes: one module for the engine's block policies
and the outbound client's per-target policies. Plain Python (the engine imports it).

One algorithm per concern:

- ``store``: the key-value port, the subset of Django's cache API both sides need, so
  ``django.core.cache.cache`` (Redis in production) is passed straight in and every worker
  sees the same state; ``InMemoryStore`` for tests and single-process use.
- ``breaker``: consecutive failures (optionally forgotten after a window) open the breaker;
  after the reset time exactly one probe goes through (``add`` on a probe key is the
  cross-worker lock); its success closes the breaker, its failure re-opens it.
- ``ratelimit``: a sliding-window counter. It never lets twice the limit through across a
  window edge as a fixed window does, and costs two keys and ``incr`` only.
- ``retry``: capped exponential, linear or fixed back-off with jitter that only shortens a
  delay (the cap stays a cap), and ``Retry-After`` parsing (seconds or an HTTP date).

Why our own and not a library: the state has to live behind the one key-value port (the
engine is handed Django's cache and must not open connections of its own), and both callers
inject a clock so back-offs and windows are tested exactly without waiting. ``limits`` keeps
its own Redis connection and reads the wall clock itself; ``pybreaker`` keeps breaker state
per process unless given its own Redis client. The policy vocabularies stay with their
persisted contracts (node ``policies`` of workflow graphs in apps.blocks.sdk, the connector
catalogue's in apps.connectors.outbound.policies); both are translated into the arguments
here. What limits calls *into* the platform (API throttling, webhook ingest) is another
concern, apps.workspaces.ratelimit: a fixed window counted in one pipelined Redis round
trip on the hot accept path.
"""
