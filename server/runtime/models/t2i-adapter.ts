/**
 * ComfyUI's T2I-Adapter (comfy/t2i_adapter/adapter.py Adapter and Adapter_light) as an ONNX graph: pixel unshuffle,
 * then four levels of resblocks; each level's output is one feature.
 * Input `hint` [B, inputChannels, H, W] with H, W multiples of the unshuffle amount; outputs `feature_<level>`.
 */
import { Graph, type Value } from '../onnx/builder';
import { Layers, assertAllWeightsUsed } from '../onnx/nn';
import type { WeightProvider } from '../checkpoint/weights';
import type { T2IAdapterConfig } from '../controlnet/t2i-config';

export function buildT2IAdapter(weights: WeightProvider, cfg: T2IAdapterConfig): Graph {
  const g = new Graph('t2i_adapter');
  const L = new Layers(g, weights, 't2i_adapter');
  const r = cfg.unshuffle;
  const hint = g.input('hint', 'float32', ['B', cfg.inputChannels, 'H', 'W']);
  // PixelUnshuffle: channel c·r² + i·r + j; SpaceToDepth on single-channel planes orders blocks the same way
  const planes = g.op('SpaceToDepth', [g.op('Reshape', [hint, g.ints([-1, 1, 0, 0])])], { blocksize: r });
  let x: Value = g.op('Reshape', [planes, g.ints([-1, cfg.inputChannels * r * r, 0, 0])]);
  const relu = (v: Value) => g.op('Relu', [v]);
  /** torch AvgPool2d(2, 2) with padding [H % 2, W % 2] (Downsample without conv), zeros counted as torch does */
  const avgDown = (v: Value): Value => {
    const odd = g.op('Mod', [g.op('Shape', [v], { start: 2 }), g.ints([2])]);
    const pads = g.op('Concat', [g.ints([0, 0]), odd, g.ints([0, 0]), odd], { axis: 0 });
    const padded = g.op('Pad', [v, pads], { mode: 'constant' });
    return g.op('AveragePool', [padded], { kernel_shape: [2, 2], strides: [2, 2] });
  };
  const outputs: Value[] = [];
  if (cfg.variant === 'light') {
    cfg.channels.forEach((_, i) => {
      const p = `body.${i}`;
      if (i > 0) x = avgDown(x);
      x = L.conv(x, `${p}.in_conv`);
      for (let k = 0; k < cfg.numResBlocks; k++) {
        const h = L.conv(relu(L.conv(x, `${p}.body.${k}.block1`)), `${p}.body.${k}.block2`);
        x = g.op('Add', [h, x]);
      }
      x = L.conv(x, `${p}.out_conv`);
      outputs.push(x);
    });
  } else {
    x = L.conv(x, 'conv_in');
    const down = cfg.xl ? [2] : [3, 2, 1];
    cfg.channels.forEach((_, i) => {
      for (let j = 0; j < cfg.numResBlocks; j++) {
        const p = `body.${i * cfg.numResBlocks + j}`;
        if (j === 0 && down.includes(i)) x = cfg.useConv ? L.conv(x, `${p}.down_opt.op`, { stride: 2 }) : avgDown(x);
        if (L.has(`${p}.in_conv.weight`)) x = L.conv(x, `${p}.in_conv`);
        const h = L.conv(relu(L.conv(x, `${p}.block1`)), `${p}.block2`);
        x = g.op('Add', [h, x]);
      }
      outputs.push(x);
    });
  }
  outputs.forEach((v, i) => g.output(v, `feature_${i}`, 'float32', ['B', cfg.channels[i], `H${i}`, `W${i}`]));
  assertAllWeightsUsed(g, weights, 't2i_adapter');
  return g;
}
