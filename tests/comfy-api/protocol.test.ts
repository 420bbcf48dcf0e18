/**
 * The ComfyUI protocol against a real server process on loopback, with the tiny SD1 model: every endpoint, the
 * WebSocket messages of a run in ComfyUI's order, routing per client (two clients, a client that drops and
 * reconnects), uploads then img2img, interrupt, queue and history deletion, and bad input answered in ComfyUI's
 * error shape with 400 (never 500).
 */
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readPngTextChunks } from '../../nodes/workflow/png-text';
import { startServer, type ServerProcess } from '../api/server-process';
import { describeGolden } from '../helpers/golden';
import { comfyDataDir, getJson, postJson, queuePrompt, txt2imgPrompt, WsClient, type ApiPrompt } from './support';

let server: ServerProcess;
let dir: string;
let base: string;
const clients: WsClient[] = [];

function client(id: string | null): WsClient {
  const c = new WsClient(base, id);
  clients.push(c);
  return c;
}

function pngBytes(width: number, height: number, pixel: (x: number, y: number) => [number, number, number, number]): Buffer {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b, a] = pixel(x, y);
      png.data.set([r, g, b, a], (y * width + x) * 4);
    }
  }
  return PNG.sync.write(png);
}

async function upload(file: Buffer, name: string, fields: Record<string, string> = {}, route = '/upload/image') {
  const form = new FormData();
  form.append('image', new Blob([new Uint8Array(file)]), name);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const res = await fetch(`${base}${route}`, { method: 'POST', body: form });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Waits for the end of a prompt on a client's socket: executing {node: null}. */
const finished = (c: WsClient, id: string, timeout = 90_000) =>
  c.waitFor((m) => m.type === 'executing' && m.data.node === null && m.data.prompt_id === id, timeout);

beforeAll(async () => {
  dir = comfyDataDir();
  server = await startServer(dir);
  base = server.url;
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describeGolden('ComfyUI protocol on a real server', () => {
  it("answers the read-only endpoints in ComfyUI's shapes, at the root and under /api", async () => {
    expect(await getJson(`${base}/prompt`)).toEqual({ exec_info: { queue_remaining: 0 } });
    expect(await getJson(`${base}/api/prompt`)).toEqual({ exec_info: { queue_remaining: 0 } });
    expect(await getJson(`${base}/queue`)).toEqual({ queue_running: [], queue_pending: [] });
    expect(await getJson(`${base}/extensions`)).toEqual([]);
    expect(await getJson(`${base}/features`)).toMatchObject({ supports_preview_metadata: false, max_upload_size: expect.any(Number) });
    const stats = await getJson<{ system: Record<string, unknown>; devices: Record<string, unknown>[] }>(`${base}/system_stats`);
    expect(stats.system).toMatchObject({ os: process.platform, ram_total: expect.any(Number), comfyui_version: expect.any(String) });
    expect(stats.devices[0]).toMatchObject({ type: expect.stringMatching(/^(cpu|cuda|webgpu)$/), vram_total: expect.any(Number) });
    expect(await getJson(`${base}/models`)).toEqual(expect.arrayContaining(['checkpoints', 'loras', 'vae', 'embeddings', 'upscale_models']));
    expect(await getJson(`${base}/models/checkpoints`)).toEqual(['tiny-sd1.safetensors']);
    expect(await getJson(`${base}/models/loras`)).toEqual([]);
    expect((await fetch(`${base}/models/not-a-folder`)).status).toBe(404);
    fs.mkdirSync(path.join(dir, 'models', 'embeddings'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'models', 'embeddings', 'easynegative.safetensors'), 'x');
    expect(await getJson(`${base}/embeddings`)).toEqual(['easynegative']);
    const ksampler = await getJson<Record<string, { input: { required: Record<string, unknown[]> }; output: string[] }>>(
      `${base}/object_info/KSampler`,
    );
    expect(Object.keys(ksampler)).toEqual(['KSampler']);
    expect(ksampler.KSampler.output).toEqual(['LATENT']);
    expect(await getJson(`${base}/object_info/NoSuchNode`)).toEqual({});
    // the checkpoint combo lists the real files; the seed maximum is exact (2^64-1), as ComfyUI writes it
    const text = await (await fetch(`${base}/object_info`)).text();
    expect(text).toContain('"max":18446744073709551615');
    const all = JSON.parse(text) as Record<string, { input: { required: Record<string, unknown[]> } }>;
    expect(all.CheckpointLoaderSimple.input.required.ckpt_name[0]).toEqual(['tiny-sd1.safetensors']);
    expect(all.Note).toBeUndefined();
    expect((await fetch(`${base}/prompt`, { method: 'PUT' })).status).toBe(405);
    expect((await fetch(`${base}/ws`)).status).toBe(426);
  });

  it("runs a prompt: ComfyUI's message sequence to its client, binary previews, history, and the PNG carries prompt and extra_pnginfo", async () => {
    const c = client('run-client');
    await c.opened;
    const hello = await c.waitFor((m) => m.type === 'status');
    expect(hello.data).toEqual({ status: { exec_info: { queue_remaining: 0 } }, sid: 'run-client' });
    const uiWorkflow = { last_node_id: 7, nodes: [], note: "the client's own workflow" };
    const prompt = txt2imgPrompt();
    const id = await queuePrompt(base, prompt, 'run-client', { extra_data: { extra_pnginfo: { workflow: uiWorkflow } } });
    await finished(c, id);
    const seq = c.of(id).map((m) => m.type);
    expect(seq.slice(0, 2)).toEqual(['execution_start', 'execution_cached']);
    expect(seq.slice(-2)).toEqual(['execution_success', 'executing']);
    expect(seq.indexOf('executed')).toBeLessThan(seq.indexOf('execution_success'));
    const executing = c
      .of(id)
      .filter((m) => m.type === 'executing' && m.data.node !== null)
      .map((m) => m.data.node);
    expect(executing.sort()).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    const progress = c
      .of(id)
      .filter((m) => m.type === 'progress')
      .map((m) => m.data);
    expect(progress).toEqual([1, 2, 3].map((value) => ({ value, max: 3, node: '5', prompt_id: id })));
    // preview frames: event 1 (PREVIEW_IMAGE), image type 2 (PNG), then a PNG
    expect(c.frames.length).toBeGreaterThan(0);
    for (const f of c.frames) {
      expect([f.readUInt32BE(0), f.readUInt32BE(4)]).toEqual([1, 2]);
      expect(f.subarray(8, 16)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    }
    const executed = c.of(id).find((m) => m.type === 'executed');
    expect(executed?.data).toEqual({
      node: '7',
      display_node: '7',
      prompt_id: id,
      output: { images: [{ filename: 'ComfyUI_00001_.png', subfolder: '', type: 'output' }] },
    });
    // status went out when the queue changed: queued (1), running (1), done (0); the last one may follow the
    // prompt's final `executing` (the hub coalesces bursts), as in ComfyUI where task_done updates the queue after it
    const doneAt = c.messages.findIndex((m) => m.type === 'executing' && m.data.node === null && m.data.prompt_id === id);
    await c.waitFor(
      (m) => m.type === 'status' && (m.data.status as { exec_info: { queue_remaining: number } }).exec_info.queue_remaining === 0,
      10_000,
      doneAt,
    );
    const remaining = c.messages
      .filter((m) => m.type === 'status')
      .map((m) => (m.data.status as { exec_info: { queue_remaining: number } }).exec_info.queue_remaining);
    expect(remaining.at(-1)).toBe(0);
    expect(remaining).toContain(1);

    const history = await getJson<
      Record<string, { prompt: unknown[]; outputs: unknown; status: { status_str: string; completed: boolean; messages: [string, unknown][] } }>
    >(`${base}/history/${id}`);
    const entry = history[id];
    expect(entry.status.status_str).toBe('success');
    expect(entry.status.completed).toBe(true);
    expect(entry.status.messages.map((m) => m[0])).toEqual(['execution_start', 'execution_success']);
    expect(entry.outputs).toEqual({ '7': { images: [{ filename: 'ComfyUI_00001_.png', subfolder: '', type: 'output' }] } });
    expect(entry.prompt[1]).toBe(id);
    expect(entry.prompt[3]).toMatchObject({ client_id: 'run-client', extra_pnginfo: { workflow: uiWorkflow } });
    expect(entry.prompt[4]).toEqual(['7']);
    const sent = entry.prompt[2] as ApiPrompt;
    expect(sent['5'].inputs).toMatchObject(prompt['5'].inputs);
    expect(Object.keys(await getJson(`${base}/history`))).toContain(id);

    const res = await fetch(`${base}/view?filename=ComfyUI_00001_.png&type=output&subfolder=`);
    expect(res.headers.get('content-type')).toBe('image/png');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(Buffer.from(bytes)).toEqual(fs.readFileSync(path.join(dir, 'output', 'ComfyUI_00001_.png')));
    const chunks = readPngTextChunks(bytes);
    expect(JSON.parse(chunks.workflow)).toEqual(uiWorkflow);
    expect((JSON.parse(chunks.prompt) as ApiPrompt)['5'].inputs).toMatchObject(prompt['5'].inputs);
    expect(JSON.parse(chunks['latentloom.workflow']).meta.comfy).toBeUndefined();
    const png = PNG.sync.read(Buffer.from(bytes));
    expect([png.width, png.height]).toEqual([72, 56]);

    // the same prompt again: every node is cached; ComfyUI announces them at once and replays the output node's images
    const again = await queuePrompt(base, prompt, 'run-client');
    await finished(c, again);
    const cached = c.of(again).find((m) => m.type === 'execution_cached');
    expect([...((cached?.data.nodes as string[] | undefined) ?? [])].sort()).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    expect(c.of(again).filter((m) => m.type === 'progress')).toEqual([]);
    expect(c.of(again).find((m) => m.type === 'executed')?.data.output).toEqual(executed?.data.output);

    // previews: the temp type serves output/previews
    const preview = { ...prompt, '7': { class_type: 'PreviewImage', inputs: { images: ['6', 0] } } };
    const pid = await queuePrompt(base, preview, 'run-client');
    await finished(c, pid);
    const previewOutput = c.of(pid).find((m) => m.type === 'executed')?.data.output as
      | { images: { filename: string; subfolder: string; type: string }[] }
      | undefined;
    const images = previewOutput?.images ?? [];
    expect(images[0].type).toBe('temp');
    const view = await fetch(`${base}/view?filename=${encodeURIComponent(images[0].filename)}&type=temp&subfolder=${images[0].subfolder}`);
    expect(view.status).toBe(200);
    expect(Buffer.from(await view.arrayBuffer())).toEqual(fs.readFileSync(path.join(dir, 'output', 'previews', images[0].filename)));
  });

  it("routes each prompt's messages to the client that queued it only", async () => {
    const a = client('client-a');
    const b = client('client-b');
    await Promise.all([a.opened, b.opened]);
    const [pa, pb] = await Promise.all([
      queuePrompt(base, txt2imgPrompt({ seed: 1 }), 'client-a'),
      queuePrompt(base, txt2imgPrompt({ seed: 2 }), 'client-b'),
    ]);
    await Promise.all([finished(a, pa), finished(b, pb)]);
    const idsSeen = (c: WsClient) => new Set(c.messages.map((m) => m.data.prompt_id).filter(Boolean));
    expect([...idsSeen(a)]).toEqual([pa]);
    expect([...idsSeen(b)]).toEqual([pb]);
    expect(a.of(pa).some((m) => m.type === 'executed')).toBe(true);
    expect(b.of(pb).some((m) => m.type === 'executed')).toBe(true);
    // status is for everyone
    expect(a.messages.filter((m) => m.type === 'status').length).toBeGreaterThan(2);
    expect(b.messages.filter((m) => m.type === 'status').length).toBeGreaterThan(2);
  });

  it('a client that drops mid-job and reconnects with its id hears where its prompt is, then the rest', async () => {
    const first = client('flaky');
    await first.opened;
    const id = await queuePrompt(base, txt2imgPrompt({ steps: 150, seed: 5 }), 'flaky');
    await first.waitFor((m) => m.type === 'progress' && m.data.prompt_id === id);
    first.kill();
    const again = client('flaky');
    await again.opened;
    const [status, where] = await Promise.all([again.waitFor((m) => m.type === 'status'), again.waitFor((m) => m.type === 'executing')]);
    expect(status.data.sid).toBe('flaky');
    expect(where.data).toEqual({ node: '5', display_node: '5', prompt_id: id });
    expect(again.messages.indexOf(where)).toBe(1);
    await finished(again, id);
    const after = again.of(id).map((m) => m.type);
    expect(after).toContain('progress');
    expect(after).toContain('executed');
    expect(after.slice(-2)).toEqual(['execution_success', 'executing']);
    expect(first.of(id).some((m) => m.type === 'execution_success')).toBe(false);
  });

  it('uploads (new name, duplicate, rename, overwrite, subfolder), serves them with /view, and refuses bad uploads', async () => {
    const red = pngBytes(72, 56, () => [200, 30, 30, 255]);
    const blue = pngBytes(72, 56, () => [30, 30, 200, 255]);
    expect(await upload(red, 'photo.png')).toEqual({ status: 200, json: { name: 'photo.png', subfolder: '', type: 'input' } });
    expect(fs.readFileSync(path.join(dir, 'input', 'photo.png'))).toEqual(red);
    // the same bytes again keep the name (ComfyUI's duplicate check); other bytes get the next free name
    expect((await upload(red, 'photo.png')).json.name).toBe('photo.png');
    expect((await upload(blue, 'photo.png')).json.name).toBe('photo (1).png');
    expect((await upload(blue, 'photo.png', { overwrite: 'true' })).json.name).toBe('photo.png');
    expect(fs.readFileSync(path.join(dir, 'input', 'photo.png'))).toEqual(blue);
    expect(await upload(red, 'red.png', { subfolder: 'sets/a' })).toEqual({
      status: 200,
      json: { name: 'red.png', subfolder: 'sets/a', type: 'input' },
    });
    const viewed = await fetch(`${base}/view?filename=red.png&type=input&subfolder=sets/a`);
    expect(Buffer.from(await viewed.arrayBuffer())).toEqual(red);
    // a smaller re-encode and the alpha channel, as ComfyUI's /view offers
    const jpeg = await fetch(`${base}/view?filename=red.png&type=input&subfolder=sets/a&preview=jpeg;50`);
    expect(jpeg.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await jpeg.arrayBuffer()).subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    const alpha = PNG.sync.read(
      Buffer.from(await (await fetch(`${base}/view?filename=red.png&type=input&subfolder=sets/a&channel=a`)).arrayBuffer()),
    );
    expect([alpha.data[0], alpha.data[3]]).toEqual([0, 255]);
    // the object_info combo of LoadImage lists uploads
    const info = await getJson<{ LoadImage: { input: { required: { image: [string[], { image_upload: boolean }] } } } }>(
      `${base}/object_info/LoadImage`,
    );
    expect(info.LoadImage.input.required.image[0]).toEqual(expect.arrayContaining(['photo.png', 'photo (1).png', 'sets/a/red.png']));
    expect(info.LoadImage.input.required.image[1]).toEqual({ image_upload: true });

    expect((await upload(red, 'notes.txt')).status).toBe(400);
    expect(await upload(Buffer.from('GIF89a-not-a-png-at-all'), 'fake.png')).toMatchObject({ status: 415 });
    expect((await upload(red, 'x.png', { subfolder: '../outside' })).status).toBe(400);
    expect((await upload(red, 'x.png', { type: 'elsewhere' })).status).toBe(400);
    expect((await fetch(`${base}/upload/image`, { method: 'POST', body: 'plain' })).status).toBe(400);
    expect(fs.existsSync(path.join(dir, 'outside'))).toBe(false);
    expect(fs.readdirSync(path.join(dir, 'input')).filter((f) => f.startsWith('.'))).toEqual([]);
    expect((await fetch(`${base}/view?filename=../state&type=input`)).status).toBe(400);
    expect((await fetch(`${base}/view?filename=x.png&type=input&subfolder=../../etc`)).status).toBe(404);
    expect((await fetch(`${base}/view?filename=missing.png`)).status).toBe(404);
    expect((await fetch(`${base}/view?filename=red.png&type=nowhere`)).status).toBe(400);
  });

  it("/upload/mask puts the mask's alpha on the original image", async () => {
    const original = pngBytes(8, 8, () => [10, 200, 10, 255]);
    await upload(original, 'base.png');
    const mask = pngBytes(8, 8, (x) => [0, 0, 0, x < 4 ? 0 : 255]);
    const r = await upload(
      mask,
      'masked.png',
      { original_ref: JSON.stringify({ filename: 'base.png', subfolder: '', type: 'input' }) },
      '/upload/mask',
    );
    expect(r).toEqual({ status: 200, json: { name: 'masked.png', subfolder: '', type: 'input' } });
    const out = PNG.sync.read(fs.readFileSync(path.join(dir, 'input', 'masked.png')));
    expect([out.data[0], out.data[1], out.data[3]]).toEqual([10, 200, 0]);
    expect(out.data[(0 * 8 + 5) * 4 + 3]).toBe(255);
    expect((await upload(mask, 'm2.png', { original_ref: JSON.stringify({ filename: 'nope.png', type: 'input' }) }, '/upload/mask')).status).toBe(
      404,
    );
    expect(
      (
        await upload(
          pngBytes(4, 4, () => [0, 0, 0, 0]),
          'm3.png',
          { original_ref: JSON.stringify({ filename: 'base.png', type: 'input' }) },
          '/upload/mask',
        )
      ).status,
    ).toBe(400);
  });

  it('img2img on an uploaded image through /prompt', async () => {
    const c = client('img2img');
    await c.opened;
    const src = pngBytes(72, 56, (x, y) => [x * 3, y * 4, 128, 255]);
    const { json } = await upload(src, 'source.png');
    const prompt: ApiPrompt = {
      ...txt2imgPrompt(),
      '8': { class_type: 'LoadImage', inputs: { image: json.name } },
      '9': { class_type: 'VAEEncode', inputs: { pixels: ['8', 0], vae: ['1', 2] } },
    };
    prompt['5'].inputs = { ...prompt['5'].inputs, latent_image: ['9', 0], denoise: 0.6 };
    delete prompt['4'];
    prompt['7'].inputs.filename_prefix = 'img2img/out';
    const id = await queuePrompt(base, prompt, 'img2img');
    await finished(c, id);
    expect(c.of(id).some((m) => m.type === 'execution_success')).toBe(true);
    const out = c.of(id).find((m) => m.type === 'executed')?.data.output as { images: { filename: string; subfolder: string }[] };
    expect(out.images[0]).toEqual({ filename: 'out_00001_.png', subfolder: 'img2img', type: 'output' });
    const png = PNG.sync.read(fs.readFileSync(path.join(dir, 'output', 'img2img', 'out_00001_.png')));
    expect([png.width, png.height]).toEqual([72, 56]);
    // a denoise below 1 starts from the image: fewer sampler steps than the full schedule
    expect(c.of(id).filter((m) => m.type === 'progress').length).toBeLessThanOrEqual(3);
  });

  it('a node that fails at run time: execution_error names the node, its type and the reason; history says error', async () => {
    const c = client('fails');
    await c.opened;
    // a PNG signature followed by garbage: uploads (the type is sniffed) and validates, but does not decode
    fs.writeFileSync(
      path.join(dir, 'input', 'broken.png'),
      Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]),
    );
    const prompt: ApiPrompt = {
      '1': { class_type: 'LoadImage', inputs: { image: 'broken.png' } },
      '2': { class_type: 'PreviewImage', inputs: { images: ['1', 0] } },
    };
    const id = await queuePrompt(base, prompt, 'fails');
    await finished(c, id);
    const err = c.of(id).find((m) => m.type === 'execution_error');
    expect(err?.data).toMatchObject({
      prompt_id: id,
      node_id: '1',
      node_type: 'LoadImage',
      exception_type: expect.any(String),
      exception_message: expect.stringContaining('broken.png'),
    });
    expect(String(err?.data.exception_message)).not.toContain(dir);
    const h = (
      await getJson<Record<string, { status: { status_str: string; completed: boolean; messages: [string, unknown][] } }>>(`${base}/history/${id}`)
    )[id];
    expect(h.status).toMatchObject({ status_str: 'error', completed: false });
    expect(h.status.messages.map((m) => m[0])).toEqual(['execution_start', 'execution_error']);
  });

  it('interrupt stops the running prompt; queue delete and clear drop pending ones; /free answers', async () => {
    const c = client('interrupter');
    await c.opened;
    const long = await queuePrompt(base, txt2imgPrompt({ steps: 400, seed: 7 }), 'interrupter');
    const pending1 = await queuePrompt(base, txt2imgPrompt({ seed: 8 }), 'interrupter');
    const pending2 = await queuePrompt(base, txt2imgPrompt({ seed: 9 }), 'interrupter');
    await c.waitFor((m) => m.type === 'progress' && m.data.prompt_id === long);
    const queue = await getJson<{ queue_running: unknown[][]; queue_pending: unknown[][] }>(`${base}/queue`);
    expect(queue.queue_running.map((q) => q[1])).toEqual([long]);
    expect(queue.queue_pending.map((q) => q[1])).toEqual([pending1, pending2]);
    const [number, , apiPrompt, extra, outputs] = queue.queue_pending[0] as [number, string, ApiPrompt, Record<string, unknown>, string[]];
    expect(number).toBeGreaterThan(queue.queue_running[0][0] as number);
    expect(apiPrompt['5'].class_type).toBe('KSampler');
    expect(extra.client_id).toBe('interrupter');
    expect(outputs).toEqual(['7']);
    expect(await getJson(`${base}/prompt`)).toEqual({ exec_info: { queue_remaining: 3 } });

    expect((await postJson(`${base}/queue`, { delete: [pending1] })).status).toBe(200);
    expect((await getJson<{ queue_pending: unknown[][] }>(`${base}/queue`)).queue_pending.map((q) => q[1])).toEqual([pending2]);
    expect((await postJson(`${base}/queue`, { clear: true })).status).toBe(200);
    expect((await getJson<{ queue_pending: unknown[] }>(`${base}/queue`)).queue_pending).toEqual([]);
    // deleting a queued prompt is not an interruption and leaves no history entry (as in ComfyUI)
    expect(await getJson(`${base}/history/${pending1}`)).toEqual({});

    expect((await postJson(`${base}/interrupt`, { prompt_id: 'not-running' })).status).toBe(200);
    expect((await postJson(`${base}/interrupt`, { prompt_id: long })).status).toBe(200);
    const stopped = await c.waitFor((m) => m.type === 'execution_interrupted' && m.data.prompt_id === long);
    expect(stopped.data).toMatchObject({ node_id: '5', node_type: 'KSampler' });
    await finished(c, long);
    const h = (
      await getJson<Record<string, { status: { status_str: string; completed: boolean; messages: [string, unknown][] } }>>(`${base}/history/${long}`)
    )[long];
    expect(h.status).toMatchObject({ status_str: 'error', completed: false });
    expect(h.status.messages.map((m) => m[0])).toEqual(['execution_start', 'execution_interrupted']);
    expect(c.of(long).some((m) => m.type === 'execution_success')).toBe(false);
    expect((await postJson(`${base}/free`, { unload_models: true, free_memory: true })).status).toBe(200);
    expect((await postJson(`${base}/api/interrupt`, '')).status).toBe(200);
  });

  it('history: list with max_items, delete one, clear all', async () => {
    const all = await getJson<Record<string, unknown>>(`${base}/history`);
    const ids = Object.keys(all);
    expect(ids.length).toBeGreaterThan(3);
    const two = await getJson<Record<string, unknown>>(`${base}/history?max_items=2`);
    expect(Object.keys(two)).toEqual(ids.slice(-2));
    const offset = await getJson<Record<string, unknown>>(`${base}/history?max_items=1&offset=1`);
    expect(Object.keys(offset)).toEqual([ids[1]]);
    expect((await postJson(`${base}/history`, { delete: [ids[0]] })).json).toEqual({ deleted: 1 });
    expect(await getJson(`${base}/history/${ids[0]}`)).toEqual({});
    expect(Object.keys(await getJson(`${base}/history`))).toEqual(ids.slice(1));
    expect((await postJson(`${base}/history`, { clear: true })).status).toBe(200);
    expect(await getJson(`${base}/history`)).toEqual({});
    // the files stay
    expect(fs.existsSync(path.join(dir, 'output', 'ComfyUI_00001_.png'))).toBe(true);
    expect(await getJson<{ status: string }>(`${base}/api/v1/jobs/${ids[0]}`).catch((e: Error) => e.message)).toMatch(/404/);
  });

  it("bad input gets ComfyUI's error shape with 400, naming node and input; never a 500", async () => {
    const post = (body: unknown) => postJson(`${base}/prompt`, body);
    const shape = {
      error: { type: expect.any(String), message: expect.any(String), details: expect.any(String), extra_info: expect.any(Object) },
      node_errors: expect.any(Object),
    };

    const malformed = await post('{"prompt": {"1": ');
    expect(malformed.status).toBe(400);
    expect(malformed.json).toMatchObject(shape);
    expect(await post({ client_id: 'x' })).toEqual({
      status: 400,
      json: { error: { type: 'no_prompt', message: 'No prompt provided', details: 'No prompt provided', extra_info: {} }, node_errors: {} },
    });

    const unknown = await post({ prompt: { ...txt2imgPrompt(), '9': { class_type: 'NoSuchNode', inputs: {} } } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toMatchObject({
      type: 'invalid_prompt',
      message: 'Cannot execute because node NoSuchNode does not exist.',
      details: "Node ID '#9'",
    });

    const noClass = await post({ prompt: { '1': { inputs: {} } } });
    expect(noClass.json.error).toMatchObject({ type: 'invalid_prompt', details: "Node ID '#1'" });

    const missingLink = txt2imgPrompt();
    missingLink['6'].inputs.samples = ['42', 0];
    const r1 = await post({ prompt: missingLink });
    expect(r1.status).toBe(400);
    expect(r1.json).toMatchObject(shape);
    expect(r1.json.error).toMatchObject({ type: 'prompt_outputs_failed_validation' });
    const e1 = (
      r1.json.node_errors as Record<
        string,
        { errors: { type: string; details: string; extra_info: { input_name: string } }[]; class_type: string; dependent_outputs: string[] }
      >
    )['6'];
    expect(e1.class_type).toBe('VAEDecode');
    expect(e1.dependent_outputs).toEqual(['7']);
    expect(e1.errors[0]).toMatchObject({ type: 'bad_linked_input', extra_info: { input_name: 'samples' } });
    expect(e1.errors[0].details).toContain('42');

    const wrongTypes = txt2imgPrompt();
    wrongTypes['5'].inputs.steps = 'many';
    wrongTypes['5'].inputs.cfg = { value: 7 };
    wrongTypes['5'].inputs.model = 5;
    wrongTypes['4'].inputs.width = '72';
    const r2 = await post({ prompt: wrongTypes });
    expect(r2.status).toBe(400);
    const e2 = (r2.json.node_errors as Record<string, { errors: { type: string; extra_info: { input_name: string } }[] }>)['5'].errors;
    expect(e2.map((e) => [e.type, e.extra_info.input_name]).sort()).toEqual([
      ['invalid_input_type', 'cfg'],
      ['invalid_input_type', 'model'],
    ]);
    // a numeric string for an INT widget is converted, as ComfyUI's int(val) does; a word is not
    wrongTypes['5'].inputs.cfg = 7;
    wrongTypes['5'].inputs.model = ['1', 0];
    const r3 = await post({ prompt: wrongTypes });
    const e3 = r3.json.node_errors as Record<string, { errors: { type: string; details: string; extra_info: { input_name: string } }[] }>;
    expect(Object.keys(e3)).toEqual(['5']);
    expect(e3['5'].errors[0]).toMatchObject({ type: 'invalid_input_type', extra_info: { input_name: 'steps', received_value: 'many' } });

    const range = txt2imgPrompt();
    range['5'].inputs.steps = 0;
    range['1'].inputs.ckpt_name = 'tiny-sd2.safetensors';
    range['5'].inputs.sampler_name = 'warp_drive';
    const r4 = await post({ prompt: range });
    const e4 = r4.json.node_errors as Record<
      string,
      { errors: { type: string; message: string; details: string; extra_info: { input_name: string } }[] }
    >;
    expect(e4['5'].errors.map((e) => e.type).sort()).toEqual(['value_not_in_list', 'value_smaller_than_min']);
    expect(e4['5'].errors.find((e) => e.type === 'value_smaller_than_min')?.message).toBe('Value 0 smaller than min of 1');
    expect(e4['1'].errors[0]).toMatchObject({ type: 'value_not_in_list', extra_info: { input_name: 'ckpt_name' } });
    expect(e4['1'].errors[0].details).toContain('tiny-sd1.safetensors');

    const badLinkShape = txt2imgPrompt();
    badLinkShape['6'].inputs.vae = ['1', 9];
    const r5 = await post({ prompt: badLinkShape });
    expect((r5.json.node_errors as Record<string, { errors: { type: string }[] }>)['6'].errors[0].type).toBe('bad_linked_input');

    const noOutput = txt2imgPrompt();
    delete noOutput['7'];
    expect((await post({ prompt: noOutput })).json.error).toMatchObject({ type: 'prompt_no_outputs' });
    expect((await post({ prompt: 'text' })).status).toBe(400);
    expect((await post({ prompt: txt2imgPrompt(), extra_data: { extra_pnginfo: { ' bad key': 1 } } })).status).toBe(400);
    expect((await post({ prompt: txt2imgPrompt(), client_id: 7 })).status).toBe(400);
    expect((await post({ prompt: txt2imgPrompt(), partial_execution_targets: ['7'] })).status).toBe(400);
    const deep = `{"prompt": ${'['.repeat(200)}${']'.repeat(200)}}`;
    expect((await post(deep)).status).toBe(413);
    expect((await postJson(`${base}/queue`, '{nope')).status).toBe(400);
    expect((await postJson(`${base}/history`, { delete: 'all' })).status).toBe(400);
    // nothing was queued by any of these
    expect(await getJson(`${base}/queue`)).toEqual({ queue_running: [], queue_pending: [] });
    expect(server.output()).not.toMatch(/\[[0-9a-f]{8}\] /);
  });

  it('a client-chosen prompt_id is used, and a second one with that id is refused', async () => {
    const c = client('own-id');
    await c.opened;
    const r = await postJson(`${base}/prompt`, { prompt: txt2imgPrompt({ seed: 3 }), client_id: 'own-id', prompt_id: 'my-prompt-1' });
    expect(r.json.prompt_id).toBe('my-prompt-1');
    await finished(c, 'my-prompt-1');
    expect((await postJson(`${base}/prompt`, { prompt: txt2imgPrompt(), prompt_id: 'my-prompt-1' })).status).toBe(400);
  });

  it("goes through the server's access check: a cross-site page can neither queue nor open the socket", async () => {
    const evil = { origin: 'http://evil.example' };
    const refused = await fetch(`${base}/prompt`, { method: 'POST', body: JSON.stringify({ prompt: txt2imgPrompt() }), headers: evil });
    expect(refused.status).toBe(403);
    const ws = new WsClient(base, 'evil', evil);
    await expect(ws.opened).rejects.toThrow(/403/);
    ws.kill();
  });
});
