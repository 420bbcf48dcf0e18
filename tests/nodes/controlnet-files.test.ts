/**
 * ControlNet files beyond ComfyUI's golden cases: an SDXL ControlNet (label_emb, 2 transformer blocks) made from the
 * tiny SDXL UNet's encoder plus random hint block and zero convs, in fp32; its refusal on an SD1 model; unknown and
 * unsupported layouts named.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sessionCache } from '../../server/runtime/onnx/session-cache';
import { writeSafetensors } from '../../server/runtime/io/safetensors-write';
import { ModelCache } from '../../server/runtime/model-cache';
import { loadControlNet } from '../../server/runtime/controlnet/load';
import type { LatentValue } from '../../server/runtime/values';
import { relErr, runComfyCase, type CaseRun } from '../helpers/comfy-case';
import { describeGolden, golden } from '../helpers/golden';
import { f32Entry, writeSdxlControlLora, writeSdxlControlNet } from '../helpers/controlnet-files';

const runs: CaseRun[] = [];
let tmp = '';
afterAll(async () => {
  await sessionCache.clear();
  for (const r of runs) r.root.cleanup();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function workflow(ckpt: string, strength: number, net: string): Record<string, unknown> {
  return {
    4: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: ckpt } },
    6: { class_type: 'CLIPTextEncode', inputs: { text: 'a photo of a cat', clip: ['4', 1] } },
    7: { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['4', 1] } },
    5: { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
    10: { class_type: 'LoadImage', inputs: { image: 'hint_48x80.png' } },
    11: { class_type: 'ControlNetLoader', inputs: { control_net_name: net } },
    12: {
      class_type: 'ControlNetApplyAdvanced',
      inputs: { positive: ['6', 0], negative: ['7', 0], control_net: ['11', 0], image: ['10', 0], strength, start_percent: 0, end_percent: 1 },
    },
    3: {
      class_type: 'KSampler',
      inputs: {
        seed: 3,
        steps: 2,
        cfg: 5,
        sampler_name: 'euler',
        scheduler: 'normal',
        denoise: 1,
        model: ['4', 0],
        positive: ['12', 0],
        negative: ['12', 1],
        latent_image: ['5', 0],
      },
    },
  };
}

async function run(ckpt: string, strength: number, net = 'sdxl-cn.safetensors'): Promise<Float32Array> {
  const dir = fs.mkdtempSync(path.join(tmp, 'case-'));
  fs.copyFileSync(golden('comfy-models', 'controlnet', 'hint_48x80.png'), path.join(dir, 'hint_48x80.png'));
  fs.writeFileSync(path.join(dir, 'workflow_api.json'), JSON.stringify(workflow(ckpt, strength, net)));
  const r = await runComfyCase(dir, { models: { [`controlnet/${net}`]: path.join(tmp, net) } });
  runs.push(r);
  return (r.bySlot('3.0') as LatentValue).samples.data;
}

/**
 * ComfyUI's KSampler latent for this workflow at strength 0.8 (tests/fixtures/comfy-refs/controlnet_sdxl.md: the same
 * ControlNet file, ComfyUI's ControlNetLoader + ControlNetApplyAdvanced), fp32 little-endian, [1, 4, 8, 8].
 */
const COMFY_SDXL_LATENT = new Float32Array(
  Uint8Array.from(
    Buffer.from(
      'cWj4wmM4h0K/eQDDnoFOwwoUs8IydnvCPp9UQ6g/LcPfl/3CopxAw8wEykKQ44vAZX29Qg1yfkLu/CBDur91QpXNR8NAlvLCzGQbw5wBDsMjSWLBz8gfwZ4dPMJOHJTBf3CfwiVfjEFi' +
        'lu9CzgOzw2SVkMIdrWzBTCTCQ9/YjUIXSQfDp2ggwzgzyML12tfCAGdxw11cz0CKWOs+L6MIw48lvcKbWbfCGwiOQkuOLUO0mY1BLZBvQvir70GSXPlCkH0vQccm3UE1qwHDS0TgwcfU' +
        'g0JLcazD/QiYQ4IoZcItW0tDOuKIwvyMSsLvkvdCW4ecwpiDx0Ky+gVDLy5LQ6CMX0OIsJpClP+DQ6+3AUOwwwTAFkliQydfiEKscPpCD9F2Q7WAoEAZgdzChCoPwMBF2EEPeS5CoU6h' +
        'QsunPMO2sCNDsJojQsRSeUHSlixDJvLOQ4ovfkFIIPdBgL0ywhei1EIWHoBCdb9EQ+7cWcHgecZDW2TjQW6JC0Ed4U9CcLHPQsHeWcFt9wJDtGkkwTIaUkM1D5VDnkASQrxYCkMtxBND' +
        'KUB/Q/XNaEMeb3DBNk52wrHZvUN0s5nC9wcUw/cp6kLK/CBBFqM0Q7BSvUKad7RDhZRaQnzYsEKO04XDB2IUwtN6gMJCKFLC5NjpQE9+l0K/QG5Dlm4hw1aEx0JSB5ZByBvBQILfp0NS' +
        'a83CPSIeQ36LRcMn501CX5mmwk6qlMLEm+3C1nPZQkwuP0MzmLdC3yOPw1b1B0NXzePCWTIgw5vTfMGmaM5CSUoywh7PGEOxw7XD751Lw2BtZ8KyjRPDdURmwhYdxcLPBkPBP/iGQEIk' +
        'ZUJmjYHBGZvPQ0O7HcMDot/CCY1Sw/oaPMP/KqdCYZeaPxT+o8PIywfCGsCgwgEmV0LwMa1CrxFuw3icVcL4ADfDL1MNQsS3VMJeZCzDqBBhw3d3CsOO4Q5Ctk1pQ+WZC8PXY6ZDQ8MO' +
        'Q9CoHcI3H6fBKcmbwwrEOcPwemrCETaAwkZFSsMenJhDEoqfQjkAAMOZ47lCTXX3QpBFTkMBxQpCPefmQjkzWEPflipCmUWEwxlyucMZR4jDXkdaw1EtQ0KYVxlCjp9gQ0oqksNpglTD' +
        'oPthwrrrGsOIw0bCAPbpwo471MJiORTCkZYmwxEqvkK6rBTCUieew2paFkCiJpDDmKqYw7Y4G8KjSohCkwB5Qpx2U8Ol08jBQ7imQudAkMOE6JbDSGstw6JxncPpphhBOkRewjVAPsPF' +
        '8inDNe2swyxziMNyKbnD3BFQw3IoasMerfLC2jEqw/twlEL/kLjCletow0bwhUJCsClCKqWaQgFyq0E03rjCDScXwtu3REEK0rPCRNmwQg==',
      'base64',
    ),
  ).buffer,
);

/** ComfyUI's latent for the same workflow with the Control-LoRA (tests/fixtures/comfy-refs/controlnet-sdxl.sh lora). */
const COMFY_CONTROL_LORA_LATENT = new Float32Array(
  Uint8Array.from(
    Buffer.from(
      'JacMw5ycSkICO07DK71Dw1jeScP6oqLCmkgRQx000cKWsajBzrh+wsynDsJ3jvHAqC1EQcDYqsEUhq5CkNsTQy//58KtL+XCIxw/wy93gcOBbIdCnN6UQmunQsI/93NC/D2wwRrTT0FO' +
        '1HdDVJ24w6fP58Av3SJDHCpmQ95VEkHnyhnDpluRwrJ0BsJyc9rCE96Iw4YPhsJmJddB9gXOPxtMpMLKFNnC3jenQtabIUNnlMBBb6cxQS4j10HVe7xCH6fzQl8A1UJjxmpCKaIlQj6I' +
        '90FeYMzD7tNoQ9pD5MHis1hDlS3Zwl1j/cJSn4dC7wcewottAkMkxuNCCl9gQ7bogkN+1AZC2T9dQx6N/UKw2TrCPE01Q8ji0ECCiCBD2h0XQ84lhcIHY/zAnpGfQq+s1EIcumrBZMqI' +
        'wMNKn8OjxFJDR29qwQskycEJCh5DIbrnQ6YUmkIkT7jCMU8Ww7Si4UJMSGtBYiy7QsxAYsKM1K9D9dCyQVVRSsOyMzRCyyy3QdFY4sIqAZzAmnA2wh95RUOv5pdDMQ76QQmlv0Gvq/ZC' +
        'SVBzQ04dBUMRZ+zBLT+7wcQ/ekON36NCEFkLw8VmtkKYc8hBJEKlQowB2UL8QvVDV/W9QkdoCUMyIjXDPCSxwoBbBcIUalnC1zrfQduoFUNqr1FDz7+1wi5LqkKo0Q3C4onAQruA3UNO' +
        'VZrC7rJVQ6gBE8OBrPPB9kgTwx8cHcL0epzCm8ALQ0gVZkKPjopC9OyTw9hBRUOHGPTCcVQswxecmMH5uE7BtYQ8wzNi9j/s+p3DVcLSwrcm18JeL8zCVbitQuHEVsIyP5TCZhPUwqYx' +
        'mMLoW9/Bgw6vQypO7cLbAA3DZCQBw2b0OcMJDxBDbzGpwlWINsOmU5DCKy8UQgTZA0Mo8X9CVDd/w3TRvcKw+o3DwokaQ//1gMFHRQfCGNoiw84IOsMKilbC7V+ZQznr18Jcu6NDF7sc' +
        'Q07Ch8HjeEPDi66UwwTl0MIiBPtBIXt2wgqkaMNa1ZBDzMmxQMRWi8En/TxCt34EQ5z5t0N7dBZDaIgHQ0RugkP4DcfC0nS0w83a5sOCfyHD5LNlw84pwkIzEEdC7U+IQ0WFwcOwCXDD' +
        '178Hwtxyk75d9zTCtxYzQqH4UMIb0dZAap17w7ITqsCB/U7Cy/stwzOPHUKfuGTDb814ww7VhMEvq0RCBS3gwpVCcMP+wJrC0Wuawtmwh8PhlGTD6YkJw+5tmcOGXzXC/z8Aw/9oLsPp' +
        '3ZDD+sdtw5azncNNm5DD3uwVw0QJQcNTvPjC5Z5ww5vK8sKuVI7B7pQ+w3+9EUL92BRCZoOwQsrZgEFcPEbCC9gBwhmQwEKUhmfBzGGLQQ==',
      'base64',
    ),
  ).buffer,
);

describeGolden('ControlNet files', () => {
  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-cn-files-'));
    await writeSdxlControlNet(path.join(tmp, 'sdxl-cn.safetensors'));
    await writeSdxlControlLora(path.join(tmp, 'sdxl-control-lora.safetensors'));
  });

  it('an SDXL ControlNet (label_emb) matches ComfyUI on the SDXL model, and moves it away from its plain result', async () => {
    const steered = await run('tiny-sdxl.safetensors', 0.8);
    const err = relErr(steered, COMFY_SDXL_LATENT);
    console.log(`[comfy] SDXL ControlNet: latent rel err ${err.toExponential(2)}`);
    expect(err).toBeLessThanOrEqual(1e-3);
    const plain = await run('tiny-sdxl.safetensors', 0);
    expect(relErr(plain, COMFY_SDXL_LATENT)).toBeGreaterThan(1e-2);
  });

  it("a Control-LoRA (low-rank patches on the model's encoder) matches ComfyUI", async () => {
    const got = await run('tiny-sdxl.safetensors', 0.8, 'sdxl-control-lora.safetensors');
    const err = relErr(got, COMFY_CONTROL_LORA_LATENT);
    console.log(`[comfy] SDXL Control-LoRA: latent rel err ${err.toExponential(2)}`);
    expect(err).toBeLessThanOrEqual(1e-3);
    expect(relErr(got, COMFY_SDXL_LATENT)).toBeGreaterThan(1e-2);
  });

  it('an SDXL ControlNet on an SD1 model is refused before sampling, naming both', async () => {
    await expect(run('tiny-sd1.safetensors', 0.8, 'sdxl-control-lora.safetensors')).rejects.toThrow(
      /Control-LoRA patch .* does not fit the model's .*another model family/,
    );
    await expect(run('tiny-sd1.safetensors', 0.8)).rejects.toThrow(
      /ControlNet sdxl-cn\.safetensors \(context 192, adm 1664.*does not fit the sd1 model \(context 128/,
    );
  });

  it('an unknown layout names the keys it found; known but unsupported layouts say what they are', async () => {
    const file = (name: string, keys: string[]) => {
      const target = path.join(tmp, name);
      return writeSafetensors(
        target,
        keys.map((k) => f32Entry(k, [2], new Float32Array(2))),
      ).then(() => target);
    };
    const models = new ModelCache(2 ** 30);
    await expect(loadControlNet(models, await file('odd.safetensors', ['foo.weight', 'bar.bias']))).rejects.toThrow(
      /odd\.safetensors is not a ControlNet in a known layout .* holds 2 tensor\(s\): (foo\.weight, bar\.bias|bar\.bias, foo\.weight)/,
    );
    await expect(loadControlNet(models, await file('adapter.safetensors', ['conv_in.weight', 'body.0.block2.weight']))).rejects.toThrow(
      /adapter\.safetensors: T2I-Adapter tensor conv_in\.weight has shape \[2\], expected a 4-d conv weight/,
    );
    await expect(loadControlNet(models, await file('flux.safetensors', ['controlnet_blocks.0.weight']))).rejects.toThrow(
      /DiT models are not supported/,
    );
    // a ControlNet++ union file is a diffusers ControlNet with extras: named before its diffusers keys are read
    const union = ['controlnet_cond_embedding.conv_in.weight', 'control_add_embedding.linear_1.bias', 'task_embedding'];
    await expect(loadControlNet(models, await file('promax.safetensors', union))).rejects.toThrow(/promax\.safetensors is a union ControlNet/);
  });
});
