/**
 * ComfyUI's ControlNet (comfy/cldm/cldm.py) as an ONNX graph: the UNet's time embedding, input blocks and middle block
 * (built by buildUNet in encoder mode, names = the file's keys without `control_model.`), plus the hint block added after
 * input_blocks.0 and a 1x1 zero conv on every input block's output and on the middle block's.
 * Inputs: x [B,C,H,W] (already × c_in), timesteps [B], context [B,T,ctx], y [B,adm] (SDXL), hint [Bh,hintC,8H,8W].
 * Outputs: control_output_<i> (zero_convs.i, one per input block) and control_middle (middle_block_out).
 */
import type { FloatType, Value } from '../onnx/builder';
import type { WeightProvider } from '../checkpoint/weights';
import type { ControlNetConfig } from '../checkpoint/arch/controlnet';
import type { AttentionKernel } from '../onnx/nn';
import { buildUNet } from './unet';

/** input_hint_block: 3x3 convs at these indices with SiLU between; the ones at 4, 8 and 12 halve the size (8x in all). */
const HINT_CONVS = [0, 2, 4, 6, 8, 10, 12, 14] as const;
const HINT_STRIDE_2 = new Set([4, 8, 12]);

export function buildControlNet(weights: WeightProvider, cfg: ControlNetConfig, opts: { attention?: AttentionKernel; float?: FloatType } = {}) {
  return buildUNet(
    weights,
    { ...cfg, outChannels: 0, transformerDepthOutput: [] },
    {
      ...opts,
      name: 'controlnet',
      encoder: (g, L) => {
        const hintIn = g.compute(g.input('hint', 'float32', ['Bh', cfg.hintChannels, 'HH', 'WH']));
        let hint: Value = hintIn;
        HINT_CONVS.forEach((k, i) => {
          if (i > 0) hint = L.silu(hint);
          hint = L.conv(hint, `input_hint_block.${k}`, { stride: HINT_STRIDE_2.has(k) ? 2 : 1 });
        });
        return {
          first: (h) => g.op('Add', [h, hint]),
          skip: (h, i) => g.output(g.fp32(L.conv(h, `zero_convs.${i}.0`)), `control_output_${i}`, 'float32', ['B', `C${i}`, `H${i}`, `W${i}`]),
          middle: (h) => g.output(g.fp32(L.conv(h, 'middle_block_out.0')), 'control_middle', 'float32', ['B', 'Cm', 'Hm', 'Wm']),
        };
      },
    },
  );
}
