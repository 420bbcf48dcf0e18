'use client';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ModelFolder } from '@/nodes/schemas';
import {
  ensureModelFolders,
  errorMessage,
  hashModel,
  listModelFolders,
  listModelUsage,
  type ModelFolderInfo,
  type ModelUsage,
} from '@/app/lib/engineApi';
import { refreshModels } from '@/app/lib/engineSync';
import { useTemplateStore } from '@/app/stores/templateStore';
import { Modal } from './Modal';

/** What each folder is for, in a line (ComfyUI's folder names). */
const PURPOSE: Partial<Record<ModelFolder, string>> = {
  checkpoints: 'Stable Diffusion checkpoints (SD1.x, SD2.x, SDXL): model, text encoder and VAE in one file',
  loras: 'LoRA / LyCORIS files applied by LoraLoader',
  vae: 'stand-alone VAEs for VAELoader',
  text_encoders: 'CLIP text encoders',
  embeddings: 'textual inversion embeddings, used as embedding:name in prompts',
  upscale_models: 'ESRGAN-style image upscalers',
  controlnet: 'ControlNet and T2I-Adapter models',
};

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}

/** Every model folder: where it is on disk, its files with family, size, hash (computed in the background) and the workflows that use each. */
export function ModelLibrary({ onClose }: { onClose: () => void }) {
  const models = useTemplateStore((s) => s.models);
  const [folders, setFolders] = useState<ModelFolderInfo[] | null>(null);
  const [usage, setUsage] = useState<ModelUsage>({});
  const [created, setCreated] = useState<string[]>([]);
  const [hashes, setHashes] = useState<Record<string, string>>({});
  const [hashing, setHashing] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const live = useRef(true);
  useEffect(
    () => () => {
      live.current = false;
    },
    [],
  );

  const refresh = useCallback(async () => {
    setBusy(true);
    try {
      const made = await ensureModelFolders();
      if (made.length) setCreated((c) => [...new Set([...c, ...made])]);
      const [f, u] = await Promise.all([listModelFolders(), listModelUsage(), refreshModels()]);
      if (!live.current) return;
      setFolders(f);
      setUsage(u);
      setError(null);
    } catch (err) {
      if (live.current) setError(errorMessage(err));
    } finally {
      if (live.current) setBusy(false);
    }
  }, []);
  useEffect(() => void refresh(), [refresh]);

  // hashes, one file at a time, while the panel is open (large files take a while; nothing waits for them)
  useEffect(() => {
    if (hashing) return;
    for (const [folder, files] of Object.entries(models) as [ModelFolder, { name: string; sha256: string | null }[]][]) {
      const next = files.find((f) => !f.sha256 && !hashes[`${folder}/${f.name}`]);
      if (!next) continue;
      const key = `${folder}/${next.name}`;
      setHashing(key);
      hashModel(folder, next.name)
        .then(
          (sha) => live.current && setHashes((h) => ({ ...h, [key]: sha })),
          () => live.current && setHashes((h) => ({ ...h, [key]: 'unreadable' })),
        )
        .finally(() => live.current && setHashing(null));
      return;
    }
  }, [models, hashes, hashing]);

  return (
    <Modal onClose={onClose} testId="model-library" label="Model library" className="flex h-[88vh] w-[min(64rem,94vw)] flex-col p-4">
      <div className="mb-2 flex items-center gap-2">
        <h2 className="text-base font-semibold">Models</h2>
        <span className="text-xs text-neutral-500">files the server reads, by ComfyUI folder</span>
        <button
          type="button"
          data-testid="models-refresh"
          className="ml-auto rounded bg-neutral-800 px-2 py-1 text-xs hover:bg-neutral-700 disabled:opacity-50"
          disabled={busy}
          onClick={() => void refresh()}
        >
          {busy ? 'Refreshing…' : 'Refresh'}
        </button>
        <button type="button" className="rounded bg-neutral-800 px-2 py-1 text-xs hover:bg-neutral-700" onClick={onClose} aria-label="close">
          ✕
        </button>
      </div>
      {error && <p className="mb-2 text-xs text-red-300">{error}</p>}
      {created.length > 0 && (
        <div data-testid="models-created" className="mb-2 rounded bg-sky-950 p-2 text-xs text-sky-100 ring-1 ring-sky-800">
          <p className="font-semibold">Created the missing model folders, ready for your files:</p>
          <ul className="mt-1 list-inside list-disc font-mono">
            {created.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
          <p className="mt-1">Copy or link model files into them, then press Refresh (no restart needed).</p>
        </div>
      )}
      <div className="min-h-0 flex-1 overflow-auto pr-1">
        {folders?.map((f) => {
          const files = models[f.folder] ?? [];
          const here = f.dirs[0]?.path ?? '';
          return (
            <section key={f.folder} data-testid={`models-folder-${f.folder}`} className="mb-3 rounded bg-neutral-950/60 p-2 ring-1 ring-neutral-800">
              <header className="flex flex-wrap items-baseline gap-x-2">
                <h3 className="font-semibold text-neutral-100">{f.folder}</h3>
                <span className="text-xs text-neutral-400">{PURPOSE[f.folder] ?? ''}</span>
                <span className="ml-auto text-xs text-neutral-500">
                  {files.length} file{files.length === 1 ? '' : 's'}
                </span>
              </header>
              <p
                data-testid={`models-path-${f.folder}`}
                className="mt-0.5 break-all font-mono text-[11px] text-neutral-400"
                title={f.dirs.map((d) => d.path).join('\n')}
              >
                {here}
                {f.dirs.length > 1 && <span className="text-neutral-600"> (+{f.dirs.length - 1} more)</span>}
              </p>
              {files.length === 0 ? (
                <p className="mt-1 text-xs text-neutral-500">
                  empty: put {f.extensions.filter((x) => x).join(' ') || 'files'} files in <span className="font-mono">{here}</span>
                </p>
              ) : (
                <table className="mt-1 w-full table-fixed text-xs">
                  <thead className="text-left text-neutral-500">
                    <tr>
                      <th className="w-2/5 font-normal">file</th>
                      <th className="w-16 font-normal">family</th>
                      <th className="w-20 font-normal">size</th>
                      <th className="font-normal">sha256</th>
                      <th className="w-1/5 font-normal">used by</th>
                    </tr>
                  </thead>
                  <tbody>
                    {files.map((m) => {
                      const key = `${f.folder}/${m.name}`;
                      const sha = m.sha256 ?? hashes[key];
                      const users = usage[f.folder]?.[m.name] ?? [];
                      return (
                        <tr key={m.name} data-testid={`model-row-${f.folder}-${m.name}`} className="border-t border-neutral-800 align-top">
                          <td className="truncate py-0.5 font-mono" title={m.name}>
                            {m.name}
                          </td>
                          <td data-testid="model-family">{m.family ?? '—'}</td>
                          <td data-testid="model-size" className="tabular-nums">
                            {formatBytes(m.bytes)}
                          </td>
                          <td data-testid="model-sha" className="truncate font-mono text-neutral-400" title={sha ?? ''}>
                            {sha ?? (hashing === key ? 'hashing…' : 'queued for hashing')}
                          </td>
                          <td data-testid="model-users" className="truncate" title={users.join(', ')}>
                            {users.length ? users.join(', ') : <span className="text-neutral-600">no saved workflow</span>}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              )}
            </section>
          );
        })}
      </div>
    </Modal>
  );
}
