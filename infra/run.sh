#!/usr/bin/env bash
# The README's run command: starts PostgreSQL and RabbitMQ, builds, migrates, loads seeds/, then runs the API and the
# worker until Ctrl-C, which stops all four.
#   infra/run.sh            (API on http://127.0.0.1:5080; set API_PORT to change it)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/env.sh"
cd "$REPO"
API_PORT="${API_PORT:-5080}"
URL="http://127.0.0.1:$API_PORT"

source "$HERE/lib.sh"
LOG_TAG=run
"$HERE/up.sh" >/dev/null
command -v curl >/dev/null || apt_install curl ca-certificates
# The demo's sign-in codes without a phone: oathtool prints the current code for the demo key.
command -v oathtool >/dev/null || apt_install oathtool
source "$HERE/dotnet.sh"
dotnet_restore_and_build Release

export DataProtection__KeysPath="$STATE/keys"
mkdir -p "$STATE/keys" "$STATE/logs"
worker="$REPO/services/Moderation.Worker/bin/Release/net10.0/Moderation.Worker.dll"
api="$REPO/services/Moderation.Api/bin/Release/net10.0/Moderation.Api.dll"

echo "Applying migrations and loading seeds/ ..."
dotnet "$worker" seed "$REPO/seeds"

# The demo's school blog is a real WordPress on loopback, with comments held for moderation; Fleming's blog account
# is connected to it, so they reach the queue by polling and decisions go back to the blog.
echo "Starting the demo blog (WordPress) ..."
"$HERE/wordpress.sh" install >/dev/null
"$HERE/wordpress.sh" start >/dev/null
"$HERE/wordpress.sh" demo-content
source "$HERE/env.sh"
dotnet "$worker" connect-account fleming-blog --url "$WP_URL/" --username "$WP_USER" --password-env WP_APP_PASSWORD --poll-seconds 30

pids=()
stop_all() {
  trap - INT TERM EXIT
  echo
  echo "Stopping the API and the worker..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "Stopping WordPress, PostgreSQL and RabbitMQ..."
  "$HERE/down.sh" >/dev/null 2>&1 || true
  echo "Stopped."
}
trap 'stop_all; exit 0' INT TERM
trap stop_all EXIT

# glibc's malloc keeps an arena per thread by default; two keep each host's native memory 10-25 MB lower under load
# (docs/benchmarks.md, issue 9, thirteenth pass). The container images set the same.
export MALLOC_ARENA_MAX=2
dotnet "$worker" >"$STATE/logs/worker.log" 2>&1 &
pids+=($!)
(cd "$REPO/services/Moderation.Api" && exec dotnet "$api" --urls "$URL") >"$STATE/logs/api.log" 2>&1 &
pids+=($!)

for _ in $(seq 1 120); do
  if curl -fsS "$URL/health/ready" >/dev/null 2>&1; then break; fi
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || { echo "error: a host exited during start-up; see $STATE/logs/" >&2; tail -20 "$STATE/logs/api.log" "$STATE/logs/worker.log" >&2; exit 1; }
  done
  sleep 0.5
done
curl -fsS "$URL/health/ready" >/dev/null || { echo "error: the API did not become ready; see $STATE/logs/api.log" >&2; exit 1; }

cat <<INFO

The moderation queue is running.
  Open:      $URL/
  API:       $URL/openapi/v1.json     health: $URL/health/ready
  Logs:      $STATE/logs/api.log and worker.log
  Demo blog: $WP_URL/sports-day/  (its held comments reach the queue within 30 s; admin: $WP_USER, see $STATE/wordpress/credentials.env)
  RabbitMQ:  http://127.0.0.1:$RABBIT_MGMT_PORT  ($RABBIT_USER / $RABBIT_PASSWORD)

Demo sign-ins (password for all: $(grep -o '"password": *"[^"]*"' "$REPO/seeds/demo.json" | head -1 | sed 's/.*: *"\(.*\)"/\1/')):
  Then the code from an authenticator app set up with the demo key (time-based, 6 digits):
    $(grep -o '"authenticatorKey": *"[^"]*"' "$REPO/seeds/demo.json" | head -1 | sed 's/.*: *"\(.*\)"/\1/')
  or on this machine: oathtool --totp -b $(grep -o '"authenticatorKey": *"[^"]*"' "$REPO/seeds/demo.json" | head -1 | sed 's/.*: *"\(.*\)"/\1/')
INFO
grep -o '"email": *"[^"]*", *"displayName": *"[^"]*", *"roles": *\[[^]]*\]' "$REPO/seeds/demo.json" \
  | sed -E 's/"email": *"([^"]*)", *"displayName": *"([^"]*)", *"roles": *\[ *"?([^]"]*)"? *\]/  \1  —  \2  [\3]/'
echo
echo "Press Ctrl-C to stop everything."
wait -n "${pids[@]}" || true
echo "error: a host stopped unexpectedly; see $STATE/logs/" >&2
tail -20 "$STATE/logs/api.log" "$STATE/logs/worker.log" >&2 || true
exit 1
