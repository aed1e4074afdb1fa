#!/usr/bin/env bash
# Stop the local WordPress, RabbitMQ and PostgreSQL (fine if they are not running). Data in .state/ is kept;
# delete .state/ (after stopping) for a clean slate.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/env.sh"
source "$HERE/lib.sh"
LOG_TAG=down
require_root

rc=0
"$HERE/wordpress.sh" stop || { warn "stopping WordPress failed"; rc=1; }
"$HERE/rabbitmq.sh" stop || { warn "stopping RabbitMQ failed"; rc=1; }
"$HERE/postgres.sh" stop || { warn "stopping PostgreSQL failed"; rc=1; }
exit $rc
