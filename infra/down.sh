#!/usr/bin/env bash
# Stops the servers infra/up.sh started (by their pid files), newest dependency last. Usage: infra/down.sh [server ...]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
wanted=("$@"); [ ${#wanted[@]} -eq 0 ] && wanted=(s3 postgres rabbitmq redis kafka zookeeper)
for name in "${wanted[@]}"; do
  if [ -n "$(pid_of "$name")" ]; then stop_server "$name"; say "$name stopped"; fi
done
