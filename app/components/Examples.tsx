'use client';
import { useEffect, useState } from 'react';
import { DEFAULT_WORKFLOW } from '@/app/lib/defaultGraph';
import { errorMessage, listInputs, listModelFolders } from '@/app/lib/engineApi';
import { openDocument } from '@/app/lib/editorActions';
import { refreshModels } from '@/app/lib/engineSync';
import { adaptExample, parseExampleIndex, type ExampleEntry } from '@/app/lib/examples';
import { uploadInput } from '@/app/lib/inputFiles';
import { useTemplateStore } from '@/app/stores/templateStore';
import { useToastStore } from '@/app/stores/toastStore';

/** Copies an example's input image into input/ unless a file of that name is there already. */
async function ensureExampleInput(name: string): Promise<void> {
  if ((await listInputs()).some((f) => f.name === name)) return;
  const res = await fetch(`/examples/input/${encodeURIComponent(name)}`);
  if (!res.ok) throw new Error(`the example input ${name} is missing from this build`);
  await uploadInput(await res.blob(), name);
}

/** Says plainly what an example lacks (a LoRA, an SDXL checkpoint), with the folder to put it in. */
async function reportMissing(entry: ExampleEntry, missing: string[]) {
  if (missing.length === 0) return;
  const folders = await listModelFolders().catch(() => []);
  const where = (f: string) => folders.find((x) => x.folder === f.split(' ')[0])?.dirs[0]?.path ?? `models/${f.split(' ')[0]}`;
  for (const m of missing) {
    const what =
      m === 'loras'
        ? 'a LoRA file'
        : m.startsWith('checkpoints')
          ? `a ${m.includes('sdxl') ? 'SDXL' : m.includes('sd1') ? 'Stable Diffusion 1.x' : ''} checkpoint`
          : `a file in ${m}`;
    useToastStore.getState().push(`${entry.title} needs ${what}: put it in ${where(m)}, then Refresh in Models.`, 'error');
  }
}

/** The example workflows the editor ships (public/workflows/index.json), run on whatever checkpoints are installed. */
export function Examples() {
  const [available, setAvailable] = useState<ExampleEntry[]>([]);
  useEffect(() => {
    fetch('/workflows/index.json')
      .then((r) => (r.ok ? r.json() : []))
      .then((v: unknown) => setAvailable(parseExampleIndex(v)))
      .catch(() => setAvailable([]));
  }, []);
  const open = async (entry: ExampleEntry) => {
    try {
      const res = await fetch(`/workflows/${encodeURIComponent(entry.file)}`);
      // the installed models decide the example's checkpoint: wait for the list if it has not arrived yet
      if (!useTemplateStore.getState().modelsLoaded) await refreshModels();
      let missing: string[] = [];
      const { byId, models } = useTemplateStore.getState();
      const ok = await openDocument(await res.json(), {
        label: entry.title,
        name: entry.title,
        adapt: (wf) => {
          const r = adaptExample(wf, byId, models, entry.needs?.checkpoint);
          missing = r.missing;
          return r.workflow;
        },
      });
      if (!ok) return;
      for (const input of entry.needs?.inputs ?? []) await ensureExampleInput(input);
      await reportMissing(entry, missing);
    } catch (err) {
      useToastStore.getState().push(`${entry.title}: ${errorMessage(err)}`, 'error');
    }
  };
  return (
    <section className="flex flex-col gap-1">
      <h3 className="text-xs font-semibold uppercase tracking-wide text-neutral-400">Examples</h3>
      <button
        type="button"
        data-testid="example-default"
        className="rounded px-2 py-1 text-left text-sm hover:bg-neutral-800"
        onClick={() => {
          const { byId, models } = useTemplateStore.getState();
          void openDocument(DEFAULT_WORKFLOW, {
            label: 'default text-to-image',
            name: 'untitled',
            adapt: (wf) => adaptExample(wf, byId, models, 'sd1').workflow,
          });
        }}
      >
        default text-to-image
      </button>
      {available.map((e) => {
        const n = e.file.replace(/\.json$/, '');
        return (
          <button
            key={n}
            type="button"
            data-testid={`example-${n}`}
            title={e.description}
            className="rounded px-2 py-1 text-left text-sm hover:bg-neutral-800"
            onClick={() => void open(e)}
          >
            {e.title}
          </button>
        );
      })}
    </section>
  );
}
