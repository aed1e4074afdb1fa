#!/usr/bin/env bash
# The README's test command: installs and starts PostgreSQL and RabbitMQ (infra/up.sh) and WordPress
# (infra/wordpress.sh), builds the solution and runs
# every test against those real servers. Ends with one line "N passed, N failed, N skipped".
#   infra/test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Tenancy]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/env.sh"
source "$HERE/lib.sh"
cd "$REPO"

# The photo tests tag fixtures with exiftool and compare decoded pixels with ImageMagick (FIXTURES.md).
command -v exiftool >/dev/null 2>&1 || apt_install libimage-exiftool-perl
[[ -x /usr/bin/convert && -x /usr/bin/compare ]] || apt_install imagemagick
# The browser tests drive Debian's Chromium; Playwright cannot download a browser of its own here (FIXTURES.md).
command -v chromium >/dev/null || apt_install chromium

started_here=0
if ! "$HERE/postgres.sh" status >/dev/null 2>&1 || ! "$HERE/rabbitmq.sh" status >/dev/null 2>&1; then
  started_here=1
fi
wp_started_here=0
"$HERE/wordpress.sh" status >/dev/null 2>&1 || wp_started_here=1
# On CI, or when this script started them, stop the servers again at the end (down.sh stops WordPress too).
stop_servers() {
  if [[ "${CI:-}" == "true" || $started_here == 1 ]]; then
    "$HERE/down.sh" >/dev/null 2>&1 || true
  elif [[ $wp_started_here == 1 ]]; then
    "$HERE/wordpress.sh" stop >/dev/null 2>&1 || true
  fi
}
trap stop_servers EXIT
"$HERE/up.sh" >/dev/null
# The blog connector's tests run against a real WordPress; env.sh then exports its application password.
"$HERE/wordpress.sh" install >/dev/null
"$HERE/wordpress.sh" start >/dev/null
source "$HERE/env.sh"

source "$HERE/dotnet.sh"
dotnet_restore_and_build Release

log="$(mktemp)"
set +e
dotnet test Moderation.sln -c Release --no-build --nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# dotnet test prints one summary per test assembly; add them up into the plain closing line.
awk '
  /(Passed|Failed)!/ {
    for (i = 1; i <= NF; i++) {
      if ($i == "Failed:")  { f += $(i + 1) + 0 }
      if ($i == "Passed:")  { p += $(i + 1) + 0 }
      if ($i == "Skipped:") { s += $(i + 1) + 0 }
    }
    n++
  }
  END { if (n == 0) { print "0 passed, 1 failed (no test assembly reported)"; exit 1 }
        printf "%d passed, %d failed, %d skipped\n", p, f, s }
' "$log" || status=1
rm -f "$log"
exit "$status"
