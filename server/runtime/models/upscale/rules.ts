/**
 * Which architecture an upscale-model state dict is: ordered data rows, first match wins, in spandrel v0.4.1's
 * registry order (what ComfyUI's UpscaleModelLoader runs). The sentinel keys are spandrel's detection keys; rows
 * with `supported: false` are architectures spandrel knows that we do not build yet, so the error can name them.
 */

/** A key that must exist, or all / any of several conditions. */
export type KeyCondition = string | { all: readonly KeyCondition[] } | { any: readonly KeyCondition[] };

export type UpscaleArch = 'ESRGAN' | 'Compact' | 'SwinIR';

export interface UpscaleRule {
  /** spandrel's architecture id */
  id: string;
  /** what users call it */
  name: string;
  detect: KeyCondition;
  /** the builder we have for it, or false */
  builds: UpscaleArch | false;
}

export const UPSCALE_RULES: readonly UpscaleRule[] = [
  { id: 'Compact', name: 'Real-ESRGAN Compact (SRVGGNetCompact)', builds: 'Compact', detect: { all: ['body.0.weight', 'body.1.weight'] } },
  {
    id: 'HAT',
    name: 'HAT',
    builds: false,
    detect: { all: ['relative_position_index_SA', 'conv_first.weight', 'layers.0.residual_group.blocks.0.conv_block.cab.0.weight'] },
  },
  {
    id: 'GRL',
    name: 'GRL',
    builds: false,
    detect: {
      any: [
        { all: ['conv_first.weight', 'norm_start.weight', 'norm_end.weight'] },
        { all: ['model.conv_first.weight', 'model.norm_start.weight', 'model.norm_end.weight'] },
      ],
    },
  },
  {
    id: 'Swin2SR',
    name: 'Swin2SR',
    builds: false,
    detect: {
      all: [
        'layers.0.residual_group.blocks.0.norm1.weight',
        'patch_embed.proj.weight',
        'conv_first.weight',
        'layers.0.residual_group.blocks.0.attn.relative_position_index',
      ],
    },
  },
  {
    id: 'SwinIR',
    name: 'SwinIR',
    builds: 'SwinIR',
    detect: {
      all: [
        'layers.0.residual_group.blocks.0.norm1.weight',
        'conv_first.weight',
        'layers.0.residual_group.blocks.0.mlp.fc1.bias',
        'layers.0.residual_group.blocks.0.attn.relative_position_index',
      ],
    },
  },
  { id: 'GFPGAN', name: 'GFPGAN (face restoration)', builds: false, detect: { all: ['toRGB.0.weight', 'stylegan_decoder.style_mlp.1.weight'] } },
  {
    id: 'OmniSR',
    name: 'OmniSR',
    builds: false,
    detect: { all: ['residual_layer.0.residual_layer.0.layer.0.fn.0.weight', 'input.weight', 'up.0.weight'] },
  },
  { id: 'SCUNet', name: 'SCUNet', builds: false, detect: { all: ['m_head.0.weight', 'm_tail.0.weight'] } },
  { id: 'RGT', name: 'RGT', builds: false, detect: { all: ['conv_first.weight', 'before_RG.1.weight', 'layers.0.blocks.0.gamma'] } },
  { id: 'DAT', name: 'DAT', builds: false, detect: { all: ['conv_first.weight', 'before_RG.1.weight', 'layers.0.blocks.0.ffn.sg.conv.weight'] } },
  { id: 'SPAN', name: 'SPAN', builds: false, detect: { all: ['conv_1.sk.weight', 'block_1.c1_r.sk.weight', 'conv_cat.weight'] } },
  { id: 'RealCUGAN', name: 'Real-CUGAN', builds: false, detect: { all: ['unet1.conv1.conv.0.weight', 'unet2.conv1.conv.0.weight'] } },
  { id: 'ATD', name: 'ATD', builds: false, detect: { all: ['relative_position_index_SA', 'conv_first.weight', 'layers.0.residual_group.td'] } },
  { id: 'DRCT', name: 'DRCT', builds: false, detect: { all: ['conv_first.weight', 'layers.0.swin1.norm1.weight', 'layers.0.adjust1.weight'] } },
  {
    id: 'ESRGAN',
    name: 'ESRGAN / Real-ESRGAN (RRDBNet)',
    builds: 'ESRGAN',
    detect: {
      any: [
        { all: ['model.0.weight', 'model.1.sub.0.RDB1.conv1.0.weight'] },
        { all: ['conv_first.weight', 'body.0.rdb1.conv1.weight', 'conv_body.weight', 'conv_last.weight'] },
        // BSRGAN / RealSR
        { all: ['conv_first.weight', 'RRDB_trunk.0.RDB1.conv1.weight', 'trunk_conv.weight', 'conv_last.weight'] },
        // ESRGAN+
        { all: ['model.0.weight', 'model.1.sub.0.RDB1.conv1x1.weight'] },
      ],
    },
  },
  {
    id: 'PLKSR',
    name: 'PLKSR',
    builds: false,
    detect: { all: ['feats.0.weight', 'feats.1.refine.weight', { any: ['feats.1.channe_mixer.0.weight', 'feats.1.channel_mixer.0.weight'] }] },
  },
];

export function holds(keys: ReadonlySet<string>, c: KeyCondition): boolean {
  if (typeof c === 'string') return keys.has(c);
  if ('all' in c) return c.all.every((x) => holds(keys, x));
  return c.any.some((x) => holds(keys, x));
}

/** The first rule the keys satisfy, or undefined. */
export function matchUpscaleRule(keys: ReadonlySet<string>): UpscaleRule | undefined {
  return UPSCALE_RULES.find((r) => holds(keys, r.detect));
}
