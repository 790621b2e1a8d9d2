#!/usr/bin/env bash
# Starts (installing what is missing) ZooKeeper + Kafka 0.9, Redis, RabbitMQ, PostgreSQL and s3rver on 127.0.0.1,
# waits until each is ready. Usage: infra/up.sh [server ...]   (default: all). Ports: ZOOKEEPER_PORT, KAFKA_PORT,
# REDIS_PORT, RABBITMQ_PORT (+ RABBITMQ_DIST_PORT, RABBITMQ_EPMD_PORT), POSTGRES_PORT, S3_PORT; data under
# CASCADE_INFRA_DIR (default .cascade/infra).
# A server that cannot start does not stop the others: up.sh goes on, then names each server that failed and why,
# and exits 1. What did start keeps running; infra/down.sh stops it.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
check_ports_are_numbers || exit 2
mkdir -p "$PIDS" "$LOGS" "$CACHE_DIR"
FAILURES_FILE="$(mktemp)"; trap 'rm -f "$FAILURES_FILE"' EXIT

wanted=("$@"); [ ${#wanted[@]} -eq 0 ] && wanted=("${SERVERS[@]}")
for name in "${wanted[@]}"; do
  known_server "$name" || { say "unknown server '$name' (servers: ${SERVERS[*]})"; exit 2; }
done
# Kafka needs ZooKeeper.
if printf '%s\n' "${wanted[@]}" | grep -qx kafka && ! printf '%s\n' "${wanted[@]}" | grep -qx zookeeper; then wanted=(zookeeper "${wanted[@]}"); fi

failed() { cut -f1 "$FAILURES_FILE" | grep -qx "$1"; }

started=()
for name in "${wanted[@]}"; do
  if [ "$name" = kafka ] && failed zookeeper; then why kafka "not started: ZooKeeper did not start" || true; continue; fi
  group="$(group_of "$name")"
  if [ -n "$group" ]; then
    say "$name already running (process group $group)"; started+=("$name"); continue
  fi
  if [ -n "$(legacy_pid_of "$name")" ]; then
    say "$name already running (pid $(legacy_pid_of "$name"), started by an older infra/up.sh)"; started+=("$name"); continue
  fi
  if [ "$name" = postgres ] && [ -n "$(pg_postmaster_of "$(pg_data_dir)")" ]; then
    record postgres "$(pg_postmaster_of "$(pg_data_dir)")"   # ours (it runs on our data) though its pid was lost
    say "postgres already running (pid $(pg_postmaster_of "$(pg_data_dir)"))"; started+=(postgres); continue
  fi
  rm -f "$PIDS/$name.pid"
  taken=""
  for port in $(ports_of "$name"); do
    if port_open "$port"; then taken="port $port is taken by $(port_owner "$port"), which this script did not start: stop it or set a different port"; break; fi
  done
  if [ "$name" = rabbitmq ] && [ -z "$(group_of rabbitmq-epmd)" ] && port_open "$RABBITMQ_EPMD_PORT"; then
    taken="port $RABBITMQ_EPMD_PORT (RABBITMQ_EPMD_PORT, RabbitMQ's own epmd) is taken by $(port_owner "$RABBITMQ_EPMD_PORT"), which this script did not start: stop it or set a different port"
  fi
  if [ -n "$taken" ]; then why "$name" "$taken" || true; continue; fi
  if "start_$name"; then
    started+=("$name")
    # ZooKeeper must answer before Kafka starts; the others are awaited together below.
    if [ "$name" = zookeeper ] && ! wait_for zookeeper "$(ready_timeout zookeeper)" ready_zookeeper; then
      started=("${started[@]/zookeeper}")
    fi
  elif ! failed "$name"; then
    why "$name" "could not be started (see $LOGS/$name.log)" || true
  fi
done
for name in "${started[@]}"; do
  [ -n "$name" ] || continue
  if wait_for "$name" "$(ready_timeout "$name")" "ready_$name"; then say "$name ready on 127.0.0.1:$(port_of "$name")"; fi
done

if [ -s "$FAILURES_FILE" ]; then
  say "FAILED: $(cut -f1 "$FAILURES_FILE" | sort -u | paste -sd' ')"
  while IFS=$'\t' read -r name reason; do say "  $name: $reason"; done < "$FAILURES_FILE"
  say "servers that did start keep running (infra/status.sh); infra/down.sh stops them"
  exit 1
fi
