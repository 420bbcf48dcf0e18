/** @type {import('next').NextConfig} */
const nextConfig = {
  // The ML runtime (native onnxruntime, wabt's emscripten module) is server-only; never bundle it.
  serverExternalPackages: ['onnxruntime-node', 'wabt'],
  reactStrictMode: true,
  typescript: { ignoreBuildErrors: false },
};
export default nextConfig;
