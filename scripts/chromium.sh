#!/usr/bin/env bash
# Installs what the browser tests need when it is missing: Debian's Chromium (browsers cannot
# be downloaded by playwright here; the system package is what the tests drive) and fonts,
# among them a colour emoji font, so that reaction icons and screenshots show what readers
# see rather than empty boxes.
set -euo pipefail
packages=(chromium fonts-dejavu-core fonts-noto-color-emoji)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >&2
