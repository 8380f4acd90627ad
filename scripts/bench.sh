#!/usr/bin/env bash
# Benchmarks as ratios measured in one run on one machine (figures compare across machines):
# each list's requests/second divided by the same server's /healthz, for every kind of caller,
# at a small size and again after `bench-seed` grows the database to a million rows; the p99
# ratio between the two sizes; idle CPU at both sizes; resident memory after the run.
# Then sign-in: logins/second against the argon2 limit (cores ÷ one sign-in's time alone), and a
# read's p99 during a login storm against its p99 alone.
# wrk on loopback, bounded in time (BENCH_SECONDS per endpoint, default 5). BENCH_LARGE=0 skips
# the million rows (a quick run while working on memory or sign-in).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
command -v wrk >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; }
bin="${BENCH_BIN:-$root/target/release/frontier-portal}"
[ -x "$bin" ] || { echo "build the release binary first (make bench does)"; exit 1; }
secs=${BENCH_SECONDS:-5}
work=$(mktemp -d -t portal-bench-XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export PORTAL_CONFIG_DIR="$root/config" PORTAL__DATABASE__URL="$work/demo.db" PORTAL__SERVER__DATA_DIR="$work" \
  PORTAL__SERVER__PORT="$port" PORTAL__MAIL__DIR="$work/mail" PORTAL__LOG__LEVEL=warn PORTAL__AUTH__IP_REQUESTS_PER_MINUTE=1000000
"$bin" demo >"$work/demo.log"
password=$(sed -n 's/^password for every DEMO account: //p' "$work/demo.log")
secret=$(sed -n 's/^authenticator app, or compute the 6-digit code, RFC 6238 SHA-1\/30 s): //p' "$work/demo.log")
base="http://127.0.0.1:$port"
server=
start() { # (environment assignments before `start` reach the server)
  "$bin" serve >>"$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -fs "$base/readyz" >/dev/null 2>&1 && return; sleep 0.1; done
  echo "server did not start"; cat "$work/server.log"; exit 1
}
stop() { [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true; server=; }
trap 'stop; rm -rf "$work"' EXIT

# token_for EMAIL: signs in as a client does (with the TOTP code when the account has a second
# factor, as the demo's agency and operator accounts do) and makes an API token for the run.
token_for() {
  local jar="$work/cj-$1"
  if curl -fs -c "$jar" -H 'content-type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"$password\"}" "$base/api/v1/auth/login" | grep -q '"mfa_required":true'; then
    local code
    code=$(python3 scripts/totp.py "$secret")
    curl -fs -b "$jar" -c "$jar" -H 'content-type: application/json' \
      -d "{\"code\":\"$code\"}" "$base/api/v1/auth/login/mfa" >/dev/null
  fi
  curl -fs -b "$jar" -H 'x-requested-with: fetch' -H 'content-type: application/json' \
    -d '{"name":"bench","expires_in_days":1}' "$base/api/v1/auth/api-tokens" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

# "req/s p99_ms" of one endpoint.
measure() {
  local out
  out=$(wrk -t2 -c16 -d"${secs}s" --latency -H "Authorization: Bearer $2" "$base$1")
  python3 - "$out" <<'EOF'
import re, sys
t = sys.argv[1]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
m = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", t)
p99 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
print(f"{rps} {p99}")
EOF
}

idle_cpu() { # percent of one core used by the idle server over 10 s
  local a b
  a=$(awk '{print $14+$15}' "/proc/$server/stat"); sleep 10; b=$(awk '{print $14+$15}' "/proc/$server/stat")
  python3 -c "print(round(($b-$a)/$(getconf CLK_TCK)/10*100, 2))"
}

lists=(
  "developer /api/v1/partner-grants" "developer /api/v1/access-grants" "developer /api/v1/audit-events"
  "developer /api/v1/designation-requests" "developer /api/v1/nominations" "developer /api/v1/models"
  "developer /api/v1/terms" "nsa /api/v1/access-grants" "nsa /api/v1/partner-grants"
  "nsa /api/v1/audit-events" "partner /api/v1/partner-grants"
)

declare -A small
run_size() { # label
  local h
  read -r h _ <<<"$(measure /healthz "${tok[developer]}")"
  echo "== $1: /healthz $h req/s; idle CPU $(idle_cpu)% of a core"
  printf '%-10s %-32s %10s %8s %9s %12s\n' caller list req/s ratio p99_ms p99_vs_small
  for l in "${lists[@]}"; do
    read -r who path <<<"$l"
    read -r rps p99 <<<"$(measure "$path" "${tok[$who]}")"
    local key="$who $path" rel="-"
    if [ "$1" = small ]; then small[$key]=$p99; elif [ "$1" = large ]; then rel=$(python3 -c "print(round($p99/${small[$key]},2))"); fi
    printf '%-10s %-32s %10.0f %8.3f %9.2f %12s\n' "$who" "$path" "$rps" "$(python3 -c "print($rps/$h)")" "$p99" "$rel"
  done
}

declare -A tok
"$bin" bench-seed --partner-orgs 200 --partner-grants 10000 --own-partner-grants 500 --access-grants 1000 \
  --log-rows 10000 --audit-events 10000
start
tok[developer]=$(token_for admin@aurora-ai.example)
tok[nsa]=$(token_for reviewer@nsa.example)
tok[partner]=$(token_for security@ruralhealth.example)
run_size small
if [ "${BENCH_LARGE:-1}" = 1 ]; then
stop
"$bin" bench-seed --partner-orgs 1800 --partner-grants 90000 --own-partner-grants 0 --access-grants 9000 \
  --log-rows 990000 --audit-events 990000
start
run_size large
fi
echo "resident memory after the run: $(awk '/VmRSS/ {print $2/1024 " MB"}' "/proc/$server/status")"
if [ "${BENCH_LARGE:-1}" = 1 ]; then
# The same lists with the page cache off (server.page_cache_kib = 0): every answer is built,
# as for a caller who never asks for the same page twice between two changes. wrk asks for one
# page again and again, so with the cache on (above) nearly every answer is a kept one.
stop
PORTAL__SERVER__PAGE_CACHE_KIB=0 start
run_size "large, page cache off (every answer built; p99 not compared: the 10k run kept its pages)"
stop
start
fi

# Sign-in. Correct passwords of the demo accounts without a second factor, posted by wrk in
# turn (a login is one argon2 verify): one account at 8 connections would be a parallel guess,
# which the lockout counts before checking (DESIGN §6). Only 200 answers count as sign-ins.
cat >"$work/login.lua" <<EOF
wrk.method = "POST"
wrk.headers["content-type"] = "application/json"
local emails = {"admin@aurora-ai.example", "engineer@aurora-ai.example", "admin@northwind.example",
  "security@ruralhealth.example", "analyst@ruralhealth.example", "em@lakesidecounty.example",
  "it@prairiebank.example", "ops@riverwater.example"}
local i = 0
request = function()
  i = i + 1
  local body = '{"email":"' .. emails[i % #emails + 1] .. '","password":"$password"}'
  return wrk.format(nil, nil, nil, body)
end
EOF
login() { # connections seconds -> "successful sign-ins/s mean_ms"
  wrk -t1 -c"$1" -d"$2s" --latency -s "$work/login.lua" "$base/api/v1/auth/login" | python3 -c '
import re, sys
t = sys.stdin.read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
total = int(re.search(r"(\d+) requests in", t).group(1))
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
ok = 1 - (int(bad.group(1)) / total if bad and total else 0)
m = re.search(r"Latency\s+([\d.]+)(us|ms|s)\b", t)
print(rps * ok, float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)])'
}
cores=$(nproc)
read -r _ one_ms <<<"$(login 1 "$secs")"
read -r storm_rps _ <<<"$(login $((cores * 4)) "$secs")"
limit=$(python3 -c "print($cores / ($one_ms / 1000))")
echo "sign-in: $(python3 -c "print(round($storm_rps, 1))") logins/s at $((cores * 4)) connections; argon2 limit $cores cores ÷ ${one_ms} ms = $(python3 -c "print(round($limit, 1))")/s; ratio $(python3 -c "print(round($storm_rps / $limit, 2))")"
read -r _ idle_p99 <<<"$(measure /api/v1/partner-grants "${tok[partner]}")"
login $((cores * 4)) $((secs + 2)) >/dev/null &
storm=$!
sleep 1
read -r _ storm_p99 <<<"$(measure /api/v1/partner-grants "${tok[partner]}")"
wait "$storm"
echo "read p99 (partner /api/v1/partner-grants): ${idle_p99} ms alone, ${storm_p99} ms during the login storm; ratio $(python3 -c "print(round($storm_p99 / $idle_p99, 2))")"
