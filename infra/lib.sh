# shellcheck shell=bash
# Helpers shared by infra/*.sh. Sourced after env.sh; expects `set -euo pipefail` in the caller.

log()  { printf '[%s] %s\n' "${LOG_TAG:-infra}" "$*"; }
warn() { printf '[%s] WARNING: %s\n' "${LOG_TAG:-infra}" "$*" >&2; }
die()  { printf '[%s] ERROR: %s\n' "${LOG_TAG:-infra}" "$*" >&2; exit 1; }

require_root() {
  [[ "$(id -u)" == 0 ]] || die "must run as root (it runs servers as the postgres/rabbitmq users via runuser)"
}

# apt_install PKG... : install packages; `apt-get update` only if the first attempt fails
# (a fresh machine with empty package lists).
apt_install() {
  command -v apt-get >/dev/null || die "apt-get not found; install $* by hand"
  log "installing: $* (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends "$@"; then
    log "apt-get install failed; running apt-get update and retrying"
    apt-get update || die "apt-get update failed"
    apt-get install -y --no-install-recommends "$@" || die "apt-get install $* failed"
  fi
}

# ensure_traversable USER DIR : make sure USER can reach DIR. CI clones into a mode-700
# `mktemp -d` folder, which the postgres/rabbitmq users cannot enter. Adds o+x (search only,
# not read) to each ancestor that USER cannot traverse, and says so.
ensure_traversable() {
  local user="$1" dir="$2" d="" part
  if runuser -u "$user" -- test -x "$dir"; then return 0; fi
  local IFS=/
  for part in $dir; do
    [[ -z "$part" ]] && continue
    d="$d/$part"
    if ! runuser -u "$user" -- test -x "$d"; then
      chmod o+x "$d"
      log "chmod o+x $d (so the '$user' user can reach $dir)"
    fi
  done
  runuser -u "$user" -- test -x "$dir" || die "user '$user' still cannot traverse to $dir"
}

# port_open PORT : true if something accepts TCP connections on 127.0.0.1:PORT
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# pid_alive PID : true if PID is a running process. A zombie counts as dead: on machines whose
# PID 1 does not reap orphans, a killed server stays a zombie and `kill -0` still succeeds.
pid_alive() {
  local st
  [[ -n "${1:-}" && "$1" =~ ^[0-9]+$ ]] || return 1
  st="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  st="${st##*) }"
  [[ "${st:0:1}" != Z && "${st:0:1}" != X ]]
}

# tail_log FILE [LINES] : print the end of a log file to stderr
tail_log() {
  local f="$1" n="${2:-40}"
  if [[ -f "$f" ]]; then
    printf -- '----- last %s lines of %s -----\n' "$n" "$f" >&2
    tail -n "$n" "$f" >&2 || true
    printf -- '-----\n' >&2
  else
    printf '(no log file at %s)\n' "$f" >&2
  fi
}

# ensure_gitignore : make sure `.state/` is ignored at the repo root
ensure_gitignore() {
  local gi="$REPO/.gitignore"
  if [[ ! -f "$gi" ]] || ! grep -qxE '/?\.state/?' "$gi"; then
    if [[ -s "$gi" && -n "$(tail -c1 "$gi")" ]]; then echo >> "$gi"; fi
    echo ".state/" >> "$gi"
    log "added .state/ to $gi"
  fi
}

# ensure_state_root : create $STATE (root-owned, world-traversable so the service users can
# reach their own sub-folders).
ensure_state_root() {
  ensure_gitignore
  mkdir -p "$STATE"
  chmod 755 "$STATE"
}

# lock_state NAME : serialise concurrent runs of a script on this checkout (held until exit).
lock_state() {
  mkdir -p "$STATE"
  exec 9>"$STATE/.$1.lock"
  if ! flock -n 9; then
    log "another infra/$1.sh is running on this checkout; waiting (max 180 s)"
    flock -w 180 9 || die "timed out waiting for the lock $STATE/.$1.lock"
  fi
}
