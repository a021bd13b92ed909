#!/usr/bin/env bash
# Prints "SMTP_URL HTTP_URL" of a mailpit (a real SMTP server that keeps what it receives and
# shows it through an HTTP API) for Parley's tests and for trying mail by hand, making one
# available first: PARLEY_TEST_MAILPIT wins when set. Otherwise it builds mailpit from its Go
# module into ./bin (never into go.mod) when missing, and starts a private one under
# $PARLEY_DATA_DIR/mailpit (default ./data/mailpit) on free loopback ports unless its own is
# already running. It never takes over a mailpit it did not start. Tests keep apart by
# recipient address. Progress goes to stderr; only the URLs go to stdout.
set -euo pipefail
version=v1.33.1
root=$(cd "$(dirname "$0")/.." && pwd)
data_dir=${PARLEY_DATA_DIR:-$root/data}

if [ -n "${PARLEY_TEST_MAILPIT:-}" ]; then echo "$PARLEY_TEST_MAILPIT"; exit 0; fi

log() { echo "dev-mailpit: $*" >&2; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

bin=$root/bin/mailpit
# A module build reports its version as "dev", so a stamp file says which one ./bin holds.
if [ ! -x "$bin" ] || [ "$(cat "$bin.version" 2>/dev/null)" != "$version" ]; then
  log "building mailpit $version into $root/bin"
  (cd "$root" && GOBIN="$root/bin" GOFLAGS=-mod=mod go install "github.com/axllent/mailpit@$version") >&2
  echo "$version" >"$bin.version"
fi

mkdir -p "$data_dir/mailpit"
dir=$(cd "$data_dir/mailpit" && pwd)
ours() {
  [ -f "$dir/mailpit.pid" ] && kill -0 "$(cat "$dir/mailpit.pid")" 2>/dev/null &&
    [ -f "$dir/ports" ] && curl -fsS "http://127.0.0.1:$(cut -d' ' -f2 "$dir/ports")/api/v1/info" >/dev/null 2>&1
}
if ours; then
  read -r smtp http <"$dir/ports"
  echo "smtp://127.0.0.1:$smtp http://127.0.0.1:$http"
  exit 0
fi

free_port() {
  local p=$1
  while listening "$p"; do p=$((p + 1)); done
  echo "$p"
}
smtp=$(free_port "${PARLEY_PRIVATE_MAILPIT_PORT:-51025}")
http=$(free_port $((smtp + 1)))
log "starting a private mailpit: SMTP 127.0.0.1:$smtp, HTTP 127.0.0.1:$http, in $dir"
# Test mail only: kept in memory, unlimited (--max 0), loopback alone.
nohup "$bin" --smtp "127.0.0.1:$smtp" --listen "127.0.0.1:$http" --max 0 \
  --smtp-auth-accept-any --smtp-auth-allow-insecure --quiet >"$dir/mailpit.log" 2>&1 &
echo $! >"$dir/mailpit.pid"
echo "$smtp $http" >"$dir/ports"
for _ in $(seq 100); do
  if ours; then
    echo "smtp://127.0.0.1:$smtp http://127.0.0.1:$http"
    exit 0
  fi
  sleep 0.1
done
log "mailpit did not answer; see $dir/mailpit.log"
exit 1
