#!/usr/bin/env bash
# Runs every fuzz target of the module for FUZZTIME each (default 30s): the packages whose
# tests declare a `func Fuzz...`, asked with `go test -list` for their exact targets, so a new
# target is fuzzed without being added anywhere. (`make test` runs their seed corpora.)
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
fuzztime=${FUZZTIME:-30s}

mapfile -t pkgs < <(git ls-files '*_test.go' | xargs grep -l '^func Fuzz' | xargs -n1 dirname | sort -u | sed 's|^|./|; s|^\./\.$|.|')
if [ ${#pkgs[@]} -eq 0 ]; then
  echo "fuzz: no fuzz targets found" >&2
  exit 1
fi
# `go test -list` prints a package's matching names, then its "ok <import path>" line.
targets=()
names=()
while read -r first second _; do
  case $first in
    Fuzz*) names+=("$first") ;;
    ok)
      for n in "${names[@]}"; do targets+=("$second $n"); done
      names=()
      ;;
  esac
done < <($GO test -list '^Fuzz' "${pkgs[@]}")
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz: go test -list found no fuzz targets in ${pkgs[*]}" >&2
  exit 1
fi
for t in "${targets[@]}"; do
  read -r pkg name <<<"$t"
  echo "fuzz: $name in $pkg for $fuzztime" >&2
  $GO test -run='^$' -fuzz="^$name\$" -fuzztime="$fuzztime" "$pkg"
done
