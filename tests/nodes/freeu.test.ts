/**
 * FreeU and FreeU_V2 against ComfyUI's own run of the same workflow (tests/nodes/fixtures/comfy-freeu.json: tiny
 * test vectors, 16x12 latents, made with shared/golden-src/comfy_run.py): the skips at 8x6 and 4x3 exercise the
 * Fourier filter on even and odd sizes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { sessionCache } from '../../server/runtime/onnx/session-cache';
import type { LatentValue } from '../../server/runtime/values';
import { relErr, runComfyCase, type CaseRun } from '../helpers/comfy-case';
import { describeGolden } from '../helpers/golden';
import fixture from './fixtures/comfy-freeu.json';

const runs: CaseRun[] = [];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-freeu-'));
afterAll(async () => {
  await sessionCache.clear();
  for (const r of runs) r.root.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

describeGolden('FreeU (ComfyUI run on tiny-sd1)', () => {
  it('FreeU, FreeU_V2 and the unpatched model give ComfyUI latents', async () => {
    fs.writeFileSync(path.join(dir, 'workflow_api.json'), JSON.stringify(fixture.workflow));
    const run = await runComfyCase(dir);
    runs.push(run);
    const got = (node: string) => (run.bySlot(`${node}.0`) as LatentValue).samples.data;
    for (const node of ['6', '8', '9'] as const) {
      const want = fixture.latents[node].data;
      const err = relErr(got(node), want);
      console.log(`[comfy] freeu node ${node} rel err ${err.toExponential(2)}`);
      // the fixture is rounded to 4 decimals of values up to ~340
      expect(err, `node ${node}`).toBeLessThanOrEqual(1e-4);
    }
    expect(relErr(got('6'), got('9'))).toBeGreaterThan(0.1);
    expect(relErr(got('8'), got('6'))).toBeGreaterThan(0.01);
  });
});
