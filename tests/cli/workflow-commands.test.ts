/** `latentloom validate` and `latentloom export` as a user runs them (real process). */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { apiTxt2img, uiTxt2img } from '../nodes/comfy/ui-builder';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(repo, 'bin/latentloom.mjs');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-cli-wf-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: dir, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
const write = (name: string, json: unknown) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, JSON.stringify(json));
  return f;
};

describe('latentloom validate', () => {
  const models = path.join(dir, 'models');
  fs.mkdirSync(path.join(models, 'checkpoints'), { recursive: true });
  fs.writeFileSync(path.join(models, 'checkpoints', 'tiny-sd1.safetensors'), 'x');

  it('exits 0 for a workflow that would run (ComfyUI UI format, models dir given)', async () => {
    const r = await cli('validate', write('ok.json', uiTxt2img().json()), '--models-dir', models);
    expect(r.stdout.trim(), r.stderr).toBe(`${path.join(dir, 'ok.json')}: ok`);
    expect(r.code).toBe(0);
  });

  it('exits 1 listing every problem; --json gives them as data', async () => {
    const api = apiTxt2img();
    api['4'].inputs.ckpt_name = 'missing.safetensors';
    api['3'].inputs.steps = 0;
    delete (api['8'].inputs as Record<string, unknown>).vae;
    const file = write('bad.json', api);
    const r = await cli('validate', file, '--models-dir', models);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('3 problems');
    expect(r.stdout).toContain('MODEL_NOT_FOUND [4.ckpt_name]');
    expect(r.stdout).toContain('VALUE_OUT_OF_RANGE [3.steps]');
    expect(r.stdout).toContain('MISSING_INPUT [8.vae]');
    const j = await cli('validate', file, '--models-dir', models, '--json');
    expect(j.code).toBe(1);
    const parsed = JSON.parse(j.stdout) as { ok: boolean; errors: { code: string }[] };
    expect(parsed.ok).toBe(false);
    expect(parsed.errors.map((e) => e.code).sort()).toEqual(['MISSING_INPUT', 'MODEL_NOT_FOUND', 'VALUE_OUT_OF_RANGE']);
  });

  it('a file that is not a workflow is one line, exit 1', async () => {
    const r = await cli('validate', write('junk.json', { hello: 1 }), '--json');
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as { errors: { code: string }[] }).errors[0].code).toBe('INVALID_WORKFLOW');
  });
});

describe('latentloom export', () => {
  it('writes ComfyUI API and UI formats that import back to the same graph', async () => {
    const src = write('src.json', uiTxt2img().json());
    const api = await cli('export', src, '--format', 'comfy-api');
    expect(api.code, api.stderr).toBe(0);
    const prompt = JSON.parse(api.stdout) as Record<string, { class_type: string; inputs: Record<string, unknown> }>;
    expect(prompt['3'].inputs).toMatchObject({ seed: 156680208700286, model: ['4', 0], latent_image: ['5', 0] });
    const out = path.join(dir, 'ui.json');
    const ui = await cli('export', src, '--format', 'comfy-ui', '--out', out);
    expect(ui.code, ui.stderr).toBe(0);
    const back = await cli('export', out, '--format', 'comfy-api');
    expect(JSON.parse(back.stdout)).toEqual(prompt);
  });

  it('refuses an unknown format in one line', async () => {
    const r = await cli('export', write('x.json', apiTxt2img()), '--format', 'a1111');
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^latentloom: error: --format must be one of comfy-ui, comfy-api, latentloom/);
  });
});
