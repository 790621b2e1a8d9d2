#!/usr/bin/env bash
# Where a saturated Predict's CPU goes on the all-in-one host: perf samples of the host process (frame pointers and
# the runtime's perf map, so JIT-compiled frames have names), attributed to the request path, the prediction log,
# Monitoring and the embedded log's consumer by attribute.py.
#   bench/CascadeBench/profile/profile-predict.sh [NAME]        (needs perf and h2load; writes /tmp/NAME.*)
# PROFILE_TARGET=0 profiles Health/Check instead, the echo ceiling.
set -euo pipefail
name=${1:-predict}
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
dotnet build -c Release -v q -clp:ErrorsOnly bench/CascadeBench > /dev/null
# W^X off: with it the runtime maps JIT code through memfd aliases perf cannot match to the perf map.
export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0
dotnet bench/CascadeBench/bin/Release/net10.0/CascadeBench.dll --predict --quick --profile 40 > "/tmp/$name.log" 2>&1 &
bench=$!
until grep -q "PROFILE START" "/tmp/$name.log" 2>/dev/null; do
  kill -0 $bench 2>/dev/null || { cat "/tmp/$name.log"; exit 1; }
  sleep 0.5
done
pid=$(grep "PROFILE START" "/tmp/$name.log" | awk '{print $4}')
sleep 3
perf record -F 499 -g -p "$pid" -o "/tmp/$name.perf" -- sleep 15 > /dev/null 2>&1
wait $bench
grep "PROFILE END" "/tmp/$name.log"
micros=$(grep "PROFILE END" "/tmp/$name.log" | grep -o "[0-9.]* µs CPU" | cut -d' ' -f1)
perf script -i "/tmp/$name.perf" 2>/dev/null | python3 "$root/bench/CascadeBench/profile/attribute.py" "$micros"
