#!/usr/bin/env bash
# Throughput benchmarks as ratios measured in one run on one machine: each API endpoint's
# requests/second divided by the same server's /healthz (which touches nothing), so the figures
# compare across machines. Uses wrk on loopback for a bounded time; seeds a demo database.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
command -v wrk >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; }
bin="$root/target/release/frontier-portal"
[ -x "$bin" ] || bin="$root/target/debug/frontier-portal"   # `cargo build --release` first for real figures
work=$(mktemp -d -t portal-bench-XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export PORTAL_CONFIG_DIR="$root/config" PORTAL__DATABASE__URL="$work/demo.db" PORTAL__SERVER__DATA_DIR="$work" \
  PORTAL__SERVER__PORT="$port" PORTAL__MAIL__DIR="$work/mail" PORTAL__LOG__LEVEL=warn PORTAL__AUTH__IP_REQUESTS_PER_MINUTE=100000
password=$("$bin" demo | sed -n 's/^password for every DEMO account: //p')
"$bin" serve >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
base="http://127.0.0.1:$port"
token=$(curl -fs -c "$work/cj" -H 'content-type: application/json' -d "{\"email\":\"admin@aurora-ai.example\",\"password\":\"$password\"}" "$base/api/v1/auth/login" >/dev/null &&
  curl -fs -b "$work/cj" -H 'x-requested-with: fetch' -H 'content-type: application/json' -d '{"name":"bench"}' "$base/api/v1/auth/api-tokens" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
rps() { wrk -t2 -c16 -d${BENCH_SECONDS:-5}s -H "Authorization: Bearer $token" "$base$1" | awk '/Requests\/sec/ {print $2}'; }
health=$(rps /healthz)
printf '%-40s %12s %8s\n' endpoint req/s ratio
printf '%-40s %12.0f %8.2f\n' /healthz "$health" 1
for p in /api/v1/auth/me /api/v1/models /api/v1/designation-requests /api/v1/access-grants /api/v1/nominations /api/v1/audit-events; do
  r=$(rps "$p")
  printf '%-40s %12.0f %8.2f\n' "$p" "$r" "$(python3 -c "print($r/$health)")"
done
