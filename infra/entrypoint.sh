#!/bin/sh
# Index the knowledge folder (only changed files are embedded), then serve.
# One process owns the embedded index; run more replicas with BOT_CHROMA_URL.
set -e
bot ingest --quiet
exec bot serve --host 0.0.0.0 --port "${PORT:-8000}"
