#!/usr/bin/env bash
# One line per server: running or not, its port, and whether it answers. Exit 0 only when every server is ready.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bad=0
for name in "${SERVERS[@]}"; do
  if running "$name"; then
    if "ready_$name" >/dev/null 2>&1; then state="ready"; else state="running, not answering"; bad=1; fi
    printf '%-10s %-24s pid %-8s 127.0.0.1:%s\n' "$name" "$state" "$(pid_of "$name")" "$(port_of "$name")"
  else
    printf '%-10s %-24s %-12s 127.0.0.1:%s\n' "$name" "stopped" "" "$(port_of "$name")"
    bad=1
  fi
done
exit $bad
