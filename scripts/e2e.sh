#!/usr/bin/env bash
# Browser journeys against the real server: a fresh demo database in a temp directory, the
# debug binary serving frontend/dist, Debian's Chromium driven by playwright-core.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# Where cargo put the binary `make build` made (a .cargo/config.toml may move the target dir).
target=$(cargo metadata --format-version 1 --no-deps 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])' || echo "${CARGO_TARGET_DIR:-$root/target}")
bin="$target/debug/frontier-portal"
work=$(mktemp -d -t portal-e2e-XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export PORTAL_CONFIG_DIR="$root/config"
export PORTAL__DATABASE__URL="$work/demo.db"
export PORTAL__SERVER__DATA_DIR="$work"
export PORTAL__SERVER__PORT="$port"
# localhost, not 127.0.0.1: a passkey's relying party id must be a host name, never an IP address.
export PORTAL__SERVER__PUBLIC_URL="http://localhost:$port"
export PORTAL__SERVER__STATIC_DIR="$root/frontend/dist"
export PORTAL__MAIL__DIR="$work/mail"
export PORTAL__LOG__LEVEL=warn
password=$("$bin" demo | sed -n 's/^password for every DEMO account: //p')
# Single sign-on: a real OpenID Provider (frontend/tests/oidc/provider.mjs, the npm
# oidc-provider) configured as `auth.oidc.test`, "Sign in with Test ID". It stops when its
# stdin closes, so a descriptor of ours holds it open for the run.
mkfifo "$work/oidc-in"
OIDC_PORT=0 OIDC_CLIENT_ID=portal-e2e OIDC_CLIENT_SECRET=e2e-client-secret-not-secret \
  OIDC_REDIRECT_URIS="http://localhost:$port/api/v1/auth/oidc/test/callback" \
  node frontend/tests/oidc/provider.mjs <"$work/oidc-in" >"$work/oidc.out" 2>"$work/oidc.log" &
oidc=$!
exec 3>"$work/oidc-in"
trap 'kill $oidc 2>/dev/null || true; rm -rf "$work"' EXIT
issuer=
for _ in $(seq 1 100); do
  issuer=$(sed -n 's/^issuer //p' "$work/oidc.out")
  [ -n "$issuer" ] && break
  sleep 0.1
done
[ -n "$issuer" ] || { echo "the test identity provider did not start:"; cat "$work/oidc.log"; exit 1; }
export PORTAL__AUTH__OIDC__TEST__ISSUER="$issuer"
export PORTAL__AUTH__OIDC__TEST__CLIENT_ID=portal-e2e
export PORTAL__AUTH__OIDC__TEST__CLIENT_SECRET=e2e-client-secret-not-secret
export PORTAL__AUTH__OIDC__TEST__DISPLAY_NAME="Test ID"
export E2E_SSO=1
"$bin" serve >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server $oidc 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
cd frontend
PORTAL_URL="http://localhost:$port" PORTAL_DEMO_PASSWORD="$password" npm run --silent e2e || {
  echo "--- server log (last 40 lines) ---"; tail -40 "$work/server.log"; exit 1; }
