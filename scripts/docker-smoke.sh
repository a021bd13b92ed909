#!/usr/bin/env bash
# Builds Parley's image and runs it against PostgreSQL on this machine (--network host): the
# container must turn healthy through its HEALTHCHECK (`parley health`), answer /readyz,
# and run as the nonroot user. It cleans up its container, image tag and database.
#
#   scripts/docker-smoke.sh                     docker build of the Dockerfile as it is
#   scripts/docker-smoke.sh --prebuilt BINARY   where base images cannot be pulled: the
#       Dockerfile's final stage alone, around a static binary built as `make build` does
#       (CGO_ENABLED=0), on a stand-in for the distroless base made from this machine's
#       CA certificates and a passwd file with the nonroot user (65532).
#   scripts/docker-smoke.sh --image TAG         an image built already (kept afterwards)
set -euo pipefail
cd "$(dirname "$0")/.."
tag=parley:smoke-$$
port=${PARLEY_SMOKE_PORT:-18080}
db=parley_docker_smoke_$$
admin_url=$(scripts/dev-db.sh admin)
work=$(mktemp -d)
container=""
built=$tag

cleanup() {
  [ -n "$container" ] && docker rm -f "$container" >/dev/null 2>&1 || true
  docker rmi -f "$built" parley-smoke-runtime:$$ >/dev/null 2>&1 || true
  psql "$admin_url" -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

if [ "${1:-}" = --image ]; then
  tag=${2:?--image needs an image}
  built=""
elif [ "${1:-}" = --prebuilt ]; then
  binary=${2:?--prebuilt needs the path of a static parley binary}
  mkdir -p "$work/root/etc/ssl/certs" "$work/root/tmp" "$work/ctx/data"
  cp /etc/ssl/certs/ca-certificates.crt "$work/root/etc/ssl/certs/"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$work/root/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' >"$work/root/etc/group"
  tar -C "$work/root" -c . | docker import - parley-smoke-runtime:$$ >/dev/null
  cp "$binary" "$work/ctx/parley"
  # The final stage exactly as the Dockerfile has it, reading from the context instead.
  awk '/^FROM /{buf=""} {buf=buf $0 "\n"} END{printf "%s", buf}' Dockerfile |
    sed -e "s#^FROM .*#FROM parley-smoke-runtime:$$#" \
        -e 's#^COPY --from=build /out/parley #COPY parley #' \
        -e 's#^COPY --from=build --chown=\([0-9:]*\) /out/data #COPY --chown=\1 data #' >"$work/ctx/Dockerfile"
  if grep -q -- '--from=' "$work/ctx/Dockerfile"; then
    echo "docker-smoke: the final stage copies something this script does not know" >&2
    exit 1
  fi
  docker build -q -t "$tag" "$work/ctx" >/dev/null
else
  docker build --build-arg VERSION="$(git describe --tags --always --dirty 2>/dev/null || echo dev)" -t "$tag" .
fi

psql "$admin_url" -qc "CREATE DATABASE $db" >/dev/null
db_url=$(printf '%s' "$admin_url" | sed "s#/postgres?#/$db?#")
container=$(docker run -d --network host \
  -e DATABASE_URL="$db_url" -e PARLEY_ADDR="127.0.0.1:$port" \
  -e PARLEY_PUBLIC_URL="http://127.0.0.1:$port" "$tag")

status=""
for _ in $(seq 1 60); do
  status=$(docker inspect -f '{{.State.Health.Status}}' "$container")
  [ "$status" = healthy ] && break
  [ "$(docker inspect -f '{{.State.Running}}' "$container")" = true ] || break
  sleep 1
done
if [ "$status" != healthy ]; then
  echo "docker-smoke: the container is $status, not healthy; its log:" >&2
  docker logs "$container" >&2
  exit 1
fi
ready=$(curl -fsS "http://127.0.0.1:$port/readyz")
# A full build embeds the frontend; a --prebuilt binary may have been built without it.
if [ "${1:-}" != --prebuilt ]; then
  curl -fsS -o /dev/null "http://127.0.0.1:$port/embed.js" || { echo "docker-smoke: /embed.js is missing: the frontend is not embedded" >&2; exit 1; }
fi
user=$(docker inspect -f '{{.Config.User}}' "$tag")
version=$(docker run --rm "$tag" version)
[ "$user" = 65532:65532 ] || { echo "docker-smoke: the image runs as '$user'" >&2; exit 1; }
echo "docker-smoke: ok: healthy, /readyz $ready, user $user, $version"
