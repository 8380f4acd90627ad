#!/usr/bin/env bash
# frontend/src/api/schema.d.ts is generated from the OpenAPI document the server serves
# (`frontier-portal openapi` prints it without a server) by openapi-typescript.
#   scripts/api-types.sh          regenerate it (make api-types)
#   scripts/api-types.sh --check  fail if the committed file differs from a fresh generation
#                                 (make test runs this, so a stale file fails the build)
set -euo pipefail
cd "$(dirname "$0")/.."
out=frontend/src/api/schema.d.ts
tmp=$(mktemp -d -t portal-api-types-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
"${CARGO:-cargo}" run --quiet --bin frontier-portal -- openapi >"$tmp/openapi.json"
(cd frontend && npx --no-install openapi-typescript "$tmp/openapi.json" --output "$tmp/schema.d.ts" >/dev/null)
if [ "${1:-}" = "--check" ]; then
  if ! diff -u "$out" "$tmp/schema.d.ts" >"$tmp/diff"; then
    head -40 "$tmp/diff"
    echo "$out is stale: the OpenAPI document changed. Run \`make api-types\` and commit the result." >&2
    exit 1
  fi
  echo "$out matches the OpenAPI document"
else
  cp "$tmp/schema.d.ts" "$out"
  echo "wrote $out"
fi
