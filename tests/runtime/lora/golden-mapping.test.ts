import { expect, it } from 'vitest';
import { describeGolden } from '../../helpers/golden';
import { buildKeyMap } from '../../../server/runtime/checkpoint/lora/names/key-map';
import { applyLoras } from '../../../server/runtime/checkpoint/lora/apply';
import { groupModules } from '../../../server/runtime/checkpoint/lora/formats/group';
import { CLIP_PREFIX, UNET_PREFIX, expectedTargets, goldenLora, tinySd1 } from './support/golden-lora';

describeGolden('golden kohya LoRA on tiny-sd1: name mapping', () => {
  it('maps every one of the 146 modules onto exactly the checkpoint key the README lists', async () => {
    const [{ unet, clip }, lora] = await Promise.all([tinySd1(), goldenLora()]);
    const expected = expectedTargets();
    expect(expected.size).toBe(146);
    const { modules, unknownKeys } = groupModules(lora);
    expect(unknownKeys).toEqual([]);
    expect(modules.map((m) => m.key).sort()).toEqual([...expected.keys()].sort());
    const maps = { unet: buildKeyMap('unet', unet), clip: buildKeyMap('clip', clip) };
    for (const [module, key] of expected) {
      const [map, prefix] = module.startsWith('lora_unet_') ? [maps.unet, UNET_PREFIX] : [maps.clip, CLIP_PREFIX];
      const target = map.targets.get(module);
      expect(target, module).toBeDefined();
      expect(prefix + target!.weight.name, module).toBe(key);
      expect(target!.weight.rows).toBeUndefined();
    }
  });

  it('reports 134 UNet and 12 text-encoder modules patched, nothing unmapped', async () => {
    const [{ unet, clip }, lora] = await Promise.all([tinySd1(), goldenLora()]);
    const u = applyLoras(unet, 'unet', [{ file: lora, strength: 0.8 }]).reports[0];
    const c = applyLoras(clip, 'clip', [{ file: lora, strength: 0.6 }]).reports[0];
    expect(u).toMatchObject({ lora: 'tiny-sd1-lora.safetensors', component: 'unet', targeted: 134, patched: 134, unmapped: [], unrecognized: [] });
    expect(c).toMatchObject({ component: 'clip', targeted: 12, patched: 12, unmapped: [], unrecognized: [] });
  });
});
