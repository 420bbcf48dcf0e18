import type { ReactNode } from 'react';
import './globals.css';

export const metadata = { title: 'Latent Loom', description: 'Node-graph workflows for Stable Diffusion' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" className="dark">
      <body className="bg-neutral-950 text-neutral-100">{children}</body>
    </html>
  );
}
