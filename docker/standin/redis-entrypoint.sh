#!/bin/sh
# The official image's start, in short: redis-server in the foreground, reachable by other
# containers on its network (protected mode off, as the official build compiles it).
set -eu
if [ "${1:-}" = redis-server ]; then
  shift
  exec redis-server --protected-mode no "$@"
fi
exec "$@"
