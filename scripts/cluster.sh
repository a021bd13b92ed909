#!/usr/bin/env bash
# Runs on this machine the topology deploy/ describes: three `parley serve` replicas behind
# HAProxy (WebSocket pass-through, health checks on /readyz), a three-node NATS cluster with
# JetStream (nats-server built from the Go module into ./bin), a private PostgreSQL
# (scripts/dev-db.sh) and a private Redis (scripts/dev-redis.sh).
#
#   scripts/cluster.sh start | stop | status
#   scripts/cluster.sh env                     the settings a client needs, as shell lines
# and, for the soak (cmd/parley-soak), one part at a time (HAProxy also serves replica 1
# alone on $PARLEY_CLUSTER_PORT + 10, to measure one replica behind the same proxy):
#   scripts/cluster.sh restart N | kill N | start-replica N     replica N (1-3): SIGTERM and
#                                               start again; kill -9; start a stopped one
#   scripts/cluster.sh kill-nats N | start-nats N               NATS node N (1-3)
#   scripts/cluster.sh restart-pg | stop-redis | start-redis
#
# Everything lives under $PARLEY_CLUSTER_DIR (default ./data/cluster). HAProxy listens on
# 127.0.0.1:$PARLEY_CLUSTER_PORT (default 8080) and the replicas on the three ports above it;
# NATS clients on $PARLEY_CLUSTER_NATS_PORT (default 14222) and the two above, its routes
# 2000 higher and its monitoring 4000 higher. PostgreSQL listens on $PARLEY_PRIVATE_PG_PORT
# (default 55433). Any PARLEY_* setting in the environment of `start` reaches every replica.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
dir=${PARLEY_CLUSTER_DIR:-$root/data/cluster}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
port=${PARLEY_CLUSTER_PORT:-8080}
nats_port=${PARLEY_CLUSTER_NATS_PORT:-14222}
pg_port=${PARLEY_PRIVATE_PG_PORT:-55433}
parley_bin=${PARLEY_BIN:-$root/bin/parley}
nats_bin=$root/bin/nats-server
replicas=(1 2 3)

log() { echo "cluster: $*" >&2; }
die() { log "$*"; exit 1; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# wait_for WHAT TRIES COMMAND...: runs COMMAND every 0.2 s until it succeeds.
wait_for() {
  local what=$1 tries=$2
  shift 2
  for _ in $(seq "$tries"); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  die "$what did not come up"
}

# stop_pid FILE SECONDS: SIGTERM, then SIGKILL after SECONDS.
stop_pid() {
  local f=$1 secs=$2 pid
  alive "$f" || { rm -f "$f"; return 0; }
  pid=$(cat "$f")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq $((secs * 10))); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$f"; return 0; }
    sleep 0.1
  done
  log "pid $pid did not stop in ${secs}s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$f"
}

binaries() {
  if [ ! -x "$nats_bin" ]; then
    log "building nats-server from the Go module into bin/"
    go build -o "$nats_bin" github.com/nats-io/nats-server/v2
  fi
  if [ ! -x "$parley_bin" ]; then
    log "building bin/parley (make build)"
    make build >&2
  fi
  if ! command -v haproxy >/dev/null; then
    log "installing HAProxy from Debian's packages"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy) >&2
  fi
}

# --- PostgreSQL and Redis: private ones, so the soak may restart them -------------------

pg_dir() { echo "$dir/pg"; }
pg_ctl() {
  local bin owner=()
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  [ "$(id -u)" = 0 ] && owner=(runuser -u postgres --)
  "${owner[@]}" "$bin/pg_ctl" -D "$(pg_dir)" -l "$(pg_dir)/server.log" -w "$@" >&2
}

start_pg() {
  local url
  url=$(PARLEY_PRIVATE_PG=1 PARLEY_DATA_DIR="$dir" PARLEY_PRIVATE_PG_PORT=$pg_port DATABASE_URL= scripts/dev-db.sh)
  echo "$url" >"$dir/database-url"
}

start_redis() {
  local url
  url=$(PARLEY_DATA_DIR="$dir" PARLEY_TEST_REDIS_URL= REDIS_URL= scripts/dev-redis.sh)
  echo "$url" >"$dir/redis-url"
}

stop_redis() { stop_pid "$dir/redis/redis.pid" 10; }

# --- NATS -------------------------------------------------------------------------------

nats_url() {
  local i urls=()
  for i in "${replicas[@]}"; do urls+=("nats://127.0.0.1:$((nats_port + i - 1))"); done
  (IFS=,; echo "${urls[*]}")
}

start_nats() {
  local i=$1 d=$dir/nats/n$1 routes=() j
  mkdir -p "$d"
  for j in "${replicas[@]}"; do routes+=("nats-route://127.0.0.1:$((nats_port + 2000 + j - 1))"); done
  cat >"$d/nats.conf" <<EOF
server_name: n$i
listen: 127.0.0.1:$((nats_port + i - 1))
http: 127.0.0.1:$((nats_port + 4000 + i - 1))
jetstream { store_dir: "$d/store", max_memory_store: 64MB, max_file_store: 2GB }
cluster { name: parley, listen: 127.0.0.1:$((nats_port + 2000 + i - 1)), routes: [ $(IFS=,; echo "${routes[*]}") ] }
EOF
  alive "$d/pid" && return 0
  nohup "$nats_bin" -c "$d/nats.conf" >>"$d/log" 2>&1 &
  echo $! >"$d/pid"
}

nats_ready() { curl -fsS "http://127.0.0.1:$((nats_port + 4000 + $1 - 1))/healthz" >/dev/null; }

# --- Parley replicas --------------------------------------------------------------------

replica_port() { echo $((port + $1)); }

write_settings() {
  local password
  [ -f "$dir/admin-password" ] || head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$dir/admin-password"
  {
    # The caller's own PARLEY_* settings first, so that the cluster's own win below.
    env | grep -E '^PARLEY_[A-Z0-9_]+=' | grep -vE '^PARLEY_(ADDR|DATA_DIR|CLUSTER_[A-Z_]*|PRIVATE_[A-Z_]*|BIN)=' | sed 's/^/export /; s/=\(.*\)$/="\1"/' || true
    echo "export DATABASE_URL=\"$(cat "$dir/database-url")\""
    echo "export REDIS_URL=\"$(cat "$dir/redis-url")\""
    echo "export NATS_URL=\"$(nats_url)\""
    echo "export PARLEY_NATS_REPLICAS=3"
    echo "export PARLEY_INSTANCE=\${PARLEY_INSTANCE:-cluster}"
    echo "export PARLEY_PUBLIC_URL=\${PARLEY_PUBLIC_URL:-http://localhost:$port}"
    echo "export PARLEY_TRUST_PROXY=true"
    # Longer than HAProxy takes to see two failed checks a second apart.
    echo "export PARLEY_DRAIN_DELAY=\${PARLEY_DRAIN_DELAY:-3s}"
    echo "export PARLEY_SHUTDOWN_TIMEOUT=\${PARLEY_SHUTDOWN_TIMEOUT:-10s}"
    echo "export PARLEY_DEMO=\${PARLEY_DEMO:-true}"
    echo "export PARLEY_ADMIN_EMAIL=admin@parley.localhost"
    echo "export PARLEY_ADMIN_PASSWORD_FILE=$dir/admin-password"
  } >"$dir/replica.env"
}

start_replica() {
  local i=$1 d=$dir/parley-$1
  mkdir -p "$d"
  alive "$d/pid" && return 0
  (
    # shellcheck disable=SC1091
    . "$dir/replica.env"
    export PARLEY_ADDR=127.0.0.1:$(replica_port "$i") PARLEY_DATA_DIR=$d
    nohup "$parley_bin" serve >>"$d/log" 2>&1 &
    echo $! >"$d/pid"
  )
}

replica_ready() { curl -fsS "http://127.0.0.1:$(replica_port "$1")/readyz" >/dev/null; }

stop_replica() { stop_pid "$dir/parley-$1/pid" 30; }

# --- HAProxy ----------------------------------------------------------------------------

start_haproxy() {
  local i
  {
    cat <<EOF
global
  maxconn 8000
  pidfile $dir/haproxy.pid
  stats socket $dir/haproxy.sock mode 600 level admin

defaults
  mode http
  log global
  option forwardfor
  # A request whose connection a replica refused goes to another one; nothing that reached a
  # replica is sent twice.
  retries 3
  option redispatch 1
  retry-on conn-failure
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  # WebSockets: once upgraded, a connection is a tunnel that may stay idle between events.
  timeout tunnel 1h
  timeout http-keep-alive 10s
  # A health check may take a while on a busy machine: without this, a check times out after
  # "inter" and a slow moment takes every replica out at once.
  timeout check 2s

frontend parley
  bind 127.0.0.1:$port
  default_backend replicas

# Replica 1 alone behind the same proxy, for the soak's throughput of one replica against
# three measured the same way.
frontend single
  bind 127.0.0.1:$((port + 10))
  default_backend one

backend one
  option httpchk GET /readyz
  http-check expect status 200
  server r1 127.0.0.1:$(replica_port 1) check inter 1s fall 2 rise 2

backend replicas
  balance roundrobin
  # /readyz answers 503 as soon as a replica begins to shut down, and goes on serving for
  # PARLEY_DRAIN_DELAY (3 s: more than two failed checks a second apart), so it leaves the
  # rotation before its listener closes.
  option httpchk GET /readyz
  http-check expect status 200
  default-server inter 1s fall 2 rise 2
EOF
    for i in "${replicas[@]}"; do echo "  server r$i 127.0.0.1:$(replica_port "$i") check"; done
  } >"$dir/haproxy.cfg"
  alive "$dir/haproxy.pid" && return 0
  haproxy -f "$dir/haproxy.cfg" -D
}

# --- commands ---------------------------------------------------------------------------

start() {
  binaries
  log "PostgreSQL (private, port $pg_port)"
  start_pg
  log "Redis (private)"
  start_redis
  log "NATS nodes on ports $nats_port-$((nats_port + 2))"
  for i in "${replicas[@]}"; do start_nats "$i"; done
  for i in "${replicas[@]}"; do wait_for "NATS node $i" 150 nats_ready "$i"; done
  write_settings
  log "Parley replicas on ports $(replica_port 1)-$(replica_port 3)"
  for i in "${replicas[@]}"; do start_replica "$i"; done
  for i in "${replicas[@]}"; do wait_for "replica $i (see $dir/parley-$i/log)" 300 replica_ready "$i"; done
  start_haproxy
  wait_for "HAProxy" 50 curl -fsS "http://127.0.0.1:$port/readyz"
  log "up: http://localhost:$port (admin@parley.localhost, password in $dir/admin-password)"
}

stop() {
  stop_pid "$dir/haproxy.pid" 5
  for i in "${replicas[@]}"; do stop_replica "$i" & done
  wait
  for i in "${replicas[@]}"; do stop_pid "$dir/nats/n$i/pid" 20; done
  stop_redis
  if [ -f "$(pg_dir)/postmaster.pid" ]; then pg_ctl stop -m fast || true; fi
  log "stopped"
}

status() {
  local i state
  show() { printf '%-10s %-8s %s\n' "$1" "$2" "$3"; }
  alive "$dir/haproxy.pid" && state=up || state=down
  show haproxy "$state" "http://127.0.0.1:$port"
  for i in "${replicas[@]}"; do
    state=down
    alive "$dir/parley-$i/pid" && state=running
    [ $state = running ] && replica_ready "$i" && state=ready
    show "parley-$i" "$state" "http://127.0.0.1:$(replica_port "$i") pid $(cat "$dir/parley-$i/pid" 2>/dev/null || echo -)"
  done
  for i in "${replicas[@]}"; do
    state=down
    alive "$dir/nats/n$i/pid" && state=running
    [ $state = running ] && nats_ready "$i" && state=ready
    show "nats-n$i" "$state" "nats://127.0.0.1:$((nats_port + i - 1))"
  done
  state=down
  [ -f "$(pg_dir)/postmaster.pid" ] && state=up
  show postgres "$state" "$(cat "$dir/database-url" 2>/dev/null || echo -)"
  state=down
  alive "$dir/redis/redis.pid" && state=up
  show redis "$state" "$(cat "$dir/redis-url" 2>/dev/null || echo -)"
}

cmd=${1:-}
n=${2:-}
need_n() { [[ "$n" =~ ^[123]$ ]] || die "$cmd needs a node number, 1 to 3"; }
case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env)
    echo "PARLEY_CLUSTER_URL=http://127.0.0.1:$port"
    echo "PARLEY_CLUSTER_SINGLE_URL=http://127.0.0.1:$((port + 10))"
    echo "DATABASE_URL=$(cat "$dir/database-url")"
    echo "REDIS_URL=$(cat "$dir/redis-url")"
    echo "NATS_URL=$(nats_url)"
    echo "PARLEY_CLUSTER_DIR=$dir"
    for i in "${replicas[@]}"; do echo "PARLEY_REPLICA_$i=http://127.0.0.1:$(replica_port "$i")"; done
    ;;
  restart)
    need_n
    stop_replica "$n"
    start_replica "$n"
    wait_for "replica $n" 300 replica_ready "$n"
    ;;
  kill) need_n; kill -KILL "$(cat "$dir/parley-$n/pid")"; rm -f "$dir/parley-$n/pid" ;;
  start-replica) need_n; start_replica "$n"; wait_for "replica $n" 300 replica_ready "$n" ;;
  kill-nats) need_n; kill -KILL "$(cat "$dir/nats/n$n/pid")"; rm -f "$dir/nats/n$n/pid" ;;
  start-nats) need_n; start_nats "$n"; wait_for "NATS node $n" 300 nats_ready "$n" ;;
  restart-pg) pg_ctl restart -m fast ;;
  restart-haproxy) stop_pid "$dir/haproxy.pid" 5; start_haproxy ;;
  stop-redis) stop_redis ;;
  start-redis) start_redis ;;
  *) die "usage: scripts/cluster.sh start|stop|status|env|restart N|kill N|start-replica N|kill-nats N|start-nats N|restart-pg|stop-redis|start-redis" ;;
esac
