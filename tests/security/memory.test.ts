/**
 * Finding 3: in-range inputs OOM-killed the process (a 2048x2048 txt2img on CPU, a small PNG that decodes to
 * 20000x20000) and the killed job crash-looped. Now both fail on their node with a message naming the limit, before
 * memory is spent; the job fails once and the server keeps serving.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, startServer, type ServerProcess } from '../api/server-process';
import { golden, haveGolden } from '../helpers/golden';
import { tempDataDir } from './http';

let server: ServerProcess;
let dir: string;

beforeAll(async () => {
  dir = tempDataDir('memory');
  if (haveGolden) fs.symlinkSync(golden('tiny-sd1', 'model.safetensors'), path.join(dir, 'models', 'checkpoints', 'tiny-sd1.safetensors'));
  // a valid PNG of 20000x20000 grey pixels: ~1.2 MB of zlib, 1.6 GB decoded
  const row = Buffer.alloc(1 + 20000 * 4, 0x80);
  row[0] = 0;
  const z = zlib.deflateSync(Buffer.concat(Array.from({ length: 64 }, () => row)), { level: 9 });
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(Buffer.concat([Buffer.from(type), data])) >>> 0);
    return Buffer.concat([len, Buffer.from(type), data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(20000, 0);
  ihdr.writeUInt32BE(20000, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  fs.writeFileSync(
    path.join(dir, 'input', 'bomb.png'),
    Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', z), chunk('IEND', Buffer.alloc(0))]),
  );
  server = await startServer(dir);
});
afterAll(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function settle(api: ReturnType<typeof client>, id: string) {
  for (let i = 0; i < 600; i++) {
    const job = await api.jobs.get.query({ id });
    if (job.status === 'failed' || job.status === 'finished') return job;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${id} did not settle`);
}

describe('memory findings', () => {
  it('a PNG that decodes to 20000x20000 fails on LoadImage by its header', async () => {
    const api = client(server.url);
    const job = await api.jobs.enqueue.mutate({
      workflow: { 1: { class_type: 'LoadImage', inputs: { image: 'bomb.png' } }, 2: { class_type: 'PreviewImage', inputs: { images: ['1', 0] } } },
    });
    const done = await settle(api, job.id);
    expect(done.status).toBe('failed');
    expect(done.error?.nodeId).toBe('1');
    expect(done.error?.message).toMatch(/20000x20000.*LOOM_MAX_IMAGE_PIXELS/);
    expect(done.attempts).toBe(1);
  });

  it.runIf(haveGolden || process.env.CI)(
    'a 2048x2048 txt2img batch that cannot fit fails on KSampler before its first step; the server keeps serving',
    async () => {
      const api = client(server.url);
      const job = await api.jobs.enqueue.mutate({
        workflow: {
          1: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'tiny-sd1.safetensors' } },
          2: { class_type: 'CLIPTextEncode', inputs: { text: 'a cat', clip: ['1', 1] } },
          3: { class_type: 'EmptyLatentImage', inputs: { width: 2048, height: 2048, batch_size: 64 } },
          4: {
            class_type: 'KSampler',
            inputs: {
              seed: 1,
              steps: 20,
              cfg: 7,
              sampler_name: 'euler',
              scheduler: 'normal',
              denoise: 1,
              model: ['1', 0],
              positive: ['2', 0],
              negative: ['2', 0],
              latent_image: ['3', 0],
            },
          },
          5: { class_type: 'VAEDecode', inputs: { samples: ['4', 0], vae: ['1', 2] } },
          6: { class_type: 'SaveImage', inputs: { images: ['5', 0], filename_prefix: 'big' } },
        },
      });
      const done = await settle(api, job.id);
      expect(done.status).toBe('failed');
      expect(done.error?.nodeId).toBe('4');
      expect(done.error?.message).toMatch(
        /sampling a 2048x2048 image batch of 64 needs about \d+\.\d GiB of working memory and \d+\.\d GiB is available .*LOOM_MAX_JOB_MEMORY/,
      );
      expect(done.attempts).toBe(1);
      expect((await api.jobs.list.query()).some((j) => j.id === job.id)).toBe(true);
    },
  );
});
