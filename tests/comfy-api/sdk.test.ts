/**
 * The unmodified @saintno/comfyui-sdk (pinned in package.json) driving our server as if it were ComfyUI:
 * ComfyApi + PromptBuilder + CallWrapper run ComfyUI's own txt2img case on the tiny model (progress events, preview
 * frames, the image's pixels against ComfyUI's golden); its `cfli` CLI runs a workflow file with -i overrides and
 * downloads the result; `cfli codegen` turns our /object_info into a typed builder that type-checks (with a
 * negative control) and runs.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CallWrapper, ComfyApi, PromptBuilder } from '@saintno/comfyui-sdk';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../api/server-process';
import { describeGolden, golden } from '../helpers/golden';
import { readGoldenTensors } from '../helpers/read-golden';
import { comfyDataDir, getJson, txt2imgPrompt } from './support';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const CFLI = path.join(ROOT, 'node_modules/@saintno/comfyui-sdk/dist/cli.js');
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');

let server: ServerProcess;
let dir: string;
const temps: string[] = [];

beforeAll(async () => {
  dir = comfyDataDir('loom-sdk-');
  server = await startServer(dir);
});

afterAll(async () => {
  await server?.stop();
  for (const d of [dir, ...temps]) if (d) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-sdk-work-'));
  temps.push(d);
  return d;
}

/** ComfyUI's decoded image of the txt2img_72x56 case, as 0..255 values. */
async function goldenPixels(): Promise<Float32Array> {
  const g = await readGoldenTensors(golden('comfy-nodes', 'txt2img_72x56', 'golden.safetensors'));
  const img = g.get('6.0');
  if (!img) throw new Error('txt2img_72x56 golden: 6.0 missing');
  expect(img.shape).toEqual([1, 56, 72, 3]);
  return Float32Array.from(img.data, (v) => v * 255);
}

/** Largest difference between an RGBA PNG's RGB and the golden (0..255 scale). */
function maxDiff(png: PNG, ref: Float32Array): number {
  let worst = 0;
  for (let p = 0; p < png.width * png.height; p++) {
    for (let k = 0; k < 3; k++) worst = Math.max(worst, Math.abs(png.data[p * 4 + k] - ref[p * 3 + k]));
  }
  return worst;
}

describeGolden('@saintno/comfyui-sdk against our server', () => {
  it("ComfyApi + PromptBuilder + CallWrapper: txt2img with progress events, previews, and ComfyUI's pixels", async () => {
    const api = new ComfyApi(server.url, 'sdk-client');
    try {
      await api.init(5, 500).waitForReady();
      // the SDK reads the OS from /system_stats in the background after init
      for (let i = 0; i < 100 && api.osType === undefined; i++) await new Promise((r) => setTimeout(r, 20));
      expect(api.osType).toBe(process.platform);
      // the SDK's NodeData type wants ComfyUI's _meta titles, which exported prompts carry
      const prompt = Object.fromEntries(Object.entries(txt2imgPrompt()).map(([id, n]) => [id, { ...n, _meta: { title: n.class_type } }]));
      const workflow = new PromptBuilder(prompt, ['seed', 'steps', 'positive', 'checkpoint'], ['images'])
        .setRawInputNode('seed', '5.inputs.seed')
        .setRawInputNode('steps', '5.inputs.steps')
        .setRawInputNode('positive', '2.inputs.text')
        .setRawInputNode('checkpoint', '1.inputs.ckpt_name')
        .setRawOutputNode('images', '7')
        .input('seed', 111)
        .input('steps', 3)
        .input('positive', 'a photo of a cat')
        .input('checkpoint', 'tiny-sd1.safetensors', api.osType);
      const progress: { value: number; max: number; node: string }[] = [];
      let previews = 0;
      let started = '';
      const result = await new CallWrapper(api, workflow)
        .onStart((id) => (started = id ?? ''))
        .onProgress((p) => progress.push({ value: p.value, max: p.max, node: p.node }))
        .onPreview((blob) => {
          expect(blob.size).toBeGreaterThan(8);
          previews++;
        })
        .onFailed((e) => {
          throw e;
        })
        .run();
      expect(result).toBeTruthy();
      expect(started).not.toBe('');
      expect(progress).toEqual([1, 2, 3].map((value) => ({ value, max: 3, node: '5' })));
      expect(previews).toBeGreaterThan(0);
      const images = (result as { images: { images: { filename: string; subfolder: string; type: string }[] } }).images.images;
      expect(images).toHaveLength(1);
      const blob = await api.getImage(images[0]);
      const bytes = Buffer.from(await blob.arrayBuffer());
      expect(bytes).toEqual(fs.readFileSync(path.join(dir, 'output', images[0].subfolder, images[0].filename)));
      const png = PNG.sync.read(bytes);
      expect([png.width, png.height]).toEqual([72, 56]);
      // our engine matches ComfyUI's image to 1e-4 (tests/nodes/comfy-goldens.test.ts); 8-bit rounding adds half a level
      const worst = maxDiff(png, await goldenPixels());
      console.log(`[comfy-sdk] txt2img_72x56 through ComfyApi/CallWrapper: max |ours - ComfyUI| = ${worst.toFixed(3)} of 255`);
      expect(worst).toBeLessThanOrEqual(0.5 + 255e-4);
      // the control: another seed's image is far from it
      const other = await new CallWrapper(api, workflow.input('seed', 112)).run();
      const otherImage = (other as { images: { images: { filename: string }[] } }).images.images[0];
      const otherPng = PNG.sync.read(Buffer.from(await (await api.getImage({ ...images[0], filename: otherImage.filename })).arrayBuffer()));
      expect(maxDiff(otherPng, await goldenPixels())).toBeGreaterThan(20);
      // its history record through the SDK
      const entry = await api.getHistory(started);
      expect(entry?.status.completed).toBe(true);
      expect(entry?.outputs['7'].images?.[0].filename).toBe(images[0].filename);
    } finally {
      api.destroy();
    }
  });

  it('cfli runs a workflow file with -i overrides and downloads the image', async () => {
    const work = tempDir();
    const file = path.join(work, 'workflow.json');
    fs.writeFileSync(file, JSON.stringify(txt2imgPrompt()));
    const out = path.join(work, 'out');
    const { stdout } = await run(
      process.execPath,
      [
        CFLI,
        '-f',
        file,
        '-H',
        server.url,
        '-i',
        '5.inputs.seed=4242',
        '-i',
        '5.inputs.steps=2',
        '-i',
        '7.inputs.filename_prefix=cfli/run',
        '--json',
        '-d',
        '-o',
        out,
        '-t',
        '90000',
      ],
      { timeout: 120_000 },
    );
    const result = JSON.parse(stdout) as {
      status: string;
      overrides: Record<string, string>;
      outputs: { _raw: Record<string, { images: { filename: string; subfolder: string }[] }> };
      _media: Record<string, string>;
    };
    expect(result.status).toBe('completed');
    expect(result.overrides).toEqual({ '5.inputs.seed': '4242', '5.inputs.steps': '2', '7.inputs.filename_prefix': 'cfli/run' });
    const image = result.outputs._raw['7'].images[0];
    expect(image).toMatchObject({ filename: 'run_00001_.png', subfolder: 'cfli' });
    expect(fs.readFileSync(path.join(out, 'run_00001_.png'))).toEqual(fs.readFileSync(path.join(dir, 'output', 'cfli', 'run_00001_.png')));
    // the overrides reached the sampler
    const history = await getJson<Record<string, { prompt: [number, string, Record<string, { inputs: Record<string, unknown> }>] }>>(
      `${server.url}/history?max_items=1`,
    );
    const [entry] = Object.values(history);
    expect(entry.prompt[2]['5'].inputs).toMatchObject({ seed: 4242, steps: 2 });
  });

  it('cfli codegen writes a typed WorkflowBuilder from our /object_info that type-checks, refuses wrong wiring, and runs', async () => {
    const work = tempDir();
    // the generated module imports the SDK by name: resolve it (and tsx) from this checkout
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(work, 'node_modules'));
    const { stdout } = await run(process.execPath, [CFLI, 'codegen', '-H', server.url, '-o', path.join(work, 'nodes.ts'), '--json'], {
      timeout: 60_000,
    });
    const info = JSON.parse(stdout) as { nodes: number };
    const objectInfo = await getJson(`${server.url}/object_info`);
    expect(info.nodes).toBe(Object.keys(objectInfo).length);
    const code = fs.readFileSync(path.join(work, 'nodes.ts'), 'utf8');
    expect(code).toContain('ckpt_name: "tiny-sd1.safetensors";');
    fs.writeFileSync(
      path.join(work, 'use.ts'),
      `
import { CallWrapper, ComfyApi } from '@saintno/comfyui-sdk';
import { WorkflowBuilder } from './nodes';

const wf = new WorkflowBuilder();
const ckpt = wf.CheckpointLoaderSimple({ ckpt_name: 'tiny-sd1.safetensors' });
const pos = wf.CLIPTextEncode({ text: 'a photo of a cat', clip: ckpt.CLIP });
const neg = wf.CLIPTextEncode({ text: 'blurry', clip: ckpt.CLIP });
const lat = wf.EmptyLatentImage({ width: 64, height: 64, batch_size: 1 });
const smp = wf.KSampler({
  model: ckpt.MODEL, positive: pos.CONDITIONING, negative: neg.CONDITIONING, latent_image: lat.LATENT,
  seed: 11, steps: 2, cfg: 7, sampler_name: 'euler', scheduler: 'normal', denoise: 1,
});
const img = wf.VAEDecode({ samples: smp.LATENT, vae: ckpt.VAE });
const save = wf.SaveImage({ images: img.IMAGE, filename_prefix: 'codegen/typed' });

// @ts-expect-error a checkpoint the server does not have
wf.CheckpointLoaderSimple({ ckpt_name: 'sd_xl_base.safetensors' });
// @ts-expect-error a CLIP output where the sampler takes a MODEL
wf.KSampler({ model: ckpt.CLIP, positive: pos.CONDITIONING, negative: neg.CONDITIONING, latent_image: lat.LATENT, seed: 1, steps: 1, cfg: 1, sampler_name: 'euler', scheduler: 'normal', denoise: 1 });
// @ts-expect-error steps is a number
wf.EmptyLatentImage({ width: '64', height: 64, batch_size: 1 });

export async function main(host: string): Promise<string> {
  const api = new ComfyApi(host);
  try {
    await api.init(5, 500).waitForReady();
    const result = await new CallWrapper(api, wf.build({ inputs: { seed: smp.inputs.seed }, outputs: { images: save.__id } }).input('seed', 12)).run();
    if (!result) throw new Error('run failed');
    return JSON.stringify(result.images);
  } finally {
    api.destroy();
  }
}
`,
    );
    fs.writeFileSync(path.join(work, 'main.ts'), `import { main } from './use';\nmain(process.argv[2]).then((s) => console.log(s));\n`);
    fs.writeFileSync(
      path.join(work, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'esnext',
          moduleResolution: 'bundler',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
          lib: ['ES2023', 'dom'],
        },
        files: ['nodes.ts', 'use.ts', 'main.ts'],
      }),
    );
    const tsc = await run(process.execPath, [TSC, '-p', path.join(work, 'tsconfig.json')], { timeout: 120_000 }).then(
      () => '',
      (e: { stdout?: string }) => e.stdout ?? String(e),
    );
    expect(tsc).toBe('');
    // the negative control: without the expect-error lines the wrong calls are compile errors
    const bad = fs.readFileSync(path.join(work, 'use.ts'), 'utf8').replace(/\/\/ @ts-expect-error.*\n/g, '');
    fs.writeFileSync(path.join(work, 'use.ts'), bad);
    const errors = await run(process.execPath, [TSC, '-p', path.join(work, 'tsconfig.json')], { timeout: 120_000 }).then(
      () => '',
      (e: { stdout?: string }) => e.stdout ?? '',
    );
    expect(errors.match(/error TS/g)).toHaveLength(3);
    const ran = await run(process.execPath, ['--import', 'tsx', path.join(work, 'main.ts'), server.url], { cwd: work, timeout: 120_000 });
    const images = JSON.parse(ran.stdout.trim()) as { images: { filename: string; subfolder: string; type: string }[] };
    expect(images.images[0]).toEqual({ filename: 'typed_00001_.png', subfolder: 'codegen', type: 'output' });
    expect(fs.existsSync(path.join(dir, 'output', 'codegen', 'typed_00001_.png'))).toBe(true);
  });
});
