"""Running executions on workers: the loop accept -> dispatch -> claim -> run -> finish.

- Accepting work only writes a queued Execution row (`services.execution_create`); on commit
  the process's dispatcher sends a `workflows.drain` hint (`dispatch.py`), at most one per
  short interval, never from the request's own thread.
- A drain claims queued rows from the database one at a time with a single
  `UPDATE ... RETURNING` (`claim.py`), runs the engine, and finishes the row with a single
  `UPDATE` guarded by its lease; it goes on until the queue is empty (`run.py`).
- The database is the truth and the broker only transport: a lost or duplicate hint loses
  or repeats nothing. The sweep (`sweep.py`) wakes due waits, hands executions whose worker
  died (lease expired) back to the queue, and sends hints while queued rows exist.
"""
