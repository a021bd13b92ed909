#!/usr/bin/env bash
# Prints the URL of a Redis for Parley's tests, making one available first (for make test):
# PARLEY_TEST_REDIS_URL, else REDIS_URL, wins when set. Otherwise it uses a private
# redis-server of its own under $PARLEY_DATA_DIR/redis (default ./data/redis), started on a
# free loopback port (from $PARLEY_PRIVATE_REDIS_PORT, default 56379, upwards) when it is not
# already running, and installs Debian's redis-server package when it is missing. It never
# takes over a Redis it did not start. Tests keep apart by key prefix. Progress goes to
# stderr; only the URL goes to stdout.
set -euo pipefail
data_dir=${PARLEY_DATA_DIR:-./data}
first_port=${PARLEY_PRIVATE_REDIS_PORT:-56379}

if [ -n "${PARLEY_TEST_REDIS_URL:-}" ]; then echo "$PARLEY_TEST_REDIS_URL"; exit 0; fi
if [ -n "${REDIS_URL:-}" ]; then echo "$REDIS_URL"; exit 0; fi

log() { echo "dev-redis: $*" >&2; }

# listening PORT: whether anything accepts connections on 127.0.0.1:PORT.
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ours PORT: whether our private server answers there (its pid file names a live process).
ours() {
  [ -f "$dir/redis.pid" ] && kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null &&
    [ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = PONG ]
}

if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  log "installing redis-server from Debian's packages"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server) >&2
fi

mkdir -p "$data_dir/redis"
dir=$(cd "$data_dir/redis" && pwd)
if [ -f "$dir/port" ] && ours "$(cat "$dir/port")"; then
  echo "redis://127.0.0.1:$(cat "$dir/port")/0"
  exit 0
fi

port=$first_port
while listening "$port"; do
  port=$((port + 1))
  if [ "$port" -ge $((first_port + 100)) ]; then
    log "no free port in $first_port-$port"
    exit 1
  fi
done
log "starting a private redis-server on 127.0.0.1:$port in $dir"
# Test data only: nothing is saved to disk, and the server listens on loopback alone.
redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --daemonize yes \
  --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --save '' --appendonly no >&2
echo "$port" >"$dir/port"
for _ in $(seq 50); do
  if ours "$port"; then
    echo "redis://127.0.0.1:$port/0"
    exit 0
  fi
  sleep 0.1
done
log "redis-server did not answer on port $port; see $dir/redis.log"
exit 1
