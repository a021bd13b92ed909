#!/bin/sh
# Validates docker-compose.yml with Compose itself (`config -q`): the Compose plug-in when
# Docker has it, else Debian's docker-compose, installed here when missing and apt-get is at
# hand. Without either, it says so and skips only this check.
set -eu
cd "$(dirname "$0")/.."

if docker compose version >/dev/null 2>&1; then
  exec docker compose -f docker-compose.yml config -q
fi
if ! command -v docker-compose >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "compose-check: installing docker-compose from Debian's packages" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose) >&2 || true
fi
if command -v docker-compose >/dev/null 2>&1; then
  exec docker-compose -f docker-compose.yml config -q
fi
echo "compose-check: skipped: neither 'docker compose' nor 'docker-compose' is installed" >&2
