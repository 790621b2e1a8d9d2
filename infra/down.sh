#!/usr/bin/env bash
# Stops the servers infra/up.sh started, dependants first. Usage: infra/down.sh [server ...]   (default: all)
# Each server is stopped as the process group up.sh recorded (SIGTERM to every process of it, up to 10-20 s,
# then SIGKILL), RabbitMQ together with its own epmd; PostgreSQL with pg_ctl first. This works after an up.sh
# that failed part-way and when a server's first process already died and left others behind. A pid file is
# removed only once no process of its group is left; exit 1 if something could not be stopped.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
wanted=("$@"); [ ${#wanted[@]} -eq 0 ] && wanted=("${STOP_ORDER[@]}")
for name in "${wanted[@]}"; do
  known_server "$name" || { say "unknown server '$name' (servers: ${SERVERS[*]})"; exit 2; }
done
status=0
for name in "${wanted[@]}"; do
  pids_before="$(ls "$PIDS/$name.pid" "$PIDS/$name-epmd.pid" 2>/dev/null || true)"
  leftover_pg=""
  if [ "$name" = postgres ] && [ -d "$CASCADE_INFRA_DIR" ]; then leftover_pg="$(pg_postmaster_of "$(pg_data_dir)")"; fi
  [ -n "$pids_before" ] || [ -n "$leftover_pg" ] || continue
  if stop_one "$name"; then say "$name stopped"; else say "$name: NOT stopped (infra/status.sh shows what is left)"; status=1; fi
done
exit $status
