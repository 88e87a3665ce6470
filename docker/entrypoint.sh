#!/bin/sh
# The container's start: check the settings, migrate (waiting for the database a bounded
# number of times), then replace this shell with gunicorn so it is PID 1 and gets signals.
set -eu
cd "$(dirname "$0")/.."
python -m app.migrate
exec gunicorn --config gunicorn.conf.py wsgi:app
