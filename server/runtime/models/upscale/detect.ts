/** State dict → what model it is (rules.ts), its canonical tensors and its UpscaleSpec (spandrel's descriptor fields). */
import type { StateDict } from '../../io/tensor';
import { UPSCALE_RULES, matchUpscaleRule } from './rules';
import { canonicalRRDB, deriveRRDBConfig } from './rrdb';
import { deriveCompactConfig } from './compact';
import { deriveSwinIRConfig } from './swinir';
import type { UpscaleSpec } from './spec';

export interface DetectedUpscaleModel {
  spec: UpscaleSpec;
  /** the file's tensors under the names the builder reads */
  tensors: StateDict;
}

const SUPPORTED = UPSCALE_RULES.filter((r) => r.builds)
  .map((r) => r.name)
  .join(', ');

/** How many keys an unknown-architecture error shows. */
const SHOWN_KEYS = 8;

export function detectUpscaleModel(dict: StateDict, fileName: string): DetectedUpscaleModel {
  const rule = matchUpscaleRule(new Set(dict.keys()));
  if (!rule) {
    const keys = [...dict.keys()];
    const shown = keys.slice(0, SHOWN_KEYS).join(', ') + (keys.length > SHOWN_KEYS ? `, … (${keys.length} tensors)` : '');
    throw new Error(`${fileName}: unknown upscale model architecture; keys found: ${shown || 'none'}. Supported: ${SUPPORTED}.`);
  }
  if (!rule.builds) throw new Error(`${fileName}: ${rule.name} upscale model; this architecture is not supported yet (supported: ${SUPPORTED}).`);
  try {
    return describe(rule.builds, dict);
  } catch (e) {
    throw new Error(`${fileName} (${rule.name}): ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

function describe(arch: 'ESRGAN' | 'Compact' | 'SwinIR', dict: StateDict): DetectedUpscaleModel {
  switch (arch) {
    case 'ESRGAN': {
      const tensors = canonicalRRDB(dict);
      const net = deriveRRDBConfig(tensors);
      const internal = 2 ** net.upsamples;
      if (internal % net.unshuffle !== 0) {
        throw new Error(`pixel-unshuffled by ${net.unshuffle} but upsampled only ${internal}x, which is below 1x`);
      }
      const tags = [`${net.features}nf`, `${net.blocks}nb`, ...(net.plus ? ['ESRGAN+'] : []), ...(net.unshuffle > 1 ? ['unshuffle'] : [])];
      return {
        tensors,
        spec: {
          arch,
          config: { arch, net },
          scale: internal / net.unshuffle,
          inChannels: net.inChannels / net.unshuffle ** 2,
          outChannels: net.outChannels,
          sizeReq: { minimum: 2, multipleOf: net.unshuffle > 1 ? 4 : 1 },
          padMultiple: net.unshuffle,
          unshuffle: net.unshuffle,
          tags,
        },
      };
    }
    case 'Compact': {
      const net = deriveCompactConfig(dict);
      return {
        tensors: dict,
        spec: {
          arch,
          config: { arch, net },
          scale: net.scale,
          inChannels: net.inChannels,
          outChannels: net.outChannels,
          padMultiple: 1,
          unshuffle: 1,
          tags: [`${net.features}nf`, `${net.convs}nc`],
        },
      };
    }
    case 'SwinIR': {
      const net = deriveSwinIRConfig(dict);
      return {
        tensors: dict,
        spec: {
          arch,
          config: { arch, net },
          scale: net.scale,
          inChannels: net.inChannels,
          outChannels: net.inChannels,
          sizeReq: { minimum: 16, multipleOf: 1 },
          padMultiple: net.window,
          unshuffle: 1,
          tags: [`${net.embedDim}dim`, `w${net.window}`, `depths ${net.depths.join(',')}`, net.upsampler || 'no upsampler', net.resiConnection],
        },
      };
    }
  }
}
