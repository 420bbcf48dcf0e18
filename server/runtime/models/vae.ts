import { Graph, type FloatType, type Value } from '../onnx/builder';
import { Layers, assertAllWeightsUsed, type AttentionKernel } from '../onnx/nn';
import type { WeightProvider } from '../checkpoint/weights';
import type { VaeConfig } from '../checkpoint/arch/vae';

/** Everything in the ldm autoencoder normalises with GroupNorm(32, eps 1e-6). */
const EPS = 1e-6;

function vaeBlocks(g: Graph, L: Layers) {
  const fused = L.attentionKernel === 'fused';
  const norm = (h: Value, p: string) => L.groupNorm(h, p, 32, EPS);
  const resnet = (x: Value, p: string): Value => {
    let h = L.conv(L.silu(norm(x, `${p}.norm1`)), `${p}.conv1`);
    h = L.conv(L.silu(norm(h, `${p}.norm2`)), `${p}.conv2`);
    const skip = L.has(`${p}.nin_shortcut.weight`) ? L.conv(x, `${p}.nin_shortcut`) : x;
    return g.op('Add', [skip, h]);
  };
  /**
   * single-head spatial self-attention with 1x1-conv q/k/v/proj_out. Fused (MultiHeadAttention) never holds the
   * [T, T] scores: at 2048² a standard one needs 17 GB for them (T = 256²), which is what killed big decodes.
   */
  const attn = (x: Value, p: string): Value => {
    const h = norm(x, `${p}.norm`);
    const [c] = L.shape(`${p}.q.weight`);
    const flat = (t: Value) => g.op('Reshape', [t, g.ints([0, 0, -1])]);
    if (fused) {
      const tokens = (t: Value) => g.op('Transpose', [flat(t)], { perm: [0, 2, 1] });
      const o = g.opN(
        'MultiHeadAttention',
        [tokens(L.conv(h, `${p}.q`)), tokens(L.conv(h, `${p}.k`)), tokens(L.conv(h, `${p}.v`))],
        { num_heads: 1, scale: { float: 1 / Math.sqrt(c) } },
        1,
        'com.microsoft',
      )[0];
      const back = g.op('Reshape', [g.op('Transpose', [o], { perm: [0, 2, 1] }), g.op('Shape', [x])]);
      return g.op('Add', [x, L.conv(back, `${p}.proj_out`)]);
    }
    const q = g.op('Transpose', [flat(L.conv(h, `${p}.q`))], { perm: [0, 2, 1] });
    const k = flat(L.conv(h, `${p}.k`));
    const v = g.op('Transpose', [flat(L.conv(h, `${p}.v`))], { perm: [0, 2, 1] });
    const w = g.op('Softmax', [g.op('Mul', [g.op('MatMul', [q, k]), g.scalar(1 / Math.sqrt(c))])], { axis: -1 });
    const out = g.op('Reshape', [g.op('Transpose', [g.op('MatMul', [w, v])], { perm: [0, 2, 1] }), g.op('Shape', [x])]);
    return g.op('Add', [x, L.conv(out, `${p}.proj_out`)]);
  };
  const mid = (h: Value, p: string): Value => resnet(attn(resnet(h, `${p}.mid.block_1`), `${p}.mid.attn_1`), `${p}.mid.block_2`);
  const out = (h: Value, p: string): Value => L.conv(L.silu(norm(h, `${p}.norm_out`)), `${p}.conv_out`);
  return { resnet, mid, out };
}

/** AutoencoderKL.decode: z [B, embedDim, h, w] (already divided by the scale factor) → image [B,3,8h,8w], raw. */
export function buildVaeDecoder(
  weights: WeightProvider,
  cfg: VaeConfig,
  float: FloatType = 'float32',
  attention: AttentionKernel = 'standard',
): Graph {
  const g = new Graph('vae_decoder', float);
  const L = new Layers(g, weights, 'vae', { attention });
  const { resnet, mid, out } = vaeBlocks(g, L);
  const z = g.compute(g.input('z', 'float32', ['B', cfg.embedDim, 'h', 'w']));
  let h = mid(L.conv(L.conv(z, 'post_quant_conv'), 'decoder.conv_in'), 'decoder');
  for (let level = cfg.chMult.length - 1; level >= 0; level--) {
    for (let b = 0; b <= cfg.numResBlocks; b++) h = resnet(h, `decoder.up.${level}.block.${b}`);
    if (level > 0) {
      const up = g.op('Resize', [h, null, g.constant(Float32Array.of(1, 1, 2, 2))], {
        mode: 'nearest',
        coordinate_transformation_mode: 'asymmetric',
        nearest_mode: 'floor',
      });
      h = L.conv(up, `decoder.up.${level}.upsample.conv`);
    }
  }
  g.output(g.fp32(out(h, 'decoder')), 'image', 'float32', ['B', cfg.outChannels, 'H', 'W']);
  assertAllWeightsUsed(g, weights, 'vae decoder', [/^encoder\./, /^quant_conv\./, /^loss\./]);
  return g;
}

/** AutoencoderKL.encode: image [B,3,H,W] in [-1,1] → posterior mean and logvar (clamped to [-30, 20]). */
export function buildVaeEncoder(
  weights: WeightProvider,
  cfg: VaeConfig,
  float: FloatType = 'float32',
  attention: AttentionKernel = 'standard',
): Graph {
  const g = new Graph('vae_encoder', float);
  const L = new Layers(g, weights, 'vae', { attention });
  const { resnet, mid, out } = vaeBlocks(g, L);
  const img = g.compute(g.input('image', 'float32', ['B', cfg.outChannels, 'H', 'W']));
  let h = L.conv(img, 'encoder.conv_in');
  for (let level = 0; level < cfg.chMult.length; level++) {
    for (let b = 0; b < cfg.numResBlocks; b++) h = resnet(h, `encoder.down.${level}.block.${b}`);
    // ldm pads (0,1,0,1) then convolves 3x3 stride 2 without padding: asymmetric Conv pads [top,left,bottom,right]
    if (level < cfg.chMult.length - 1) h = L.conv(h, `encoder.down.${level}.downsample.conv`, { stride: 2, pad: [0, 0, 1, 1] });
  }
  const moments = L.conv(out(mid(h, 'encoder'), 'encoder'), 'quant_conv');
  const [mean, logvar] = g.opN('Split', [moments], { axis: 1 }, 2);
  const clamped = g.op('Clip', [logvar, g.scalar(-30), g.scalar(20)]);
  g.output(g.fp32(mean), 'mean', 'float32', ['B', cfg.embedDim, 'h', 'w']);
  g.output(g.fp32(clamped), 'logvar', 'float32', ['B', cfg.embedDim, 'h', 'w']);
  assertAllWeightsUsed(g, weights, 'vae encoder', [/^decoder\./, /^post_quant_conv\./, /^loss\./]);
  return g;
}
