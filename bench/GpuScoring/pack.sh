#!/usr/bin/env bash
# Builds the GPU batch-scoring check (docs/performance.md, "Batch scoring on GPU") for a GPU machine that has neither
# .NET nor a network: a self-contained linux-x64 program with ONNX Runtime's CUDA build (-p:CascadeOnnxRuntime=gpu),
# packed and cut into parts small enough to carry to that machine one call at a time (run.sh there puts them
# together). Run here, with NuGet reachable.
#
#   bench/GpuScoring/pack.sh [PART_MIB]    parts of PART_MIB MiB (default 48) in .build/gpu-scoring/ (git-ignored)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
part_mib=${1:-48}
out="$root/.build/gpu-scoring"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The sources it needs, copied: a restore with the CUDA package must not rewrite the obj/ folders of this
# checkout's CPU builds (their project.assets.json would then carry the CUDA package into every build and test).
(cd "$root" && tar --exclude=bin --exclude=obj -cf - Directory.Build.props Directory.Build.targets Directory.Packages.props global.json \
    services/BuildingBlocks/Cascade.Ml services/BuildingBlocks/Cascade.Ml.Evaluation bench/GpuScoring \
    tests/Cascade.Ml.Tests/Evaluation/RandomEnsembles.cs) | tar -C "$work" -xf -
echo "publishing bench/GpuScoring with ONNX Runtime's CUDA build (self-contained, linux-x64) ..."
dotnet publish "$work/bench/GpuScoring/GpuScoring.csproj" -c Release -r linux-x64 --self-contained \
    -p:CascadeOnnxRuntime=gpu -v q -clp:ErrorsOnly -o "$work/app"
# TensorRT's provider needs TensorRT's libraries (libnvinfer), which the check does not use.
rm -f "$work/app/libonnxruntime_providers_tensorrt.so" "$work/app"/*.pdb "$work/app"/*.dbg

rm -rf "$out" && mkdir -p "$out"
tar -C "$work/app" -cf - . | gzip -1 | split -b "${part_mib}M" -d -a 2 - "$out/app.tar.gz.part-"
(cd "$out" && sha256sum app.tar.gz.part-* > SHA256SUMS)
ls -l "$out"
parts=$(ls "$out"/app.tar.gz.part-* | wc -l)
echo
echo "$parts parts. On the GPU machine (device tool), one call per part, each call within the machine's idle limit of the last:"
i=0
for part in "$out"/app.tar.gz.part-*; do
    i=$((i + 1))
    name=$(basename "$part")
    if [ "$i" -lt "$parts" ]; then
        echo "  carry [.build/gpu-scoring/$name]  command: bench/GpuScoring/run.sh stage"
    else
        echo "  carry [.build/gpu-scoring/$name, .build/gpu-scoring/SHA256SUMS]  command: bench/GpuScoring/run.sh stage && bench/GpuScoring/run.sh check"
    fi
done
