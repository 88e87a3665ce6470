"""Everything the database holds and how: the models, the engine, how many requests may wait
on it and for how long (waits.py), the schema through Alembic, the counter statements
(app/store/counters.py is the only code that writes or reads counters), and storage hygiene
(file modes, WAL checkpoints, and the one timer that deletes what has expired). Statements
only: callers own their transactions."""
