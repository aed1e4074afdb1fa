#!/usr/bin/env bash
# Install (if needed) and start the local PostgreSQL and RabbitMQ, then print how to connect.
# Idempotent: already-running servers are left alone. No Docker needed.
#   infra/up.sh
# Then, in your shell:  source infra/env.sh   (exports the .NET configuration variables)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/env.sh"
source "$HERE/lib.sh"
LOG_TAG=up
require_root

t0=$SECONDS
"$HERE/postgres.sh" install
"$HERE/rabbitmq.sh" install
"$HERE/postgres.sh" start
"$HERE/rabbitmq.sh" start

cat <<INFO

Local infrastructure is up ($((SECONDS - t0))s). State: $STATE
  PostgreSQL  127.0.0.1:$PG_PORT  database $PG_DATABASE  user $PG_USER / $PG_PASSWORD
              psql: PGPASSWORD=$PG_PASSWORD psql -h 127.0.0.1 -p $PG_PORT -U $PG_USER -d $PG_DATABASE
              log:  $STATE/pg/log/postgresql.log
  RabbitMQ    amqp://$RABBIT_USER:$RABBIT_PASSWORD@127.0.0.1:$AMQP_PORT  vhost '$RABBIT_VHOST'  node $RABBIT_NODE
              management: http://127.0.0.1:$RABBIT_MGMT_PORT  ($RABBIT_USER / $RABBIT_PASSWORD)
              log:  $STATE/rabbitmq/log/$RABBIT_NODE.log
              clean vhost for a test: infra/rabbitmq.sh reset-vhost NAME

For the apps and tests:  source infra/env.sh   (exports)
  ConnectionStrings__Moderation=$ConnectionStrings__Moderation
  MODERATION_PG_ADMIN=$MODERATION_PG_ADMIN
  RabbitMq__Host=$RabbitMq__Host RabbitMq__Port=$RabbitMq__Port RabbitMq__VirtualHost=$RabbitMq__VirtualHost
  RabbitMq__Username=$RabbitMq__Username RabbitMq__Password=$RabbitMq__Password RabbitMq__ManagementPort=$RabbitMq__ManagementPort
Stop with: infra/down.sh
INFO
