#!/usr/bin/env bash
# Packs the model benches (bench/models.ts, bench/sdxl.ts, bench/resident.ts) into one folder that runs where npm and the registry are not
# available (a GPU machine without internet): this machine's Node binary, the bench as one ESM file, and
# onnxruntime-node's JS and Linux x64 native libraries (CPU and WebGPU providers), large files xz-compressed.
# Usage: bash bench/gpu-bundle.sh [out-dir]   then, on the target:   bash <out-dir>/run.sh [webgpu|cuda|cpu] [models|sdxl|resident]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-.bench-bundle}
rm -rf "$out"
mkdir -p "$out/node_modules/onnxruntime-node/bin/napi-v6/linux/x64"
for section in models sdxl resident; do
  npx --no-install esbuild "bench/$section.ts" --bundle --platform=node --format=esm --target=node20 \
    --external:onnxruntime-node --external:wabt --log-level=warning --outfile="$out/$section.mjs" \
    --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
done
ort=node_modules/onnxruntime-node
cp -r "$ort/package.json" "$ort/dist" "$out/node_modules/onnxruntime-node/"
cp -r node_modules/onnxruntime-common "$out/node_modules/"
# wabt (compiles the merge kernel, see server/runtime/checkpoint/merge-kernel) finds itself through __dirname
mkdir -p "$out/node_modules/wabt" && cp node_modules/wabt/{package.json,index.js} "$out/node_modules/wabt/"
cp "$ort/bin/napi-v6/linux/x64/onnxruntime_binding.node" "$out/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/"
xz -T0 -6 -c "$ort/bin/napi-v6/linux/x64/libonnxruntime.so.1" > "$out/libonnxruntime.so.1.xz"
xz -T0 -6 -c "$(command -v node)" > "$out/node.xz"
# the Vulkan loader WebGPU (Dawn) needs, and the GL dispatch libraries NVIDIA's ICD library (libGLX_nvidia) needs
# to start; GPU images often ship only the driver's own files
(cd "$out" && apt-get download libvulkan1 libglvnd0 libegl1 libgl1 libglx0 libopengl0 libgles2 >/dev/null 2>&1) ||
  echo "Vulkan/GL loaders not bundled (apt-get download failed)"
cat > "$out/run.sh" <<'RUN'
#!/usr/bin/env bash
# Unpacks once, then runs a bench section (models, sdxl or resident, default models) on the given provider (default
# webgpu). Env as in bench/models.ts and bench/sdxl.ts.
set -euo pipefail
cd "$(dirname "$0")"
lib=node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1
[ -f "$lib" ] || xz -dc libonnxruntime.so.1.xz > "$lib"
[ -x node ] || { xz -dc node.xz > node; chmod +x node; }
if ! ldconfig -p 2>/dev/null | grep -q libvulkan.so.1 && ls libvulkan1_*.deb >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    # installed where the driver's ICD looks for them (seen working on an H200 image; a private
    # LD_LIBRARY_PATH copy was not enough there: the ICD then failed to give vkCreateInstance)
    for d in *.deb; do dpkg -x "$d" /; done
    ldconfig
  else
    [ -d vulkan ] || for d in *.deb; do dpkg -x "$d" vulkan; done
    export LD_LIBRARY_PATH="$PWD/vulkan/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  fi
fi
# NVIDIA images put the ICD outside the loader's default search path
for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json; do
  if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$icd" ]; then export VK_DRIVER_FILES="$icd"; fi
done
LOOM_BENCH_DEVICE=${1:-webgpu} ./node "${2:-models}.mjs"
RUN
chmod +x "$out/run.sh"
du -sh "$out"
