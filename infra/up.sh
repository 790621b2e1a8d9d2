#!/usr/bin/env bash
# Starts (installing what is missing) ZooKeeper + Kafka 0.9, Redis, RabbitMQ, PostgreSQL and s3rver on 127.0.0.1,
# waits until each is ready. Usage: infra/up.sh [server ...]   (default: all). Ports: ZOOKEEPER_PORT, KAFKA_PORT,
# REDIS_PORT, RABBITMQ_PORT, POSTGRES_PORT, S3_PORT; data under CASCADE_INFRA_DIR (default .cascade/infra).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mkdir -p "$PIDS" "$LOGS" "$CACHE_DIR"
wanted=("$@"); [ ${#wanted[@]} -eq 0 ] && wanted=("${SERVERS[@]}")
# Kafka needs ZooKeeper.
if printf '%s\n' "${wanted[@]}" | grep -qx kafka && ! printf '%s\n' "${wanted[@]}" | grep -qx zookeeper; then wanted=(zookeeper "${wanted[@]}"); fi
for name in "${wanted[@]}"; do
  if running "$name"; then say "$name already running (pid $(pid_of "$name"))"; continue; fi
  port="$(port_of "$name")"
  if port_open "$port"; then say "port $port is taken by a process this script did not start: stop it or set a different port"; exit 1; fi
  "start_$name"
  # ZooKeeper must answer before Kafka starts; the others are awaited together below.
  if [ "$name" = zookeeper ]; then wait_for zookeeper "$(ready_timeout zookeeper)" ready_zookeeper; fi
done
for name in "${wanted[@]}"; do
  wait_for "$name" "$(ready_timeout "$name")" "ready_$name"
  say "$name ready on 127.0.0.1:$(port_of "$name")"
done
