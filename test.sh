#!/usr/bin/env bash
# Runs every test of Cascade. Installs what the tests need (Debian packages, npm packages),
# builds the solution once, runs each test project and prints a final line `N passed, N failed`.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
RESULTS="$ROOT/.build/test-results"
rm -rf "$RESULTS"; mkdir -p "$RESULTS"

say() { printf '\n== %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

APT_PACKAGES=(libxgboost0 libxgboost-dev python3-xgboost python3-sklearn python3-onnx python3-grpcio protobuf-compiler protobuf-compiler-grpc nghttp2-client kcat chromium gcc)
missing=()
for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi

for pkg in $(find tests -name package.json -not -path '*/node_modules/*'); do
  dir="$(dirname "$pkg")"
  if [ ! -d "$dir/node_modules" ] || [ "$pkg" -nt "$dir/node_modules" ]; then
    say "installing npm packages in $dir"
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error) && touch "$dir/node_modules"
  fi
done

# The adapters' integration tests run against real servers: start the ones that are not running (infra/up.sh
# installs what is missing) and stop exactly those on exit. Servers already started by ./cascade infra up are
# reused and left running.
to_start=()
for s in zookeeper kafka redis rabbitmq postgres s3; do infra/status.sh "$s" >/dev/null 2>&1 || to_start+=("$s"); done
if [ ${#to_start[@]} -gt 0 ]; then
  say "starting ${to_start[*]} on 127.0.0.1 (infra/up.sh)"
  infra/up.sh "${to_start[@]}" || echo "infra/up.sh: some servers failed (see FAILED above): their tests will fail"
fi
stop_infra() { if [ ${#to_start[@]} -gt 0 ]; then infra/down.sh "${to_start[@]}"; fi; }
trap stop_infra EXIT

say "building"
if ! dotnet build Microservices.sln -c Release -nologo -v quiet -clp:ErrorsOnly; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

passed=0; failed=0
for proj in $(find tests -name '*.Tests.csproj' | sort); do
  name="$(basename "$proj" .csproj)"
  say "testing $name"
  # A test that hangs fails after 15 minutes with its name in the log (the blame collector), instead of holding the
  # whole project until the session timeout.
  dotnet test "$proj" -c Release --no-build -nologo --blame-hang-timeout 15m --blame-hang-dump-type none --logger "trx;LogFileName=$name.trx" \
      --results-directory "$RESULTS" --logger "console;verbosity=minimal" -- RunConfiguration.TestSessionTimeout=2400000
  trx="$RESULTS/$name.trx"
  if [ -f "$trx" ]; then
    p=$(grep -o '<Counters [^>]*' "$trx" | grep -o ' passed="[0-9]*"' | grep -o '[0-9]*')
    f=$(grep -o '<Counters [^>]*' "$trx" | grep -o ' failed="[0-9]*"' | grep -o '[0-9]*')
    # A test host that crashed or timed out fails the run even when its counters say nothing failed.
    outcome=$(grep -o '<ResultSummary outcome="[A-Za-z]*"' "$trx" | grep -o '"[A-Za-z]*"' | tr -d '"')
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
    if [ "${f:-0}" -eq 0 ] && [ "$outcome" != "Completed" ]; then failed=$((failed + 1)); echo "$name: run outcome $outcome"; fi
  else
    echo "$name: no results (the test host did not start or crashed)"
    failed=$((failed + 1))
  fi
done

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
