#!/usr/bin/env bash
# Local PostgreSQL for development and tests, without Docker.
#
#   infra/postgres.sh install   apt-get install the server if initdb is missing
#   infra/postgres.sh start     initdb (first time) into .state/pg/data, start on 127.0.0.1:$PG_PORT,
#                               create role/database `moderation`, wait until ready
#   infra/postgres.sh stop      fast shutdown (fine if not running)
#   infra/postgres.sh status    exit 0 if running and accepting connections, 3 if not
#
# The server runs as the `postgres` user (PostgreSQL refuses to run as root); the unix socket is
# in .state/pg/run and the log in .state/pg/log/postgresql.log. Settings: infra/env.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LOG_TAG=postgres

PG_STATE="$STATE/pg"
PG_DATA="$PG_STATE/data"
PG_RUN="$PG_STATE/run"
PG_LOGDIR="$PG_STATE/log"
PG_LOG="$PG_LOGDIR/postgresql.log"
START_TIMEOUT="${PG_START_TIMEOUT:-60}"

# Run as postgres from a directory it can read; fd 9 (our lock, see lock_state) is not passed on,
# or the server would hold it for its lifetime.
as_pg() { (cd "$PG_STATE" 2>/dev/null || cd /; runuser -u postgres -- "$@" 9>&-); }
superuser_psql() { as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_RUN" -p "$PG_PORT" -U postgres "$@"; }

pg_installed() { [[ -x "$PG_BIN/initdb" && -x "$PG_BIN/pg_ctl" && -x "$PG_BIN/postgres" ]]; }

cmd_install() {
  require_root
  if pg_installed; then
    log "already installed ($("$PG_BIN/postgres" --version))"
  else
    apt_install postgresql-15 postgresql-client-15
    # env.sh may have picked a default before the install; re-detect.
    unset PG_BIN; source "$REPO/infra/env.sh"
    pg_installed || die "PostgreSQL binaries still missing in $PG_BIN after install"
    log "installed ($("$PG_BIN/postgres" --version))"
  fi
  id postgres >/dev/null 2>&1 || die "the 'postgres' user does not exist (the Debian package creates it)"
}

# PID of the postmaster that owns our data directory, or nothing.
running_pid() {
  local pid
  [[ -f "$PG_DATA/postmaster.pid" ]] || return 0
  pid="$(head -n1 "$PG_DATA/postmaster.pid" 2>/dev/null || true)"
  if pid_alive "$pid" && [[ "/proc/$pid/cwd" -ef "$PG_DATA" ]]; then
    echo "$pid"
  fi
  return 0
}

# Live processes whose working directory is our data directory (postgres chdirs into it).
data_dir_pids() {
  local p
  for p in /proc/[0-9]*; do
    [[ "$p/cwd" -ef "$PG_DATA" ]] && pid_alive "${p#/proc/}" && echo "${p#/proc/}"
  done
  return 0
}

# After a crash / kill -9 of the postmaster: wait for orphaned backends to exit, then deal with
# the lock files. PostgreSQL recognises a lock file whose PID no longer exists, but not one whose
# PID is a zombie (PID 1 on some machines never reaps) or was reused by another process: it would
# refuse to start. Once no live process uses the data directory, such lock files are removed.
clean_stale() {
  local pid pids i f
  for i in $(seq 1 20); do
    pids="$(data_dir_pids)"
    [[ -z "$pids" ]] && break
    [[ $i == 1 ]] && log "waiting for orphaned server processes to exit: $(echo $pids)"
    [[ $i == 10 ]] && { log "sending SIGQUIT to orphaned server processes: $(echo $pids)"; kill -QUIT $pids 2>/dev/null || true; }
    sleep 0.5
  done
  pids="$(data_dir_pids)"
  [[ -z "$pids" ]] || die "orphaned PostgreSQL processes still use $PG_DATA: $(echo $pids); stop them and retry"
  for f in "$PG_DATA/postmaster.pid" "$PG_RUN"/.s.PGSQL.*.lock; do
    [[ -f "$f" ]] || continue
    pid="$(head -n1 "$f" 2>/dev/null || true)"
    pid="${pid#-}"   # socket lock files may hold a negative PID
    if [[ -e "/proc/$pid" ]]; then
      log "removing stale lock file $f (PID $pid is $(pid_alive "$pid" && echo 'another process' || echo 'a dead zombie'))"
      rm -f "$f"
      [[ "$f" == *.lock ]] && rm -f "${f%.lock}"
    else
      log "found stale lock file $f (PID $pid is gone); PostgreSQL will recover"
    fi
  done
}

write_config() {
  cat > "$PG_DATA/moderation.conf" <<CONF
# Written by infra/postgres.sh on every start; edit the script, not this file.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_RUN'
max_connections = 200
shared_buffers = 256MB
effective_cache_size = 4GB
work_mem = 8MB
maintenance_work_mem = 256MB
wal_buffers = 16MB
min_wal_size = 256MB
max_wal_size = 2GB
checkpoint_completion_target = 0.9
random_page_cost = 1.1
effective_io_concurrency = 200
max_worker_processes = 8
max_parallel_workers = 2
max_parallel_workers_per_gather = 1
fsync = on
timezone = 'UTC'
log_timezone = 'UTC'
log_line_prefix = '%m [%p] %q%u@%d '
log_min_duration_statement = 2000
CONF
  chown postgres:postgres "$PG_DATA/moderation.conf"
  if ! grep -q "^include_if_exists = 'moderation.conf'" "$PG_DATA/postgresql.conf"; then
    printf "\n# Project settings (infra/postgres.sh)\ninclude_if_exists = 'moderation.conf'\n" >> "$PG_DATA/postgresql.conf"
  fi
}

init_cluster() {
  local locale=C
  if grep -qiE '^c\.utf-?8$' <<<"$(locale -a 2>/dev/null || true)"; then locale=C.UTF-8; fi
  if [[ -d "$PG_DATA" && ! -f "$PG_DATA/PG_VERSION" ]]; then
    log "removing incomplete data directory $PG_DATA (no PG_VERSION: an interrupted initdb)"
    rm -rf "$PG_DATA"
  fi
  log "initdb into $PG_DATA (UTF8, locale $locale)"
  as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale="$locale" \
        --auth-local=trust --auth-host=scram-sha-256 >"$PG_LOGDIR/initdb.log" 2>&1 \
    || { tail_log "$PG_LOGDIR/initdb.log"; die "initdb failed"; }
}

wait_ready() {
  local deadline=$((SECONDS + START_TIMEOUT))
  until "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -d postgres; do
    if (( SECONDS >= deadline )); then
      tail_log "$PG_LOG"
      die "PostgreSQL not ready on 127.0.0.1:$PG_PORT after ${START_TIMEOUT}s"
    fi
    if [[ -z "$(running_pid)" ]] && (( SECONDS > deadline - START_TIMEOUT + 5 )); then
      tail_log "$PG_LOG"
      die "PostgreSQL exited during start-up"
    fi
    sleep 0.3
  done
}

ensure_role_and_db() {
  superuser_psql -d postgres -v u="$PG_USER" -v p="$PG_PASSWORD" -v d="$PG_DATABASE" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN CREATEDB PASSWORD %L', :'u', :'p')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'u') \gexec
SELECT format('ALTER ROLE %I LOGIN CREATEDB PASSWORD %L', :'u', :'p') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'d', :'u')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'d') \gexec
SQL
  PGPASSWORD="$PG_PASSWORD" "$PG_BIN/psql" -X -q -At -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d "$PG_DATABASE" \
      -c 'SELECT 1' >/dev/null \
    || die "cannot connect as $PG_USER to 127.0.0.1:$PG_PORT/$PG_DATABASE"
}

cmd_start() {
  require_root
  ensure_state_root
  lock_state postgres
  pg_installed || die "PostgreSQL binaries not found in $PG_BIN; run: infra/postgres.sh install"
  id postgres >/dev/null 2>&1 || die "the 'postgres' user does not exist; run: infra/postgres.sh install"
  mkdir -p "$PG_STATE" "$PG_RUN" "$PG_LOGDIR"
  chown postgres:postgres "$PG_STATE" "$PG_RUN" "$PG_LOGDIR"
  chmod 755 "$PG_STATE"; chmod 700 "$PG_RUN" "$PG_LOGDIR"
  ensure_traversable postgres "$PG_STATE"

  [[ -f "$PG_DATA/PG_VERSION" ]] || init_cluster
  write_config

  local pid running_port; pid="$(running_pid)"
  if [[ -n "$pid" ]]; then
    running_port="$(sed -n 4p "$PG_DATA/postmaster.pid" 2>/dev/null || true)"
    if [[ "$running_port" != "$PG_PORT" ]]; then
      log "running (PID $pid) on port $running_port, but PG_PORT=$PG_PORT: restarting"
      as_pg "$PG_BIN/pg_ctl" restart -D "$PG_DATA" -l "$PG_LOG" -m fast -w -t "$START_TIMEOUT" -s \
        || { tail_log "$PG_LOG"; die "pg_ctl restart failed"; }
    else
      log "already running (PID $pid)"
    fi
  else
    clean_stale
    if port_open "$PG_PORT"; then
      die "port 127.0.0.1:$PG_PORT is already in use by another process (set PG_PORT to use another port)"
    fi
    log "starting on 127.0.0.1:$PG_PORT (log: $PG_LOG)"
    : >> "$PG_LOG"; chown postgres:postgres "$PG_LOG"
    if ! as_pg "$PG_BIN/pg_ctl" start -D "$PG_DATA" -l "$PG_LOG" -w -t "$START_TIMEOUT" -s; then
      tail_log "$PG_LOG"
      die "pg_ctl start failed"
    fi
  fi
  wait_ready
  ensure_role_and_db
  log "ready: 127.0.0.1:$PG_PORT database=$PG_DATABASE user=$PG_USER"
}

cmd_stop() {
  require_root
  [[ -d "$STATE" ]] || { log "nothing to stop (no $STATE)"; return 0; }
  lock_state postgres
  if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
    log "not initialised ($PG_DATA); nothing to stop"; return 0
  fi
  local pid; pid="$(running_pid)"
  if [[ -z "$pid" ]]; then
    log "not running"; return 0
  fi
  log "stopping (PID $pid)"
  if ! as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t 60 -s; then
    warn "fast shutdown did not finish; trying immediate shutdown"
    as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m immediate -w -t 30 -s || die "could not stop PostgreSQL (PID $pid)"
  fi
  log "stopped"
}

cmd_status() {
  local pid; pid="$(running_pid)"
  if [[ -n "$pid" ]] && "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -d postgres; then
    log "running (PID $pid) on 127.0.0.1:$PG_PORT, data $PG_DATA"
    return 0
  elif [[ -n "$pid" ]]; then
    log "process running (PID $pid) but not accepting connections on 127.0.0.1:$PG_PORT"
    return 3
  fi
  log "not running (data $PG_DATA)"
  return 3
}

case "${1:-}" in
  install) cmd_install ;;
  start)   cmd_start ;;
  stop)    cmd_stop ;;
  status)  cmd_status ;;
  *) echo "usage: $0 {install|start|stop|status}" >&2; exit 2 ;;
esac
