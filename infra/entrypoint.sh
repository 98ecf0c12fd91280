#!/bin/sh
# The container's command. With arguments, run them (`bot ingest`, `bot purge`, ...).
# Without: serve. A single container on its own data volume indexes the knowledge
# folder first (only changed files are embedded); replicas that share a Chroma server
# (BOT_CHROMA_URL) do not: the ingest job publishes once for all of them, and each
# replica serves the published index as soon as it starts.
set -e
if [ "$#" -gt 0 ]; then
  exec "$@"
fi
if [ -z "${BOT_CHROMA_URL:-}" ]; then
  bot ingest --quiet
fi
exec bot serve --host 0.0.0.0 --port "${PORT:-8000}"
