#!/usr/bin/env bash
# Prints the URL of a PostgreSQL database for Parley, making one available first:
#   scripts/dev-db.sh        a database named "parley" (for make run)
#   scripts/dev-db.sh admin  a superuser URL that may create databases (for make test)
# DATABASE_URL (or PARLEY_TEST_DATABASE_URL for admin) wins when set. Otherwise it uses the
# server on 127.0.0.1:5432 when one answers, and else starts a private cluster under
# $PARLEY_DATA_DIR/pg (default ./data/pg) from the system's PostgreSQL, installing Debian's
# package when it is missing. PARLEY_PRIVATE_PG=1 skips the server on 5432 and always uses
# the private cluster (scripts/cluster.sh does, so its soak may restart PostgreSQL without
# touching anyone else's). Progress goes to stderr; only the URL goes to stdout.
set -euo pipefail
mode=${1:-app}
data_dir=${PARLEY_DATA_DIR:-./data}
private_port=${PARLEY_PRIVATE_PG_PORT:-55432}

if [ "$mode" = app ] && [ -n "${DATABASE_URL:-}" ]; then echo "$DATABASE_URL"; exit 0; fi
if [ "$mode" = admin ] && [ -n "${PARLEY_TEST_DATABASE_URL:-}" ]; then echo "$PARLEY_TEST_DATABASE_URL"; exit 0; fi

log() { echo "dev-db: $*" >&2; }

# answers HOST PORT: whether a PostgreSQL server accepts connections there as postgres.
answers() { psql "postgres://postgres@$1:$2/postgres?sslmode=disable&connect_timeout=3" -Atqc 'select 1' >/dev/null 2>&1; }

pg_bin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$d" ]; then
    log "installing PostgreSQL from Debian's packages"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
    d=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  echo "$d"
}

start_private() {
  local bin dir owner
  bin=$(pg_bin)
  mkdir -p "$data_dir"
  dir=$(cd "$data_dir" && pwd)/pg
  # initdb and postgres refuse to run as root; run them as the postgres user then.
  owner=()
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    owner=(runuser -u postgres --)
  fi
  if [ ! -f "$dir/PG_VERSION" ]; then
    log "creating a private cluster in $dir"
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir" && chmod 700 "$dir"
    "${owner[@]}" "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 >&2
  fi
  log "starting the private cluster on 127.0.0.1:$private_port"
  "${owner[@]}" "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $private_port -k $dir" start >&2
}

host=127.0.0.1 port=5432
if [ "${PARLEY_PRIVATE_PG:-}" = 1 ] || ! answers $host $port; then
  port=$private_port
  answers $host $port || start_private
fi
if [ "$mode" = admin ]; then
  echo "postgres://postgres@$host:$port/postgres?sslmode=disable"
  exit 0
fi
if [ "$(psql "postgres://postgres@$host:$port/postgres?sslmode=disable" -Atqc "select 1 from pg_database where datname = 'parley'")" != 1 ]; then
  log "creating database parley on $host:$port"
  psql "postgres://postgres@$host:$port/postgres?sslmode=disable" -qc 'CREATE DATABASE parley' >&2
fi
echo "postgres://postgres@$host:$port/parley?sslmode=disable"
