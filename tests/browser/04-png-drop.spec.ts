import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { expect, test } from '@playwright/test';
import { dropFile, openFresh } from './helpers';

/** Newest PNG SaveImage wrote in this run's data dir (the text-to-image test makes one). */
function newestSavedPng(): string | null {
  const out = process.env.LOOM_DATA_DIR ? path.join(process.env.LOOM_DATA_DIR, 'output') : null;
  if (!out || !existsSync(out)) return null;
  const pngs: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.png') && !p.includes(`${path.sep}temp`)) pngs.push(p);
    }
  };
  walk(out);
  return pngs.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0] ?? null;
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
  return Buffer.concat([head, data, crc]);
}

/** A 1x1 PNG carrying a workflow the way SaveImage writes it (tEXt "latentloom.workflow"). */
function pngWithWorkflow(workflow: unknown): Buffer {
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
  const text = Buffer.concat([Buffer.from('latentloom.workflow\0', 'latin1'), Buffer.from(JSON.stringify(workflow), 'utf8')]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('tEXt', text),
    chunk('IDAT', deflateSync(Buffer.from([0, 200, 60, 40]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

test('dropping a SaveImage PNG restores its graph', async ({ page }) => {
  await openFresh(page);
  const saved = newestSavedPng();
  let bytes: Buffer;
  let expectedIds: string[];
  if (saved) {
    bytes = readFileSync(saved);
    expectedIds = ['checkpointloadersimple', 'ksampler', 'saveimage'];
  } else {
    // Without a run (engine not wired), a PNG laid out exactly as SaveImage writes it.
    test.info().annotations.push({ type: 'note', description: 'no SaveImage output found; used a synthesized PNG' });
    bytes = pngWithWorkflow({
      format: 'latentloom.workflow',
      version: 1,
      nodes: {
        png_ckpt: { type: 'LoadCheckpoint', version: 1, params: { file: 'tiny-sd1.safetensors' }, ui: { x: 0, y: 0 } },
        png_text: {
          type: 'TextEncode',
          version: 1,
          params: { text: 'from a png' },
          inputs: { clip: { node: 'png_ckpt', output: 'clip' } },
          ui: { x: 340, y: 0 },
        },
      },
    });
    expectedIds = ['png_ckpt', 'png_text'];
  }
  await page.getByTestId('new-workflow').click();
  await expect(page.locator('.react-flow__node')).toHaveCount(0);
  await dropFile(page, 'image.png', 'image/png', bytes);
  for (const id of expectedIds) await expect(page.getByTestId(`node-${id}`)).toBeVisible();
  await expect(page.locator('.react-flow__edge').first()).toBeAttached();
});
