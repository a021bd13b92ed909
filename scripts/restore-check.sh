#!/usr/bin/env bash
# Tests a backup end to end, as README "Backups" describes it: pg_dump -Fc of a Parley
# database, pg_restore into a database of its own on the same server, `parley migrate` on the
# copy, then `parley serve` on the copy (with an embedded NATS: the stream is rebuilt from the
# outbox) until /readyz answers, a comment reads back through the API, and the outbox has
# nothing pending. The copy is dropped afterwards unless KEEP=1. The source is only read.
#
#   scripts/restore-check.sh [DATABASE_URL]     default: $DATABASE_URL, else scripts/dev-db.sh
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:-${DATABASE_URL:-$(scripts/dev-db.sh)}}
parley=${PARLEY_BIN:-bin/parley}
[ -x "$parley" ] || go build -o "$parley" ./cmd/parley

log() { echo "restore-check: $*" >&2; }
die() { log "FAIL: $*"; exit 1; }

copy_name="parley_restore_$(date +%s)_$$"
# The copy's URL: the source's, with the database name replaced.
base=${src%%\?*}
query=""
[ "$base" != "$src" ] && query="?${src#*\?}"
dst="${base%/*}/$copy_name$query"
tmp=$(mktemp -d)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  if [ "${KEEP:-}" != 1 ]; then psql "$src" -qc "DROP DATABASE IF EXISTS $copy_name" >/dev/null 2>&1 || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

count() { psql "$1" -Atqc "$2"; }

log "dumping $(echo "${base%/*}" | sed 's|//[^@]*@|//…@|')/${base##*/}"
pg_dump -Fc -f "$tmp/parley.dump" "$src"
log "dump: $(du -h "$tmp/parley.dump" | cut -f1)"
psql "$src" -qc "CREATE DATABASE $copy_name" >/dev/null
pg_restore --no-owner --exit-on-error -d "$dst" "$tmp/parley.dump"

for t in users sites stories comments outbox schema_migrations; do
  a=$(count "$src" "SELECT count(*) FROM $t")
  b=$(count "$dst" "SELECT count(*) FROM $t")
  log "$t: source $a now, copy $b"
  # The source may have moved on since the dump's snapshot; the copy never has more.
  [ "$b" -le "$a" ] || die "$t has more rows in the copy than in the source"
done

DATABASE_URL="$dst" "$parley" migrate >/dev/null || die "parley migrate on the copy"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pending=$(count "$dst" "SELECT count(*) FROM outbox WHERE published_at IS NULL")
log "starting parley serve on the copy (127.0.0.1:$port, $pending events pending in its outbox)"
DATABASE_URL="$dst" PARLEY_ADDR=127.0.0.1:$port PARLEY_DATA_DIR="$tmp/data" NATS_URL= REDIS_URL= \
  PARLEY_LOG_LEVEL=warn "$parley" serve >"$tmp/serve.log" 2>&1 &
pid=$!
for _ in $(seq 150); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { cat "$tmp/serve.log" >&2; die "parley serve on the copy exited"; }
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null || die "the copy never became ready"

id=$(count "$dst" "SELECT id FROM comments WHERE status = 'PUBLISHED' ORDER BY created_at DESC LIMIT 1")
if [ -n "$id" ]; then
  got=$(curl -fsS "http://127.0.0.1:$port/graphql" -H 'Content-Type: application/json' \
    --data "{\"query\":\"{ comment(id: \\\"$id\\\") { id status } }\"}")
  echo "$got" | grep -q "\"id\":\"$id\"" || die "comment $id did not read back: $got"
  log "comment $id reads back through the API"
fi
for _ in $(seq 100); do
  [ "$(count "$dst" "SELECT count(*) FROM outbox WHERE published_at IS NULL")" = 0 ] && break
  sleep 0.2
done
left=$(count "$dst" "SELECT count(*) FROM outbox WHERE published_at IS NULL")
[ "$left" = 0 ] || die "$left events still pending in the copy's outbox"
log "the outbox's pending events were published to the new stream"
log "OK: the backup restores, migrates and serves"
