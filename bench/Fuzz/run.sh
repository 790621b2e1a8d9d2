#!/usr/bin/env bash
# Coverage-guided fuzzing of one parser under AFL++ with SharpFuzz (docs/security.md, "Fuzzing").
#
#   bench/Fuzz/run.sh TARGET [SECONDS]      targets: record envelope artifact csv tensor-json (default 600 s)
#   FUZZ_NO_BUILD=1 bench/Fuzz/run.sh ...   reuse the current build (several targets in a row)
#
# Installs afl++ (Debian) and the sharpfuzz tool if missing, builds bench/Fuzz, instruments a copy of the build
# (the target assemblies only; the normal build is left as it is), seeds afl-fuzz from the committed corpus
# tests/Cascade.Fuzz.Tests/Corpus/TARGET, runs it for SECONDS, then copies what it found into that corpus: up to
# FUZZ_KEEP (default 25) new inputs that reached new coverage (smallest first, at most 16 KiB each) and the smallest
# input of every distinct crash (crash-*, which fails the replay test until the bug is fixed). One afl-fuzz at a time:
# it takes a whole core.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
TARGET="${1:?usage: bench/Fuzz/run.sh TARGET [SECONDS]  (targets: record envelope artifact csv tensor-json)}"
DURATION="${2:-600}"
KEEP="${FUZZ_KEEP:-25}"
CORPUS="$ROOT/tests/Cascade.Fuzz.Tests/Corpus/$TARGET"
WORK="$ROOT/.build/fuzz"
INSTRUMENTED="$WORK/bin"
FINDINGS="$WORK/findings/$TARGET"
say() { printf '== %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v afl-fuzz >/dev/null; then
  say "installing afl++ (Debian)"
  as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq afl++ >/dev/null
fi
export PATH="$PATH:$HOME/.dotnet/tools"
if ! command -v sharpfuzz >/dev/null; then
  say "installing the sharpfuzz tool (SharpFuzz.CommandLine 2.3.0)"
  dotnet tool install -g SharpFuzz.CommandLine --version 2.3.0 >/dev/null
fi
[ -d "$CORPUS" ] || { echo "no corpus at $CORPUS: is '$TARGET' a target?"; exit 2; }

if [ -z "${FUZZ_NO_BUILD:-}" ]; then
  say "building bench/Fuzz"
  dotnet build bench/Fuzz/Cascade.Fuzz.csproj -c Release -nologo -v quiet -clp:ErrorsOnly
fi
BUILD="$ROOT/bench/Fuzz/bin/Release/net10.0"
# Re-instrument whenever the build is newer than the instrumented copy (instrumenting twice is refused).
if [ ! -f "$INSTRUMENTED/.instrumented" ] || [ "$BUILD/Cascade.Fuzz.dll" -nt "$INSTRUMENTED/.instrumented" ]; then
  say "instrumenting a copy of the build in $INSTRUMENTED"
  rm -rf "$INSTRUMENTED"; mkdir -p "$WORK"; cp -a "$BUILD" "$INSTRUMENTED"
  for assembly in $(dotnet "$INSTRUMENTED/Cascade.Fuzz.dll" assemblies); do
    sharpfuzz "$INSTRUMENTED/$assembly" >/dev/null
    echo "   $assembly"
  done
  touch "$INSTRUMENTED/.instrumented"
fi

rm -rf "$FINDINGS"; mkdir -p "$FINDINGS"
# The artifact and CSV targets write temporary files: keep them in memory.
export TMPDIR="/dev/shm/cascade-fuzz-$TARGET"; mkdir -p "$TMPDIR"
trap 'rm -rf "$TMPDIR"' EXIT
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
export AFL_FORKSRV_INIT_TMOUT=60000
say "afl-fuzz $TARGET for $DURATION s from $(ls "$CORPUS" | wc -l) corpus files"
set +e
afl-fuzz -i "$CORPUS" -o "$FINDINGS" -t 10000 -m none -V "$DURATION" -- dotnet "$INSTRUMENTED/Cascade.Fuzz.dll" afl "$TARGET" >"$FINDINGS/afl.log" 2>&1
status=$?
set -e
STATS="$FINDINGS/default/fuzzer_stats"
if [ ! -f "$STATS" ]; then
  tail -30 "$FINDINGS/afl.log"; echo "afl-fuzz did not start (exit $status)"; exit 1
fi
stat() { grep "^$1 " "$STATS" | sed 's/.*: //'; }

# New coverage, smallest first; then every crash.
added=0
for input in $(find "$FINDINGS/default/queue" -maxdepth 1 -type f -name 'id:*+cov*' -size -16k -printf '%s %p\n' | sort -n | cut -d' ' -f2); do
  [ "$added" -ge "$KEEP" ] && break
  name="afl-$(sha1sum "$input" | cut -c1-12)"
  [ -e "$CORPUS/$name" ] && continue
  cp "$input" "$CORPUS/$name"; added=$((added + 1))
done
# Crashes: replayed one by one on the uninstrumented build, the smallest input of each distinct failure kept
# (afl-fuzz saves one per new path, often dozens for one bug).
crashes=0
declare -A seen=()
for input in $(find "$FINDINGS/default/crashes" -maxdepth 1 -type f -name 'id:*' -printf '%s %p\n' 2>/dev/null | sort -n | cut -d' ' -f2); do
  crashes=$((crashes + 1))
  signature=$(dotnet "$BUILD/Cascade.Fuzz.dll" replay "$TARGET" "$input" 2>&1 | grep -m1 '^SIGNATURE' || echo "SIGNATURE process died")
  [ -n "${seen[$signature]:-}" ] && continue
  seen[$signature]=1
  cp "$input" "$CORPUS/crash-$(sha1sum "$input" | cut -c1-12)"
  echo "   new crash: ${signature#SIGNATURE }"
done
hangs=$(find "$FINDINGS/default/hangs" -maxdepth 1 -type f -name 'id:*' 2>/dev/null | wc -l)

printf '\n%-12s %8s %12s %8s %10s %8s %8s %8s %10s\n' target seconds execs exec/s corpus edges crashes hangs "kept new"
printf '%-12s %8s %12s %8s %10s %8s %8s %8s %10s\n' "$TARGET" "$(stat run_time)" "$(stat execs_done)" "$(stat execs_per_sec)" \
  "$(stat corpus_count)" "$(stat edges_found)" "$(stat saved_crashes)" "$(stat saved_hangs)" "$added"
echo "corpus $CORPUS: $(ls "$CORPUS" | wc -l) files, $(du -sk "$CORPUS" | cut -f1) KiB"
if [ "$crashes" -gt 0 ]; then
  say "$crashes crash(es), ${#seen[@]} distinct, kept in $CORPUS as crash-*: replay them with dotnet $BUILD/Cascade.Fuzz.dll replay $TARGET $FINDINGS/default/crashes"
  exit 1
fi
[ "$hangs" -eq 0 ] || say "$hangs hang(s) in $FINDINGS/default/hangs (over 10 s): replay them with dotnet $BUILD/Cascade.Fuzz.dll replay $TARGET FILE"
