#!/usr/bin/env bash
# Local RabbitMQ node for development and tests, without Docker.
#
#   infra/rabbitmq.sh install          apt-get install rabbitmq-server if missing
#   infra/rabbitmq.sh start            start node $RABBIT_NODE on 127.0.0.1:$AMQP_PORT (management on
#                                      127.0.0.1:$RABBIT_MGMT_PORT), wait until booted, ensure user
#   infra/rabbitmq.sh stop             stop the node (fine if not running)
#   infra/rabbitmq.sh status           exit 0 if the node is running and booted, 3 if not
#   infra/rabbitmq.sh reset-vhost NAME delete (if present) and recreate vhost NAME, grant the
#                                      `moderation` user full permissions on it
#   infra/rabbitmq.sh ctl ARGS...      run `rabbitmqctl -n $RABBIT_NODE ARGS...` with the right cookie
#
# All node state (mnesia, logs, pid, config, Erlang cookie) lives in .state/rabbitmq, owned by the
# `rabbitmq` user; nothing in /etc/rabbitmq or /var/lib/rabbitmq is read or written, so the node
# does not clash with a default node of the Debian package. Settings: infra/env.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LOG_TAG=rabbitmq

R="$STATE/rabbitmq"
R_HOME="$R/home"                 # HOME of server and CLI: holds the shared .erlang.cookie
R_LOGDIR="$R/log"
R_PIDFILE="$R/rabbitmq.pid"
R_STARTUP_LOG="$R_LOGDIR/startup.log"
R_NODE_LOG="$R_LOGDIR/${RABBIT_NODE}.log"
START_TIMEOUT="${RABBIT_START_TIMEOUT:-90}"

rabbit_installed() { [[ -x "$RABBIT_BIN/rabbitmq-server" && -x "$RABBIT_BIN/rabbitmqctl" ]] && command -v erl >/dev/null; }

# A clean environment for server and CLI: everything points into .state/rabbitmq.
rabbit_env() {
  echo PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  echo HOME="$R_HOME"
  echo LANG=C.UTF-8
  echo LC_ALL=C.UTF-8
  echo RABBITMQ_NODENAME="$RABBIT_NODE"
  echo RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  echo RABBITMQ_NODE_PORT="$AMQP_PORT"
  echo RABBITMQ_DIST_PORT="$RABBIT_DIST_PORT"
  echo RABBITMQ_CONF_ENV_FILE="$R/rabbitmq-env.conf"
  echo RABBITMQ_CONFIG_FILE="$R/rabbitmq.conf"
  echo RABBITMQ_ADVANCED_CONFIG_FILE="$R/advanced.config"
  echo RABBITMQ_ENABLED_PLUGINS_FILE="$R/enabled_plugins"
  echo RABBITMQ_MNESIA_BASE="$R/mnesia"
  echo RABBITMQ_LOG_BASE="$R_LOGDIR"
  echo RABBITMQ_PID_FILE="$R_PIDFILE"
  echo ERL_EPMD_ADDRESS=127.0.0.1
  # Erlang distribution (node and CLI) on loopback only.
  echo 'RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}'
  echo 'RABBITMQ_CTL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}'
}

# as_rabbit CMD... : run CMD as the rabbitmq user in the clean environment.
as_rabbit() {
  local -a envs; mapfile -t envs < <(rabbit_env)
  if [[ "$(id -u)" == 0 ]]; then
    (cd "$R" 2>/dev/null || cd /; runuser -u rabbitmq -- env -i "${envs[@]}" "$@" 9>&-)
  elif [[ "$(id -un)" == rabbitmq ]]; then
    (cd "$R" 2>/dev/null || cd /; env -i "${envs[@]}" "$@" 9>&-)
  else
    die "must run as root or rabbitmq"
  fi
}
ctl() { as_rabbit "$RABBIT_BIN/rabbitmqctl" -n "$RABBIT_NODE" "$@"; }

# PID of our node's Erlang VM (beam.smp started with MODERATION_RABBIT_STATE=$R), or nothing.
running_pid() {
  local p pid comm
  pid="$(cat "$R_PIDFILE" 2>/dev/null || true)"
  if pid_alive "$pid" && is_our_beam "$pid"; then echo "$pid"; return 0; fi
  for p in /proc/[0-9]*; do
    { read -r comm < "$p/comm"; } 2>/dev/null || continue
    [[ "$comm" == beam.smp ]] || continue
    pid="${p#/proc/}"
    if pid_alive "$pid" && is_our_beam "$pid"; then echo "$pid"; return 0; fi
  done
  return 0
}
# The settings a running node was started with (see launch_node).
settings() { echo "$RABBIT_NODE $AMQP_PORT $RABBIT_DIST_PORT $RABBIT_MGMT_PORT"; }
running_settings() {
  tr '\0' '\n' < "/proc/$1/environ" 2>/dev/null | sed -n 's/^MODERATION_RABBIT_SETTINGS=//p' || true
}
is_our_beam() {
  local comm
  { read -r comm < "/proc/$1/comm"; } 2>/dev/null || return 1
  [[ "$comm" == beam.smp ]] \
    && grep -qxF "MODERATION_RABBIT_STATE=$R" < <(tr '\0' '\n' < "/proc/$1/environ" 2>/dev/null || true)
}

cmd_install() {
  require_root
  if rabbit_installed; then
    log "already installed ($(dpkg-query -W -f='${Package} ${Version}' rabbitmq-server 2>/dev/null || echo rabbitmq-server))"
  else
    apt_install rabbitmq-server
    rabbit_installed || die "rabbitmq-server still missing after install"
    log "installed ($(dpkg-query -W -f='${Package} ${Version}' rabbitmq-server))"
  fi
  id rabbitmq >/dev/null 2>&1 || die "the 'rabbitmq' user does not exist (the Debian package creates it)"
}

write_config() {
  cat > "$R/rabbitmq.conf" <<CONF
# Written by infra/rabbitmq.sh on every start; edit the script, not this file.
listeners.tcp.1 = 127.0.0.1:$AMQP_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $RABBIT_MGMT_PORT
# Used only when the node creates its database (first start); the script checks it every start.
default_user = $RABBIT_USER
default_pass = $RABBIT_PASSWORD
default_user_tags.administrator = true
default_vhost = /
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
log.file.level = info
log.console = false
CONF
  echo '[rabbitmq_management].' > "$R/enabled_plugins"
  # An empty env file, so /etc/rabbitmq/rabbitmq-env.conf is not read.
  echo '# intentionally empty: settings come from infra/rabbitmq.sh' > "$R/rabbitmq-env.conf"
  chown rabbitmq:rabbitmq "$R/rabbitmq.conf" "$R/enabled_plugins" "$R/rabbitmq-env.conf"
}

ensure_cookie() {
  local c="$R_HOME/.erlang.cookie"
  if [[ ! -s "$c" ]]; then
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' | tr 'a-f' 'A-F' > "$c"
    log "created Erlang cookie $c"
  fi
  chown rabbitmq:rabbitmq "$c"; chmod 400 "$c"
}

prepare_dirs() {
  ensure_state_root
  mkdir -p "$R" "$R_HOME" "$R_LOGDIR" "$R/mnesia"
  chown rabbitmq:rabbitmq "$R" "$R_HOME" "$R_LOGDIR" "$R/mnesia"
  chmod 750 "$R" "$R_HOME"
  ensure_traversable rabbitmq "$R"
  ensure_cookie
  write_config
}

check_port_free() {
  if port_open "$1"; then
    die "port 127.0.0.1:$1 ($2) is already in use by another process (override $3)"
  fi
}

# urlencode STRING (for vhost names in management API paths)
urlencode() {
  local s="$1" out="" c i
  for (( i = 0; i < ${#s}; i++ )); do
    c="${s:i:1}"
    case "$c" in
      [a-zA-Z0-9._~-]) out+="$c" ;;
      *) out+="$(printf '%%%02X' "'$c")" ;;
    esac
  done
  printf '%s' "$out"
}

# curl is used for the management API when present (fast); RABBIT_USE_CTL=1 forces rabbitmqctl.
have_curl() { [[ "${RABBIT_USE_CTL:-0}" != 1 ]] && command -v curl >/dev/null; }

mgmt() {  # mgmt METHOD PATH [JSON] : call the management API as the moderation user; prints the HTTP code
  local method="$1" path="$2" body="${3:-}"
  local -a args=(-sS -o /dev/null -w '%{http_code}' --max-time 10 -u "$RABBIT_USER:$RABBIT_PASSWORD" -X "$method")
  [[ -n "$body" ]] && args+=(-H 'content-type: application/json' -d "$body")
  curl "${args[@]}" "http://127.0.0.1:$RABBIT_MGMT_PORT/api/$path" || echo 000
}

# wait_booted PID : wait until the node answers `await_startup` and the management API is up.
# Returns 2 if the process exits meanwhile; dies (with the log tails) on timeout.
wait_booted() {
  local pid="$1" deadline=$((SECONDS + START_TIMEOUT))
  while :; do
    pid_alive "$pid" || return 2
    if ctl -q await_startup --timeout 10 >/dev/null 2>&1; then
      break
    fi
    if (( SECONDS >= deadline )); then
      tail_log "$R_STARTUP_LOG" 30; tail_log "$R_NODE_LOG" 30
      die "RabbitMQ node $RABBIT_NODE did not finish booting within ${START_TIMEOUT}s"
    fi
    sleep 0.5
  done
  if have_curl; then
    until [[ "$(mgmt GET overview)" =~ ^(200|401)$ ]]; do
      pid_alive "$pid" || return 2
      if (( SECONDS >= deadline )); then
        tail_log "$R_NODE_LOG" 30
        die "management API on 127.0.0.1:$RABBIT_MGMT_PORT did not answer within ${START_TIMEOUT}s"
      fi
      sleep 0.5
    done
  fi
}

# The `moderation` user must exist, be an administrator and have full permissions on "/".
# Fast path: ask the management API; otherwise fix it with rabbitmqctl.
ensure_user() {
  local vh whoami perms
  vh="$(urlencode "$RABBIT_VHOST")"
  if have_curl; then
    whoami="$(curl -fsS --max-time 10 -u "$RABBIT_USER:$RABBIT_PASSWORD" "http://127.0.0.1:$RABBIT_MGMT_PORT/api/whoami" 2>/dev/null || true)"
    perms="$(curl -fsS --max-time 10 -u "$RABBIT_USER:$RABBIT_PASSWORD" "http://127.0.0.1:$RABBIT_MGMT_PORT/api/permissions/$vh/$(urlencode "$RABBIT_USER")" 2>/dev/null || true)"
    if [[ "$whoami" == *administrator* && "$perms" == *'"configure":".*","write":".*","read":".*"'* ]]; then
      return 0
    fi
  fi
  log "ensuring user '$RABBIT_USER' (administrator, full permissions on vhost '$RABBIT_VHOST') via rabbitmqctl"
  if grep -qxF "$RABBIT_USER" < <(ctl -s list_users | awk '{print $1}'); then
    ctl -q change_password "$RABBIT_USER" "$RABBIT_PASSWORD" >/dev/null || die "rabbitmqctl change_password failed"
  else
    ctl -q add_user "$RABBIT_USER" "$RABBIT_PASSWORD" >/dev/null || die "rabbitmqctl add_user failed"
  fi
  ctl -q set_user_tags "$RABBIT_USER" administrator >/dev/null || die "rabbitmqctl set_user_tags failed"
  if ! grep -qxF "$RABBIT_VHOST" < <(ctl -s list_vhosts); then
    ctl -q add_vhost "$RABBIT_VHOST" >/dev/null || die "rabbitmqctl add_vhost failed"
  fi
  ctl -q set_permissions -p "$RABBIT_VHOST" "$RABBIT_USER" '.*' '.*' '.*' >/dev/null || die "rabbitmqctl set_permissions failed"
}

launch_node() {
  local pid i old
  if [[ -f "$R_PIDFILE" ]]; then
    old="$(cat "$R_PIDFILE" 2>/dev/null || true)"
    log "removing stale pid file $R_PIDFILE (PID $old $(pid_alive "$old" && echo 'belongs to another process' || echo 'is no longer running'))"
    rm -f "$R_PIDFILE"
  fi
  check_port_free "$AMQP_PORT" AMQP AMQP_PORT
  check_port_free "$RABBIT_DIST_PORT" "Erlang distribution" RABBIT_DIST_PORT
  check_port_free "$RABBIT_MGMT_PORT" management RABBIT_MGMT_PORT
  # epmd is shared by every Erlang node on the machine: the node name must be free.
  if command -v epmd >/dev/null && grep -q "^name ${RABBIT_NODE%@*} at port" < <(epmd -names 2>/dev/null || true); then
    die "an Erlang node named '${RABBIT_NODE%@*}' is already registered with epmd (not ours: no process uses $R); set RABBIT_NODE"
  fi
  log "starting node $RABBIT_NODE: AMQP 127.0.0.1:$AMQP_PORT, management 127.0.0.1:$RABBIT_MGMT_PORT, dist $RABBIT_DIST_PORT (log: $R_NODE_LOG)"
  echo "===== $(date -u +%FT%TZ) start =====" >> "$R_STARTUP_LOG"
  chown rabbitmq:rabbitmq "$R_STARTUP_LOG"
  local -a envs; mapfile -t envs < <(rabbit_env)
  # setsid: own session, so the node outlives this script and its terminal/job group.
  # MODERATION_RABBIT_STATE marks the server process, so we can find it without the pid file.
  (cd "$R" && exec setsid runuser -u rabbitmq -- env -i "${envs[@]}" MODERATION_RABBIT_STATE="$R" MODERATION_RABBIT_SETTINGS="$(settings)" \
      "$RABBIT_BIN/rabbitmq-server" >> "$R_STARTUP_LOG" 2>&1 < /dev/null 9>&-) &
  local launcher=$!
  disown "$launcher" 2>/dev/null || true
  for i in $(seq 1 100); do   # wait (max 10 s) for the Erlang VM to appear
    pid="$(running_pid)"; [[ -n "$pid" ]] && return 0
    pid_alive "$launcher" || return 0
    sleep 0.1
  done
}

cmd_start() {
  require_root
  ensure_state_root
  lock_state rabbitmq
  rabbit_installed || die "RabbitMQ not installed; run: infra/rabbitmq.sh install"
  id rabbitmq >/dev/null 2>&1 || die "the 'rabbitmq' user does not exist; run: infra/rabbitmq.sh install"
  prepare_dirs

  local pid rc=0 was; pid="$(running_pid)"
  if [[ -n "$pid" ]]; then
    was="$(running_settings "$pid")"
    if [[ "$was" != "$(settings)" ]]; then
      log "running (PID $pid) with other settings (node/AMQP/dist/management: $was); restarting with $(settings)"
      stop_pid "$pid"
      pid=""
    fi
  fi
  if [[ -n "$pid" ]]; then
    log "already running (PID $pid)"
    wait_booted "$pid" || rc=$?
    if [[ $rc == 2 ]]; then
      log "that node process exited meanwhile (it was shutting down); starting a new one"
      pid=""
    fi
  fi
  if [[ -z "$pid" ]]; then
    launch_node
    pid="$(running_pid)"
    [[ -n "$pid" ]] || { tail_log "$R_STARTUP_LOG" 30; die "the RabbitMQ server process did not start"; }
    rc=0; wait_booted "$pid" || rc=$?
    if [[ $rc == 2 ]]; then
      tail_log "$R_STARTUP_LOG" 30; tail_log "$R_NODE_LOG" 30
      die "the RabbitMQ node exited during start-up"
    fi
  fi
  ensure_user
  log "ready: amqp://$RABBIT_USER:***@127.0.0.1:$AMQP_PORT vhost '$RABBIT_VHOST', management http://127.0.0.1:$RABBIT_MGMT_PORT"
}

# stop_pid PID : stop our node gracefully and wait for the VM to exit (SIGKILL after 60 s).
stop_pid() {
  local pid="$1"
  # `rabbitmqctl stop` returns before the VM has exited, hence the wait below. If it fails (e.g. the
  # node was started under another name), SIGTERM: RabbitMQ 3.10 then shuts down gracefully too.
  if ! ctl -q stop >/dev/null 2>&1; then
    warn "rabbitmqctl -n $RABBIT_NODE stop failed; sending SIGTERM to PID $pid"
    kill -TERM "$pid" 2>/dev/null || true
  fi
  local deadline=$((SECONDS + 60))
  while pid_alive "$pid"; do
    if (( SECONDS >= deadline )); then
      warn "node did not exit within 60s; sending SIGKILL to PID $pid"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 1
      break
    fi
    sleep 0.3
  done
  pid_alive "$pid" && die "could not stop PID $pid"
  rm -f "$R_PIDFILE"
}

cmd_stop() {
  require_root
  [[ -d "$STATE" ]] || { log "nothing to stop (no $STATE)"; return 0; }
  lock_state rabbitmq
  local pid; pid="$(running_pid)"
  if [[ -z "$pid" ]]; then
    rm -f "$R_PIDFILE"
    log "not running"; return 0
  fi
  log "stopping node $RABBIT_NODE (PID $pid)"
  stop_pid "$pid"
  rm -f "$R_PIDFILE"
  log "stopped"
}

cmd_status() {
  local pid; pid="$(running_pid)"
  if [[ -z "$pid" ]]; then
    log "not running (node $RABBIT_NODE, state $R)"; return 3
  fi
  if ctl -q await_startup --timeout 5 >/dev/null 2>&1 && port_open "$AMQP_PORT"; then
    log "running (PID $pid): node $RABBIT_NODE, AMQP 127.0.0.1:$AMQP_PORT, management http://127.0.0.1:$RABBIT_MGMT_PORT"
    return 0
  fi
  log "process running (PID $pid) but node $RABBIT_NODE is not booted / AMQP port $AMQP_PORT not answering"
  return 3
}

cmd_reset_vhost() {
  local name="${1:-}"
  [[ -n "$name" ]] || die "usage: $0 reset-vhost NAME"
  local vh; vh="$(urlencode "$name")"
  if have_curl && [[ "$(mgmt GET whoami)" == 200 ]]; then
    local code
    code="$(mgmt DELETE "vhosts/$vh")"
    [[ "$code" =~ ^(204|404)$ ]] || die "deleting vhost '$name' failed (HTTP $code)"
    code="$(mgmt PUT "vhosts/$vh")"
    [[ "$code" =~ ^(201|204)$ ]] || die "creating vhost '$name' failed (HTTP $code)"
    code="$(mgmt PUT "permissions/$vh/$(urlencode "$RABBIT_USER")" '{"configure":".*","write":".*","read":".*"}')"
    [[ "$code" =~ ^(201|204)$ ]] || die "granting permissions on vhost '$name' failed (HTTP $code)"
  else
    [[ -n "$(running_pid)" ]] || die "RabbitMQ is not running; run: infra/rabbitmq.sh start"
    if grep -qxF "$name" < <(ctl -s list_vhosts); then
      ctl -q delete_vhost "$name" >/dev/null || die "rabbitmqctl delete_vhost failed"
    fi
    ctl -q add_vhost "$name" >/dev/null || die "rabbitmqctl add_vhost failed"
    ctl -q set_permissions -p "$name" "$RABBIT_USER" '.*' '.*' '.*' >/dev/null || die "rabbitmqctl set_permissions failed"
  fi
  log "vhost '$name' reset (user '$RABBIT_USER' has full permissions)"
}

case "${1:-}" in
  install)     cmd_install ;;
  start)       cmd_start ;;
  stop)        cmd_stop ;;
  status)      cmd_status ;;
  reset-vhost) shift; cmd_reset_vhost "$@" ;;
  ctl)         shift; [[ -d "$R_HOME" ]] || die "no state in $R; run: infra/rabbitmq.sh start"; ctl "$@" ;;
  *) echo "usage: $0 {install|start|stop|status|reset-vhost NAME|ctl ARGS...}" >&2; exit 2 ;;
esac
