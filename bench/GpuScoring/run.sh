#!/usr/bin/env bash
# The GPU batch-scoring check on a machine with an NVIDIA GPU (docs/performance.md, "Batch scoring on GPU"): puts
# together the program pack.sh built, finds CUDA 13's libraries, and runs it. Exit 0: ONNX Runtime's CUDA provider
# scored every row, every node of the graph on the GPU, within 1e-5 of the evaluator; 2: CUDA was not used; 3: it
# disagreed. No .NET and no network needed there.
#
#   run.sh stage            move the parts this call carried (.build/gpu-scoring/app.tar.gz.part-*) out of the tree
#   run.sh check [ARGS]     put the parts together, check them and run: ARGS go to the program (--rows 1000000
#                           --trees 500 --depth 8 --features 32 --batch 65536 --device 0)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
carried="$root/.build/gpu-scoring"
# Outside the tree: the tree is copied anew on every call, this folder stays while the machine is held.
staging=/tmp/cascade-gpu-scoring/parts
app=/tmp/cascade-gpu-scoring/app

case "${1:-}" in
stage)
    mkdir -p "$staging"
    moved=0
    for part in "$carried"/app.tar.gz.part-* "$carried"/SHA256SUMS; do
        [ -e "$part" ] || continue
        cp "$part" "$staging/" && moved=$((moved + 1))
    done
    echo "staged $moved file(s); $(ls "$staging" | grep -c part-) part(s) in $staging"
    ;;
check)
    shift
    (cd "$staging" && sha256sum -c SHA256SUMS)
    rm -rf "$app" && mkdir -p "$app"
    cat "$staging"/app.tar.gz.part-* | gzip -dc | tar -C "$app" -xf -
    # ONNX Runtime 1.32's CUDA provider needs CUDA 13 (libcudart.so.13, libcublas(Lt).so.13, libcurand.so.10) and the
    # driver's libcuda.so.1: from CUDA's toolkit where it is installed, else from the nvidia-* Python wheels.
    dirs=()
    for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib /usr/local/cuda-13*/lib64; do
        [ -d "$d" ] && dirs+=("$d")
    done
    while IFS= read -r lib; do dirs+=("$(dirname "$lib")"); done < <(find /usr /opt /root /home \( -name 'libcublasLt.so.13' -o -name 'libcudart.so.13' -o -name 'libcurand.so.10' -o -name 'libcudnn.so.9' \) 2>/dev/null | sort -u)
    path=$(printf '%s\n' "${dirs[@]}" | awk '!seen[$0]++' | paste -sd:)
    export LD_LIBRARY_PATH="$app:${path}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
    exec "$app/GpuScoring" "$@"
    ;;
no-gpu)
    # Here, on a machine without a GPU: the CPU rows only, from a normal (CPU) build.
    shift
    exec dotnet run --project "$root/bench/GpuScoring" -c Release -- --no-gpu "$@"
    ;;
*)
    echo "usage: run.sh stage | check [--rows N --trees N --depth N --features N --batch N --device N] | no-gpu [ARGS]" >&2
    exit 64
    ;;
esac
