#!/usr/bin/env bash
# One GPU session's measurements, as a single call on a lent GPU machine (no npm, no internet there): the model
# bench on WebGPU with the default precision, then with LOOM_PRECISION=fp16 (each checked against the CPU provider
# in fp32), then the full SDXL UNet, then resident sampling against the host loop. Logs go to the given folder (default $OUT, else /tmp).
# Here:   bash bench/gpu-bundle.sh   (it packs the Vulkan/GL loaders too, installed there if missing)
# There:  bash bench/gpu-session.sh [log-dir]   with .bench-bundle carried along. About 5 minutes on an H200.
# Time limits (seconds) per run: LOOM_GPU_RUN_S (200).
set -uo pipefail
cd "$(dirname "$0")/.."
logs=${1:-${OUT:-/tmp}}
mkdir -p "$logs"
{
  date -u
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm --format=csv
  nproc
} 2>&1 | tee "$logs/machine.txt"

bench() { # name, then env assignments and run.sh arguments
  local name=$1; shift
  echo "=== $name"
  env LOOM_BENCH_REPS="${LOOM_BENCH_REPS:-5}" "$@" 2>&1 | tee "$logs/$name.log"
  echo "=== $name: exit ${PIPESTATUS[0]}"
}
limit=${LOOM_GPU_RUN_S:-200}
bench webgpu-default timeout "$limit" bash .bench-bundle/run.sh webgpu
if grep -q 'Failed to get a WebGPU adapter' "$logs/webgpu-default.log"; then
  # no WebGPU adapter: say why (the ICD file, the driver library it names and what that library lacks)
  for icd in $(find / -xdev -path /proc -prune -o -name '*nvidia*icd*.json' -print 2>/dev/null); do
    echo "ICD $icd"; cat "$icd"
    lib=$(sed -n 's/.*"library_path": *"\([^"]*\)".*/\1/p' "$icd")
    p=$(ldconfig -p | awk -v l="$lib" '$1 == l { print $NF; exit }')
    ldd "${p:-$lib}" 2>&1 | grep -i 'not found'
  done 2>&1 | tee "$logs/vulkan-diagnosis.txt"
  exit 1
fi
bench webgpu-fp16 LOOM_PRECISION=fp16 LOOM_BENCH_SKIP_VAE=1 timeout "$limit" bash .bench-bundle/run.sh webgpu
bench webgpu-sdxl timeout "$limit" bash .bench-bundle/run.sh webgpu sdxl
# resident sampling vs the host loop: SD1.5-sized 512x512, 20 euler CFG steps each way
bench webgpu-resident timeout "$limit" bash .bench-bundle/run.sh webgpu resident
