/** ControlNetLoader, DiffControlNetLoader, ControlNetApply(Advanced) against ComfyUI's runs (../shared/golden/comfy-models/controlnet). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { sessionCache } from '../../server/runtime/onnx/session-cache';
import { openSafetensors } from '../../server/runtime/io/safetensors';
import { writeSafetensors } from '../../server/runtime/io/safetensors-write';
import { diffusersToLdmMap } from '../../server/runtime/checkpoint/diffusers-unet';
import { toFloat32 } from '../../server/runtime/io/dtype';
import type { ImageValue, LatentValue } from '../../server/runtime/values';
import { relErr, runComfyCase, type CaseRun } from '../helpers/comfy-case';
import { describeGolden, golden } from '../helpers/golden';
import { readGoldenTensors, type GoldenTensor } from '../helpers/read-golden';

const DIR = () => golden('comfy-models', 'controlnet');
const runs: CaseRun[] = [];
const temps: string[] = [];
let gold: Map<string, GoldenTensor> | undefined;
afterAll(async () => {
  await sessionCache.clear();
  for (const r of runs) r.root.cleanup();
  for (const t of temps) fs.rmSync(t, { recursive: true, force: true });
});

const models = (extra: Record<string, string> = {}) => ({
  'controlnet/tiny-controlnet-sd15.safetensors': path.join(DIR(), 'tiny-controlnet-sd15.safetensors'),
  'controlnet/tiny-diff-controlnet-sd15.safetensors': path.join(DIR(), 'tiny-diff-controlnet-sd15.safetensors'),
  ...extra,
});

type Api = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

/** A case's workflow changed by `edit`, in a temp folder beside copies of the hint PNGs. */
function editedCase(name: string, edit: (wf: Api) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-cn-'));
  temps.push(dir);
  for (const f of fs.readdirSync(DIR())) if (f.endsWith('.png')) fs.copyFileSync(path.join(DIR(), f), path.join(dir, f));
  const wf = JSON.parse(fs.readFileSync(path.join(DIR(), `${name}.workflow_api.json`), 'utf8')) as Api;
  edit(wf);
  fs.writeFileSync(path.join(dir, 'workflow_api.json'), JSON.stringify(wf));
  return dir;
}

async function run(
  dir: string,
  workflowFile: string,
  extraModels: Record<string, string> = {},
): Promise<{ latent: Float32Array; image: Float32Array }> {
  const r = await runComfyCase(dir, { workflowFile, models: models(extraModels) });
  runs.push(r);
  return { latent: (r.bySlot('3.0') as LatentValue).samples.data, image: (r.bySlot('8.0') as ImageValue).data };
}

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

async function check(name: string): Promise<Float32Array> {
  gold ??= await readGoldenTensors(path.join(DIR(), 'golden.safetensors'));
  const got = await run(DIR(), `${name}.workflow_api.json`);
  const want = gold.get(`${name}/3.0.LATENT.samples`)?.data as Float32Array;
  const wantImage = gold.get(`${name}/8.0.IMAGE`)?.data as Float32Array;
  const err = relErr(got.latent, want);
  const imgErr = maxAbs(got.image, wantImage);
  console.log(`[comfy] ${name}: latent rel err ${err.toExponential(2)}, image max abs err ${imgErr.toExponential(2)}`);
  expect(err).toBeLessThanOrEqual(1e-3);
  expect(imgErr).toBeLessThanOrEqual(2e-3);
  return got.latent;
}

/** The tiny ControlNet in fp32 under diffusers names (ComfyUI's unet_to_diffusers map inverted, plus the ControlNet parts). */
async function writeDiffusersCopy(target: string): Promise<void> {
  const src = await openSafetensors(path.join(DIR(), 'tiny-controlnet-sd15.safetensors'));
  // tiny-sd1's numbers: 3 levels of 2 ResBlocks, attention on levels 1 and 2, one transformer block in the middle
  const toLdm = diffusersToLdmMap({
    numResBlocks: [2, 2, 2],
    transformerDepth: [0, 0, 1, 1, 1, 1],
    transformerDepthMiddle: 1,
    transformerDepthOutput: [],
  });
  const toDiffusers = new Map([...toLdm].map(([d, l]) => [l, d]));
  for (const s of ['weight', 'bias']) {
    toDiffusers.set(`middle_block_out.0.${s}`, `controlnet_mid_block.${s}`);
    for (let i = 0; i < 9; i++) toDiffusers.set(`zero_convs.${i}.0.${s}`, `controlnet_down_blocks.${i}.${s}`);
    toDiffusers.set(`input_hint_block.0.${s}`, `controlnet_cond_embedding.conv_in.${s}`);
    for (let i = 0; i < 6; i++) toDiffusers.set(`input_hint_block.${2 * (i + 1)}.${s}`, `controlnet_cond_embedding.blocks.${i}.${s}`);
    toDiffusers.set(`input_hint_block.14.${s}`, `controlnet_cond_embedding.conv_out.${s}`);
  }
  const entries = [...src.tensors].map(([k, t]) => {
    const name = toDiffusers.get(k.replace(/^control_model\./, ''));
    if (!name) throw new Error(`no diffusers name for ${k}`);
    // fp32 (the golden file is fp16): fp16 values widen exactly, so the result must not move
    const data = async () => {
      const v = toFloat32(new Uint8Array(await t.read()), t.dtype);
      return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    };
    return { name, dtype: 'F32' as const, shape: t.shape, data };
  });
  await writeSafetensors(target, entries);
}

/** ComfyUI's latent for controlnet-apply-advanced with the ControlNet named *_shuffle (global average pooling), [1,4,8,8]. */
const COMFY_SHUFFLE_LATENT = new Float32Array(
  Uint8Array.from(
    Buffer.from(
      '+ozDQgzVm0KHio1CQB7MwpRxHEO+Uc/BvBcHQ/h23sI3ZWDCbcSDQp0ThcFffx/CkKH+Qot/pEL1jdpC3BJqQqb1EUPVoHvCa+LaQe2egEI8/PZBwr+EQzAA9kI8rCtDhu7eQmAgtELh' +
        'DHxCFHyHQdyNSEIXglDBsNNJQips6EIAMATC7Ejuwj3Gs8KHDSVDUz/DwjlWoL/fXfFCS2F6wtkousKAAq1BlVYMw6A+HUIto6TCjj1vQ2hb8cJekNTCeO4Uwp8WfcGDX0XCm6JdQPlX' +
        'm8JeGFlDFhhOwu38i8LsrNXCGLN+wKHlDsL5SlrBOqddwt7yBkNWVwLDZMzPQlkMc0Iq2ItBNu7yQoEm/UG+U9LBdnrHwjWhDsMHjdFC6VNowsJCF0A3ukfByuMGw7atTcGWOzjCG3Av' +
        'w6T1PsLuVKfAnLJ5wkyYhsJ+kanCOtBCwq/Br0IRLWxBWyQjwsqfiEG0NrvCSrCfwphcwkKiDPjCf9wHw9XW10KjSNpBrJUmw1cECEKuPE1C1bacwT5P0EEgNNJCKKg/Qnm3SsGtuEBB' +
        'F+uOQr1D6MBqCtDAUv8hQ8xDYkNUwMHCn3bowvJSjMIvuwBCq+OXwr7CKEGMPY5CDU6BQgMegsI4OCZCP8FGQhsa8kK8lcBCUYyBQqk+tkKCIyDBYrFvQqNgUULM1SRDVyCDwfHjQsOd' +
        'jOzCMR4qwnG530LcHnxC37r3QeIIz0KoYqnCeBVOw8T0IkL29oHB0fC3QeQvtMH2eS9CjPLuwvISAEK6TWZCdv2RQldIe8IHwlLCXjdlP3o/MEKZWBLCZ958Qk17B8OnmfdCQ+aVw+KB' +
        'McMBJwTDxYK6QvUfN8P3+epBHZFiwn2PtMKluxDCsWF/wgis7EH6Io3C4658wrhHcULwayhCJ6QEwrOQF8PwW2lBxCAcQ3G8MEP8VxhCGCWPQaZiMcLB5wBBLlzLwtxuFML8v+DBCuHo' +
        'wk8wpL8BkhLDz0vVwug4K0KInNJC+DeZwCL4oUL+3A7BfLwwQ/oRpsG12gpDXgI2wsvczMKHDJRC07cWQ4gJCkMVVdBBLnKAQxwnLsFWAp3C4Lb0wZ1R40E8AS9D4r1PQf36lMLL4SXC' +
        'C23+QiuYpsHYBdrCae+KQgKmPML3Kz7DbnCIwn2blkKA1WXCo6jjQogsB0KSIA9CaXDMQr9YvEK4McRCNaMkQ17wI8KhQLTC2bOBQkNQjELx4LRCH+K5Qp69rkGaq1ZC/1tFw3wPIsMI' +
        'ogNDuwAeQ0zG40HtT6/Bb2yQwtnueEJvTT5CK0DoQTKcs8LTxsVBbKOeP1U7PUOzcwxDbK1swlXE1kKWY7pCRXgOQhkpt8Gs+cvBrz26QQ==',
      'base64',
    ),
  ).buffer,
);

/** ComfyUI's latent for a batch-2 latent with a batch of 2 hints (ImageBatch: broadcast_image_to), [2,4,8,8]. */
const COMFY_HINT_BATCH_LATENT = new Float32Array(
  Uint8Array.from(
    Buffer.from(
      'AnnBQkyxpEIvUI9CIqDBwmi+E0O1diTCSL0LQ2IVz8JcQX3CydtlQvCeAcGSzx/CKCz3QpgzoUJJ4N5CU0ZaQreDFEN7lWDCBNSSQccUdkI5uMlBw3GEQ8Fq90JJQDBD0IfoQjirqEIv' +
        'FIhCLKJ0QSWIWULqfhrBpwgkQo+e6kIblATCGWnqwg6DsMKc8hpDBBy6wmzPgkFov+hCIMWCwpVnqcIv3ZpBXuARw8LcHkIUWZrCAPB8Q2k74cI4KNXCuwcawlzp1sFX2mnCh+ABQQhA' +
        'jcLjV1dDM1BTwtNki8Iptt/C99iiwCOT9sHM91nBlLZ5wsLkA0OQpvnC+KnKQhugdUJ+6WlB99D5QqHBF0IPrefBYIjKwm4wEcNtCNdClN+AwjjXiz+NZ4PAfgUBw23HAcGhZjnC4Gkz' +
        'wy6bJcIABCe9usGSwit/lcJc+bHCSaxPwl+DpkL7wlpBe+AtwphGgkGTgLvCdvKuwjsg1ELnAu7CGK8Mwz5S3UIjD65BG9Atw7T0DkKWuCNCyS23wU/AyEHTLdFCxH1GQiZCQcFDBK5A' +
        'qCqeQn6gP8ExnoXAA5IpQy/eVkPRbcfC25Hcwiomg8JgsgJCfnKcwkyaiUHOfZxCAed2Qr7Cf8ItBDFCuXM9Qt4O8UJEnL5CgTGDQoGavUKbhhnBqG6BQoIOWELv5iVDPZ9KwUn5Q8OR' +
        '7enC+dsqwis44ULcu3BC85whQrTUyEJNI5zCP+NNw7/UI0IES4jBnp+TQfLgwsEcqERCRJzowrhtB0JAsWhCpj+XQpE9esJ492vCNwbLP9RsN0IYoBPCHQ14QtRFCMMjNORCsRicwy8J' +
        'OsOlSgDDitLEQkzCNMNvpuhBug9pwuwjwcIEkxfCnYOUwgRm3kH+AJjCniiCwhTRdkLUoTlCAmHzweu3F8NIZtNB5icmQw3iLkMS8BtCrWOmQZvAPsJMRSxA+RLPwo8oCsILZdfB2gr0' +
        'wpc0MsDrzhTDh2TUwiPpOkI3XdBCdhASwBH3o0KnjTLBr5YrQzh5wMEoPQhDBrcvwpHp1MJp5ItC4Q0PQ8AkCkOAcsZB/bt3Q/2Cq8E5UZ3CgCGywbNaI0KjYjFDu16jQeW6gsIXwSDC' +
        '/GH0Qi06EcEIS9rC6jCGQqa+H8IsejfDdiyJwnV/pUKNwmrCIBMHQ5QAFUJzAA5Ce4K+QrhUsULiYb1CzecmQ0rPHcIVQa/CYeR0QksijEI2g7tCvTK3QqR3f0F7/4FC30lBw1QkKMP5' +
        'cu9CSecPQ+2rGULhiY3BnWmJwnpjhkK6IUpCvbjhQRUQwMKK+rpB2z6gQAJDOkNQwQ5D6T1zwls3yUJnh6tCdL8UQlNXk8FXH6PBqSuhQcdPkMLpjZZCqhCFwlqqnsGq/trBnTf6Qoq5' +
        'BsJoJIFBpuChwpymacH0VhlDWTfhQgerUkMF13dC2LMPwoQ5YkJ+o5jCorz2Ql6/QcOaHVhCDzKnQXJDxMFtNoVDm1elQlpU6UKyhUVDbFbIQR3DhkK0gdLCQmkoQn3L3kL29LJCWv+u' +
        'Qq/guMJzwK/Cz5gewxnaH8Prv3nCapasQmglKkLoEi1DWIGhQqIrOsL3hMLBLCmqQT+UV0KJ0A5DHujXQqcFrEJuOujCtz9zwgWgEsPP1B1DP0sOQ848AcMaD8JAyUuWwtjeTcPkMqlC' +
        'XfvPwsaMkMLkeU9BK4LQQj5/y8KCJP1A+pQywo2+P0PqHQzDpZaXweZlFMKo86DCdnGCQbLPQ0KciApDYzbJwpzVIcO5rBjCPLGIwrkQdsKJyZFCCzZBQjGyJEKv4S1C88uHv0hvsMKC' +
        'BtrCt7gjw7IUTUJY0fZBhn7LQvcAp8IxNtFCJK25QWA7tcJMZ7rCec6EwgnQDcOBKHpCUdDFwqm5xMIQVcbCzfbUwrZIs8IGNP9ChL9mQkt3IEOI61nC+dwiwimIQsIYwuHAUZYiwnTh' +
        '7UISKX1Cy6INQ61ZOEPTdkBDDgXkQpCYJ0O9dAlC+qaiwXT2zkD77m1BrOGCQVekXEO2VDlCShgJQzr9lcL77LvCzX2ZQmzCr8IiF5XClUZDQkOmP0JBBOnCUcU3wpoAfMFjLQPDCpKc' +
        'w9plasLfqB/C7dHQQh+GmkFuC33C+x+Kwvzfz8F7eAzDkW1qwt4VBcJqZ+lBXf+BwibCpMKLybfCq9gbwYL8FsNjeQ1DkAq+QlnBfULGhXvC1TLlwsTKZsHCB6JBxCnAwgGfk8FOnFXC' +
        '+t7qwhYw68KwG2fCEwLGwtl5qMLH2ydCvXNsQy+W2EIBfv1C7a/rwvZJzcKgA/BCm72AwpM+XUJZFbxAFgsBQ03dukI0AW5CnAUHQy5I6ULXwqBBGePjwmnOkcHMyOzC44u4QV+A+0Ln' +
        'qK1AFTqCwmxmP8LJxPlCwjXGQfhfvL+rWPhBj1AXwCOMoEFO3tNCYw2zQpbhkcGp9y1CtiQ7Qq0HskJGsl9CbgOjwjvMEENye5pCEarCP0xHzUI6OiVCg1MGQbsENEPoIYvCZG8IwjVd' +
        'IsMmpi7BcmqDQqcgv8IgknpDGpRaQ1lcEUOsigzD2caBQhjrOEHxG9LCuV+BwuSbL8L/XktB4cLkwnXNLcNmphpC4ku8PtPBtsLFFhbDCjENQviA6UKsxchCMibWwWuPB0MvvsNB8xPH' +
        'QHVidMJTGUjBVROTwjAiD8P6IQxDL2odQQuGFMMcmvlCC6sEQsV4NMKM0mzCt2cpQVtxY0I=',
      'base64',
    ),
  ).buffer,
);

describeGolden('ControlNet (ComfyUI runs)', () => {
  it('ControlNetApply, ControlNetApplyAdvanced, the diff ControlNet, a chained ControlNet with a resized hint, and the baseline', async () => {
    const base = await check('no-controlnet-baseline');
    for (const name of ['controlnet-apply', 'controlnet-apply-advanced', 'diff-controlnet-apply-advanced', 'controlnet-chained-resized-hint']) {
      const got = await check(name);
      // the ControlNet matters: ComfyUI's runs differ from the baseline by 20-205 (of ~300)
      expect(relErr(got, base)).toBeGreaterThan(0.03);
    }
  });

  it('a *_shuffle ControlNet (global average pooling) and a batch of hints over a latent batch match ComfyUI', async () => {
    // references made by tests/fixtures/comfy-refs/comfy_run_cn.py from the workflows beside it
    const refs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/comfy-refs');
    for (const [file, want] of [
      ['controlnet-shuffle.workflow_api.json', COMFY_SHUFFLE_LATENT],
      ['controlnet-hint-batch.workflow_api.json', COMFY_HINT_BATCH_LATENT],
    ] as const) {
      const dir = editedCase('controlnet-apply-advanced', () => {});
      fs.copyFileSync(path.join(refs, file), path.join(dir, 'workflow_api.json'));
      const got = await run(dir, 'workflow_api.json', {
        'controlnet/tiny-controlnet-sd15_shuffle.safetensors': path.join(DIR(), 'tiny-controlnet-sd15.safetensors'),
      });
      const err = relErr(got.latent, want);
      console.log(`[comfy] ${file}: latent rel err ${err.toExponential(2)}`);
      expect(err).toBeLessThanOrEqual(1e-3);
    }
    // pooling changes the result: the plain-named file lands far from the shuffle reference
    const plain = await run(DIR(), 'controlnet-apply-advanced.workflow_api.json');
    expect(relErr(plain.latent, COMFY_SHUFFLE_LATENT)).toBeGreaterThan(1e-2);
  });

  it('strength 0 and end_percent 0 give exactly the plain result', async () => {
    const plain = await run(DIR(), 'no-controlnet-baseline.workflow_api.json');
    const zero = editedCase('controlnet-apply-advanced', (wf) => {
      wf['12'].inputs.strength = 0;
    });
    const ended = editedCase('controlnet-apply-advanced', (wf) => {
      wf['12'].inputs.end_percent = 0;
    });
    const oldZero = editedCase('controlnet-apply', (wf) => {
      wf['12'].inputs.strength = 0;
    });
    for (const dir of [zero, ended, oldZero]) {
      const got = await run(dir, 'workflow_api.json');
      expect(maxAbs(got.latent, plain.latent)).toBe(0);
      expect(maxAbs(got.image, plain.image)).toBe(0);
    }
  });

  it('an fp32 diffusers-layout copy of the ControlNet gives the same result as the ldm file', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-cn-diffusers-'));
    temps.push(tmp);
    const file = path.join(tmp, 'tiny-controlnet-diffusers.safetensors');
    await writeDiffusersCopy(file);
    const ldm = await run(DIR(), 'controlnet-apply.workflow_api.json');
    const dir = editedCase('controlnet-apply', (wf) => {
      wf['11'].inputs.control_net_name = 'tiny-controlnet-diffusers.safetensors';
    });
    const got = await run(dir, 'workflow_api.json', { 'controlnet/tiny-controlnet-diffusers.safetensors': file });
    expect(maxAbs(got.latent, ldm.latent)).toBe(0);
  });
});
