import { expect, type Locator, type Page } from '@playwright/test';

export const SHOTS = 'test-results/screenshots';

/** Cancels what an earlier test left queued or running on the shared server, so each test starts idle. */
export async function cancelLeftovers(page: Page) {
  for (const status of ['queued', 'running']) {
    const res = await page.request.get(`/api/trpc/jobs.list?input=${encodeURIComponent(JSON.stringify({ status, limit: 1000 }))}`);
    const jobs = ((await res.json()) as { result?: { data?: { id: string }[] } }).result?.data ?? [];
    for (const j of jobs) await page.request.post('/api/trpc/jobs.cancel', { data: { id: j.id } });
  }
}

/** Opens the editor with no autosave, so it starts from the default graph (and the server from an empty queue). */
export async function openFresh(page: Page) {
  await cancelLeftovers(page);
  await page.goto('/');
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await expect(page.getByTestId('canvas')).toBeVisible();
}

export function node(page: Page, id: string): Locator {
  return page.getByTestId(`node-${id}`);
}

export function handle(page: Page, nodeId: string, side: 'in' | 'out', name: string): Locator {
  return page.getByTestId(`handle-${nodeId}-${side}-${name}`);
}

async function center(l: Locator) {
  const box = await l.boundingBox();
  if (!box) throw new Error('element has no box');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Drags with the real mouse from one handle to another, in small steps as a person would. */
export async function dragLink(page: Page, from: Locator, to: Locator) {
  const a = await center(from);
  const b = await center(to);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 8 });
  await page.mouse.move(b.x, b.y, { steps: 8 });
  await page.mouse.up();
}

/** Double-clicks empty canvas at (x, y), searches the palette and picks the node type. */
export async function addFromPalette(page: Page, type: string, x: number, y: number) {
  await page.mouse.dblclick(x, y);
  const palette = page.getByTestId('palette');
  await expect(palette).toBeVisible();
  await page.getByTestId('palette-search').fill(type);
  await page.getByTestId(`palette-item-${type}`).click();
  await expect(palette).toBeHidden();
}

export function edge(page: Page, target: string, input: string): Locator {
  return page.locator(`.react-flow__edge[data-id="${target}:${input}"]`);
}

export async function edgeCount(page: Page): Promise<number> {
  return page.locator('.react-flow__edge').count();
}

/** The workflow the editor autosaved (what a reload restores). */
export async function autosavedWorkflow(
  page: Page,
): Promise<{ nodes: Record<string, { type: string; params: Record<string, unknown>; inputs: Record<string, unknown> }> }> {
  await page.waitForTimeout(600);
  return page.evaluate(() => JSON.parse(localStorage.getItem('latentloom.autosave') ?? '{}').workflow);
}

/** Drops a file on the canvas the way a browser drag from the desktop does. */
export async function dropFile(page: Page, name: string, mime: string, bytes: Buffer) {
  const dataTransfer = await page.evaluateHandle(
    ({ name, mime, b64 }) => {
      const bin = atob(b64);
      const arr = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) arr[i] = bin.charCodeAt(i);
      const dt = new DataTransfer();
      dt.items.add(new File([arr], name, { type: mime }));
      return dt;
    },
    { name, mime, b64: bytes.toString('base64') },
  );
  const canvas = page.getByTestId('canvas');
  await canvas.dispatchEvent('dragover', { dataTransfer });
  await canvas.dispatchEvent('drop', { dataTransfer });
}

/** The seven-node text-to-image workflow file (node ids ckpt, pos, neg, latent, sampler, decode, save) at 64x64. */
export function txt2imgWorkflow(o: { file: string; text: string; seed: number; steps: number; prefix: string }) {
  return {
    format: 'latentloom.workflow',
    version: 2,
    nodes: {
      ckpt: { type: 'CheckpointLoaderSimple', version: 1, params: { ckpt_name: o.file }, ui: { x: 0, y: 100 } },
      pos: { type: 'CLIPTextEncode', version: 1, params: { text: o.text }, inputs: { clip: { node: 'ckpt', output: 'CLIP' } }, ui: { x: 340, y: 0 } },
      neg: { type: 'CLIPTextEncode', version: 1, params: { text: '' }, inputs: { clip: { node: 'ckpt', output: 'CLIP' } }, ui: { x: 340, y: 250 } },
      latent: { type: 'EmptyLatentImage', version: 1, params: { width: 64, height: 64, batch_size: 1 }, ui: { x: 340, y: 480 } },
      sampler: {
        type: 'KSampler',
        version: 1,
        params: { seed: o.seed, steps: o.steps },
        inputs: {
          model: { node: 'ckpt', output: 'MODEL' },
          positive: { node: 'pos', output: 'CONDITIONING' },
          negative: { node: 'neg', output: 'CONDITIONING' },
          latent_image: { node: 'latent', output: 'LATENT' },
        },
        ui: { x: 700, y: 100 },
      },
      decode: {
        type: 'VAEDecode',
        version: 1,
        inputs: { samples: { node: 'sampler', output: 'LATENT' }, vae: { node: 'ckpt', output: 'VAE' } },
        ui: { x: 1040, y: 100 },
      },
      save: {
        type: 'SaveImage',
        version: 1,
        params: { filename_prefix: o.prefix },
        inputs: { images: { node: 'decode', output: 'IMAGE' } },
        ui: { x: 1300, y: 100 },
      },
    },
  };
}

/** Loads a workflow object into the editor through the Upload button. */
export async function uploadWorkflow(page: Page, name: string, workflow: unknown) {
  await page.getByTestId('upload-input').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(workflow)) });
}

/** A point on a wire (fraction `at` of its length) in page coordinates: where a person would click it. */
export async function wirePoint(page: Page, target: string, input: string, at = 0.5): Promise<{ x: number; y: number }> {
  const path = page.locator(`.react-flow__edge[data-id="${target}:${input}"] path.react-flow__edge-path`);
  const p = await path.evaluate((el, f) => {
    const svg = el as SVGPathElement;
    const pt = svg.getPointAtLength(svg.getTotalLength() * f);
    const m = svg.getScreenCTM();
    if (!m) throw new Error('wire not on screen');
    return { x: pt.x * m.a + pt.y * m.c + m.e, y: pt.x * m.b + pt.y * m.d + m.f };
  }, at);
  return p;
}

/** A CSS colour as [r, g, b] 0..255, whatever notation the browser computed (oklab, rgb …). */
export async function rgbOf(page: Page, css: string): Promise<[number, number, number]> {
  return page.evaluate((c) => {
    const ctx = document.createElement('canvas').getContext('2d');
    if (!ctx) throw new Error('no canvas');
    ctx.fillStyle = '#000';
    ctx.fillStyle = c;
    ctx.fillRect(0, 0, 1, 1);
    const [r, g, b] = ctx.getImageData(0, 0, 1, 1).data;
    return [r ?? 0, g ?? 0, b ?? 0] as [number, number, number];
  }, css);
}
