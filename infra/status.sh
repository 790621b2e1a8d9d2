#!/usr/bin/env bash
# One line per server: ready, running but not answering, leftover processes, or stopped (and whether something
# else holds its port). Usage: infra/status.sh [server ...]. Exit 0 only when every server asked for is ready.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
wanted=("$@"); [ ${#wanted[@]} -eq 0 ] && wanted=("${SERVERS[@]}")
bad=0
line() { printf '%-14s %-26s %-16s %s\n' "$1" "$2" "$3" "$4"; }
show() {
  local name="$1" pgid state port; port="127.0.0.1:$(port_of "$name")"
  pgid="$(group_of "$name")"
  if [ -n "$pgid" ] && ! leader_alive "$pgid"; then
    line "$name" "LEFTOVER (run down.sh)" "group $pgid" "$port; its first process exited, still alive: $(describe_group "$pgid")"
    bad=1
  elif [ -n "$pgid" ] && [ "$name" = rabbitmq-epmd ] && [ -z "$(group_of rabbitmq)" ]; then
    line "$name" "LEFTOVER (run down.sh)" "group $pgid" "$port; RabbitMQ's port mapper, RabbitMQ itself is not running"
    bad=1
  elif [ -n "$pgid" ]; then
    if [ "$name" = rabbitmq-epmd ]; then state="running"
    elif "ready_$name" >/dev/null 2>&1; then state="ready"; else state="running, not answering"; bad=1; fi
    line "$name" "$state" "group $pgid" "$port"
  elif [ -n "$(legacy_pid_of "$name")" ]; then
    line "$name" "running (old pid file)" "pid $(legacy_pid_of "$name")" "$port"; bad=1
  elif [ "$name" = postgres ] && [ -n "$(pg_postmaster_of "$(pg_data_dir)")" ]; then
    line "$name" "LEFTOVER (run down.sh)" "pid $(pg_postmaster_of "$(pg_data_dir)")" "$port; a postmaster runs on $(pg_data_dir) without a pid file"
    bad=1
  elif [ "$name" = rabbitmq-epmd ]; then
    if [ -f "$PIDS/$name.pid" ]; then line "$name" "stopped (stale pid file)" "" "$port"; fi
  else
    if [ -f "$PIDS/$name.pid" ]; then state="stopped (stale pid file)"; else state="stopped"; fi
    if port_open "$(port_of "$name")"; then port="$port (taken by $(port_owner "$(port_of "$name")"), not started here)"; fi
    line "$name" "$state" "" "$port"
    bad=1
  fi
}
for name in "${wanted[@]}"; do
  known_server "$name" || { say "unknown server '$name' (servers: ${SERVERS[*]})"; exit 2; }
  show "$name"
  if [ "$name" = rabbitmq ]; then show rabbitmq-epmd; fi
done
exit $bad
