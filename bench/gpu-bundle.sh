#!/usr/bin/env bash
# Packs the model bench (bench/models.ts) into one folder that runs where npm and the registry are not
# available (a GPU machine without internet): this machine's Node binary, the bench as one ESM file, and
# onnxruntime-node's JS and Linux x64 native libraries (CPU and WebGPU providers), large files xz-compressed.
# Usage: bash bench/gpu-bundle.sh [out-dir]   then, on the target:   bash <out-dir>/run.sh [webgpu|cuda|cpu]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-.bench-bundle}
rm -rf "$out"
mkdir -p "$out/node_modules/onnxruntime-node/bin/napi-v6/linux/x64"
npx --no-install esbuild bench/models.ts --bundle --platform=node --format=esm --target=node20 \
  --external:onnxruntime-node --log-level=warning --outfile="$out/models.mjs" \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
ort=node_modules/onnxruntime-node
cp -r "$ort/package.json" "$ort/dist" "$out/node_modules/onnxruntime-node/"
cp -r node_modules/onnxruntime-common "$out/node_modules/"
cp "$ort/bin/napi-v6/linux/x64/onnxruntime_binding.node" "$out/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/"
xz -T0 -6 -c "$ort/bin/napi-v6/linux/x64/libonnxruntime.so.1" > "$out/libonnxruntime.so.1.xz"
xz -T0 -6 -c "$(command -v node)" > "$out/node.xz"
# the Vulkan loader WebGPU (Dawn) needs; GPU images often ship only the driver's ICD file
(cd "$out" && apt-get download libvulkan1 >/dev/null 2>&1) || echo "libvulkan1 not bundled (apt-get download failed)"
cat > "$out/run.sh" <<'RUN'
#!/usr/bin/env bash
# Unpacks once, then runs the bench on the given provider (default webgpu). Env as in bench/models.ts.
set -euo pipefail
cd "$(dirname "$0")"
lib=node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1
[ -f "$lib" ] || xz -dc libonnxruntime.so.1.xz > "$lib"
[ -x node ] || { xz -dc node.xz > node; chmod +x node; }
if ! ldconfig -p 2>/dev/null | grep -q libvulkan.so.1 && ls libvulkan1_*.deb >/dev/null 2>&1; then
  [ -d vulkan ] || dpkg -x libvulkan1_*.deb vulkan
  export LD_LIBRARY_PATH="$PWD/vulkan/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
# NVIDIA images put the ICD outside the loader's default search path
for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json; do
  if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$icd" ]; then export VK_DRIVER_FILES="$icd"; fi
done
LOOM_BENCH_DEVICE=${1:-webgpu} ./node models.mjs
RUN
chmod +x "$out/run.sh"
du -sh "$out"
