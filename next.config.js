/** @type {import('next').NextConfig} */
const nextConfig = {
  // The ML runtime is native code and server-only; never bundle it.
  serverExternalPackages: ['onnxruntime-node'],
  reactStrictMode: true,
  typescript: { ignoreBuildErrors: false },
};
export default nextConfig;
