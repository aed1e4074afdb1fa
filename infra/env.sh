# shellcheck shell=bash
# Shared settings for the local (no-Docker) infrastructure scripts.
#
# Source it:   source infra/env.sh      (from any directory; safe in an interactive shell)
# It sets no shell options (no `set -e`), so sourcing it into your shell is harmless.
#
# Ports, node name and credentials can be overridden by exporting them before sourcing, e.g.
#   PG_PORT=55432 AMQP_PORT=55672 RABBIT_DIST_PORT=55682 RABBIT_MGMT_PORT=15680 \
#   RABBIT_NODE=modtest@localhost infra/up.sh
# REPO and STATE are always computed from this file's location (never inherited), so two
# clones of the repository never share data. Only an explicit MODERATION_INFRA_STATE moves STATE
# elsewhere: the fault tests start private servers in a temporary folder with it.

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
STATE="${MODERATION_INFRA_STATE:-$REPO/.state}"

# Fixed, non-default loopback ports (everything listens on 127.0.0.1 only).
PG_PORT="${PG_PORT:-54329}"
AMQP_PORT="${AMQP_PORT:-56729}"
# Erlang distribution port of the RabbitMQ node. Must be explicit: RabbitMQ's default is
# AMQP_PORT + 20000, which overflows 65535 for our AMQP port.
RABBIT_DIST_PORT="${RABBIT_DIST_PORT:-56739}"
RABBIT_MGMT_PORT="${RABBIT_MGMT_PORT:-15679}"
# Erlang node name; must be unique per machine (epmd is shared by every node on the host).
RABBIT_NODE="${RABBIT_NODE:-moderation@localhost}"
# The real WordPress the blog connector's tests run against (infra/wordpress.sh): PHP's server and its MariaDB.
WP_HTTP_PORT="${WP_HTTP_PORT:-18089}"
WP_DB_PORT="${WP_DB_PORT:-13307}"

# PostgreSQL: role `moderation` (LOGIN CREATEDB), database `moderation`.
PG_USER="${PG_USER:-moderation}"
PG_PASSWORD="${PG_PASSWORD:-moderation}"
PG_DATABASE="${PG_DATABASE:-moderation}"

# RabbitMQ: user `moderation` (administrator, full permissions on the vhost).
RABBIT_USER="${RABBIT_USER:-moderation}"
RABBIT_PASSWORD="${RABBIT_PASSWORD:-moderation}"
RABBIT_VHOST="${RABBIT_VHOST:-/}"

export REPO STATE PG_PORT AMQP_PORT RABBIT_DIST_PORT RABBIT_MGMT_PORT RABBIT_NODE WP_HTTP_PORT WP_DB_PORT \
       PG_USER PG_PASSWORD PG_DATABASE RABBIT_USER RABBIT_PASSWORD RABBIT_VHOST

# .NET configuration read by Moderation.Api / Moderation.Worker / the tests
# (`__` is the configuration section separator).
export ConnectionStrings__Moderation="Host=127.0.0.1;Port=${PG_PORT};Database=${PG_DATABASE};Username=${PG_USER};Password=${PG_PASSWORD}"
export RabbitMq__Host="127.0.0.1"
export RabbitMq__Port="${AMQP_PORT}"
export RabbitMq__Username="${RABBIT_USER}"
export RabbitMq__Password="${RABBIT_PASSWORD}"
export RabbitMq__VirtualHost="${RABBIT_VHOST}"
export RabbitMq__ManagementPort="${RABBIT_MGMT_PORT}"
# Maintenance connection for tests that create and drop their own databases (the role has CREATEDB).
export MODERATION_PG_ADMIN="Host=127.0.0.1;Port=${PG_PORT};Database=postgres;Username=${PG_USER};Password=${PG_PASSWORD}"
# The blog and its application password, for the WordPress tests; written by `infra/wordpress.sh start`.
if [[ -r "$STATE/wordpress/credentials.env" ]]; then
  source "$STATE/wordpress/credentials.env"
  export WP_URL WP_USER WP_APP_PASSWORD
fi

# Where the binaries live (Debian packages).
# PostgreSQL 15 is Debian 12's version; if it is absent, use the newest installed major version.
if [[ -z "${PG_BIN:-}" ]]; then
  PG_BIN=/usr/lib/postgresql/15/bin
  if [[ ! -x "$PG_BIN/initdb" ]]; then
    for _d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
      if [[ -x "$_d/initdb" ]]; then PG_BIN="$_d"; break; fi
    done
    unset _d
  fi
fi
RABBIT_BIN="${RABBIT_BIN:-/usr/lib/rabbitmq/bin}"   # the real scripts, not the /usr/sbin wrappers
export PG_BIN RABBIT_BIN
