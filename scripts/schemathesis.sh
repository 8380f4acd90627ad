#!/usr/bin/env bash
# A bounded schemathesis run against the real server: is /api/openapi.json the truth?
#
#   scripts/schemathesis.sh [sqlite|postgres]...     (default: both, in parallel)
#
# For each backend: a fresh demo database (SQLite file, or a throw-away PostgreSQL cluster made
# with initdb/pg_ctl like tests/api/helpers.rs does), the debug binary serving it, then
# `st run --checks all` once per role kind, each with an API token of a demo account:
#   operator, developer admin, developer member, government reviewer (NSA admin),
#   government member (NSA analyst), partner (Rural Health security).
# Any failed check or 5xx fails the script. Bounded by ST_EXAMPLES (examples per operation in
# the examples, fuzzing and stateful phases, default 2): every role runs those phases on both
# backends; the coverage phase (deterministic: each schema rule's boundaries and violations,
# about 2,000 cases a role, not bounded by the example count) runs for one role on each
# backend (see the role list below), so that both backends together take under 3 minutes on
# 2 cores beside the browser journeys.
# ST_PHASES=all gives every role every phase on both (about 5 minutes). One worker per run:
# CPython 3.11 (Debian 12's python3) can fail "AST constructor recursion depth mismatch" when
# hypothesis parses sources in two threads at once, and the runs are CPU-bound anyway.
#
# What is kept away from the fuzzer, so that the demo accounts stay usable for the whole run:
#   - DELETE /api/v1/auth/api-tokens/{id}: the stateful phase links it to GET /auth/api-tokens,
#     whose ids include the run's own token. Fuzzed last, on its own, with a token made for it.
#     DELETE /api/v1/auth/sessions/{id} likewise (GET /auth/sessions lists the run's token).
#   - PATCH /api/v1/admin/users/{id}: the operator could disable the other demo accounts (and
#     their tokens) while their runs go on. Fuzzed last, on its own, after every role ran.
#   - /api/v1/organizations/me: its PATCH may require a second factor for the organization,
#     which holds its members (403 mfa_enrollment_required) for the runs after. Fuzzed last, on
#     its own, as a developer admin whose organization no other run uses.
#   - Nothing else needs excluding: POST /auth/logout ends only a cookie session (the runs send
#     a bearer token); login/signup/reset are fuzzed with generated emails, so no demo account
#     is locked out or has its password changed (reset confirm needs a mailed token); the
#     per-IP limit of /auth/* is raised (PORTAL__AUTH__IP_REQUESTS_PER_MINUTE) so that the
#     fuzzer is not answered 429 for its own speed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# Where cargo put the binary `make build` made (a .cargo/config.toml may move the target dir).
target=$(cargo metadata --format-version 1 --no-deps 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])' || echo "${CARGO_TARGET_DIR:-$root/target}")
bin="$target/debug/frontier-portal"
st=${ST_BIN:-$HOME/.cache/frontier-portal/st-venv/bin/st}
examples=${ST_EXAMPLES:-2}
phases=${ST_PHASES:-}
seed=${ST_SEED:-20260601}
backends=("$@")
((${#backends[@]})) || backends=(sqlite postgres)

[ -x "$bin" ] || { echo "no $bin: run cargo build --bin frontier-portal" >&2; exit 1; }
[ -x "$st" ] || { echo "no schemathesis at $st: run make st-deps" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

pg_bindir() {
  local d
  d=$(pg_config --bindir 2>/dev/null || true)
  [ -n "$d" ] && [ -x "$d/initdb" ] && { echo "$d"; return; }
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

# as_pg CMD...: PostgreSQL binaries refuse to run as root.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# One backend: prints a summary line per role and returns non-zero on any failure.
run_backend() {
  local backend=$1 work port url pgport pgbin pgdata server rc=0
  work=$(mktemp -d -t "portal-st-$backend-XXXXXX")
  port=$(free_port)
  local cleanup="kill \$server 2>/dev/null; wait \$server 2>/dev/null"
  if [ "$backend" = postgres ]; then
    pgbin=$(pg_bindir)
    [ -x "$pgbin/initdb" ] || { echo "[$backend] no PostgreSQL binaries" >&2; return 1; }
    pgport=$(free_port)
    pgdata="$work/pg"
    mkdir -p "$pgdata"
    [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$work"
    as_pg "$pgbin/initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
    as_pg "$pgbin/pg_ctl" -D "$pgdata" -l "$work/pg.log" -w \
      -o "-p $pgport -k $work -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null
    cleanup="$cleanup; as_pg $pgbin/pg_ctl -D $pgdata -m immediate -w stop >/dev/null 2>&1"
    as_pg "$pgbin/psql" -h 127.0.0.1 -p "$pgport" -U postgres -qc "create database portal" >/dev/null
    url="postgres://postgres@127.0.0.1:$pgport/portal"
  else
    url="$work/portal.db"
  fi
  # shellcheck disable=SC2064
  trap "$cleanup; rm -rf $work" RETURN
  (
    export PORTAL_CONFIG_DIR="$root/config"
    export PORTAL__DATABASE__URL="$url"
    export PORTAL__SERVER__DATA_DIR="$work"
    export PORTAL__SERVER__PORT="$port"
    export PORTAL__SERVER__PUBLIC_URL="http://127.0.0.1:$port"
    export PORTAL__SERVER__STATIC_DIR="$work/no-frontend"
    export PORTAL__MAIL__DIR="$work/mail"
    export PORTAL__LOG__LEVEL=warn
    export PORTAL__AUTH__IP_REQUESTS_PER_MINUTE=1000000
    "$bin" demo >"$work/demo.log"
    exec "$bin" serve >"$work/server.log" 2>&1
  ) &
  server=$!
  local base="http://127.0.0.1:$port"
  for _ in $(seq 1 200); do
    curl -fs "$base/readyz" >/dev/null 2>&1 && break
    sleep 0.1
  done
  local password
  password=$(sed -n 's/^password for every DEMO account: //p' "$work/demo.log")

  local secret
  secret=$(sed -n 's/^authenticator app, or compute the 6-digit code, RFC 6238 SHA-1\/30 s): //p' "$work/demo.log")

  # token EMAIL NAME: signs in (with the TOTP code when the account has a second factor, as the
  # demo's agency and operator accounts do) and makes an API token for the run. The n-th sign-in
  # of an address uses the code of step now-1+n, so that two sign-ins within 30 s each have one
  # (the server accepts each code once, from one step before now to one after).
  token() {
    local jar="$work/jar-$2" uses="$work/uses-$1"
    local n; n=$(cat "$uses" 2>/dev/null || echo 0); echo $((n + 1)) >"$uses"
    if curl -fs -c "$jar" -H 'content-type: application/json' \
      -d "{\"email\":\"$1\",\"password\":\"$password\"}" "$base/api/v1/auth/login" | grep -q '"mfa_required":true'; then
      local code
      code=$(python3 "$root/scripts/totp.py" "$secret" $((n - 1)))
      curl -fs -b "$jar" -c "$jar" -H 'content-type: application/json' \
        -d "{\"code\":\"$code\"}" "$base/api/v1/auth/login/mfa" >/dev/null
    fi
    curl -fs -b "$jar" -H 'content-type: application/json' -H 'x-requested-with: fetch' \
      -d "{\"name\":\"schemathesis $2\",\"expires_in_days\":1}" "$base/api/v1/auth/api-tokens" |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
  }

  # fuzz NAME TOKEN COVERAGE ARGS...: one st run (with the coverage phase if COVERAGE is 1);
  # its log in $work, its summary on stdout.
  fuzz() {
    local name=$1 tok=$2 ph=examples,fuzzing,stateful
    [ "$3" = 1 ] || [ "$phases" = all ] && ph=examples,coverage,fuzzing,stateful
    [ -n "$phases" ] && [ "$phases" != all ] && ph=$phases
    shift 3
    local log="$work/st-$name.log" auth=()
    [ -n "$tok" ] && auth=(-H "Authorization: Bearer $tok")
    # Run from $work: schemathesis keeps a cache directory in its working directory.
    if (cd "$work" && "$st" --config-file "$root/scripts/schemathesis.toml" run "$base/api/openapi.json" --url "$base" \
      "${auth[@]}" \
      --checks all --max-examples "$examples" --phases "$ph" --seed "$seed" \
      --generation-database none --generation-with-security-parameters false \
      --workers "${ST_WORKERS:-1}" --no-color --suppress-health-check all "$@" >"$log" 2>&1); then
      echo "[$backend] $name: ok: $(grep -A1 '^Test cases:' "$log" | tail -1 | sed 's/^ *//')"
    else
      echo "[$backend] $name: FAILED: $(grep -A1 '^Test cases:' "$log" | tail -1 | sed 's/^ *//')"
      sed -n '/^Failures:/,/^Test cases:/p' "$log" || true
      sed -n '/FAILURES/,$p' "$log" | head -${ST_SHOW:-400} || true
      rc=1
    fi
  }

  # The public operations read no credential: fuzzed once, without one; the roles skip them.
  local public='^/(healthz|readyz|metrics)$|^/api/v1/auth/(signup|verify-email|login|login/mfa|password-reset/.*|invitations/.*)$'
  local keep_out=(--exclude-path-regex "$public"
    --exclude-path '/api/v1/auth/api-tokens/{id}' --exclude-path '/api/v1/auth/sessions/{id}'
    --exclude-path '/api/v1/admin/users/{id}'
    --exclude-path '/api/v1/organizations/me')
  fuzz public "" 1 --include-path-regex "$public"
  local role email on=sqlite
  # ROLE:EMAIL:BACKEND — BACKEND is where the role also gets the coverage phase. Coverage walks
  # the document's rules for every operation (bodies and parameters are checked before roles,
  # so any caller meets them all): one role per backend, the two with the most write routes.
  for role in operator:operator@portal.example:none \
    developer-admin:admin@aurora-ai.example:postgres \
    developer-member:engineer@aurora-ai.example:none \
    government-reviewer:reviewer@nsa.example:sqlite \
    government-member:analyst@nsa.example:none \
    partner:security@ruralhealth.example:none; do
    IFS=: read -r role email on <<<"$role"
    fuzz "$role" "$(token "$email" "$role")" "$([ "$on" = "$backend" ] && echo 1)" "${keep_out[@]}"
  done
  fuzz revoke-token "$(token admin@aurora-ai.example revoke)" 1 --include-path '/api/v1/auth/api-tokens/{id}'
  fuzz end-session "$(token admin@aurora-ai.example end)" 1 --include-path '/api/v1/auth/sessions/{id}'
  fuzz patch-user "$(token operator@portal.example patch)" 1 --include-path '/api/v1/admin/users/{id}'
  fuzz org-policy "$(token admin@northwind.example org)" 1 --include-path '/api/v1/organizations/me'
  if grep -q ' 5[0-9][0-9] \|panicked' "$work/server.log"; then
    echo "[$backend] server log shows 5xx or a panic:"; grep ' 5[0-9][0-9] \|panicked' "$work/server.log" | head -20
    rc=1
  fi
  [ -n "${ST_KEEP:-}" ] && cp -r "$work" "${ST_KEEP}-$backend"
  return $rc
}

start=$(date +%s)
pids=()
for b in "${backends[@]}"; do
  run_backend "$b" >"/tmp/st-$b-$$.out" 2>&1 &
  pids+=($!)
done
status=0
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || status=1
  cat "/tmp/st-${backends[$i]}-$$.out"
  rm -f "/tmp/st-${backends[$i]}-$$.out"
done
echo "schemathesis: ${backends[*]} in $(($(date +%s) - start)) s: $([ $status = 0 ] && echo ok || echo FAILED)"
exit $status
