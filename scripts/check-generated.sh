#!/usr/bin/env bash
# Fails when `gqlgen generate` would change graph/: the generated code in the repository must
# be what the schema (*.graphqls) and gqlgen.yml make. It generates in place and then puts
# graph/ back as it found it, so it leaves the tree unchanged whatever else is uncommitted.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
snapshot=$(mktemp -d)
cp -a graph "$snapshot/"
restore() {
  cp -a "$snapshot/graph/." graph/
  # Files that generation added.
  (cd graph && find . -type f) | while read -r f; do
    [ -e "$snapshot/graph/$f" ] || rm -f "graph/$f"
  done
  rm -rf "$snapshot"
}
trap restore EXIT
(cd graph && $GO tool gqlgen generate)
if ! diff -ru "$snapshot/graph" graph >&2; then
  echo "check-generated: gqlgen generate changes graph/ as shown above: run 'make generate' and commit the result" >&2
  exit 1
fi
