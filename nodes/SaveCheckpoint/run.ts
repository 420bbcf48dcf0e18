import type { NodeRunner } from '../runner';
import { nextOutputPath } from '../_io/output-files';
import { expectInput, isClipHandle, isModelHandle, isVaeHandle } from '../../server/runtime/pipeline/handles';
import { stringParam } from '../../server/runtime/pipeline/node-params';
import { saveCheckpoint } from '../../server/runtime/pipeline/save';

const N = 'SaveCheckpoint';

export const run: NodeRunner = async (ctx) => {
  const model = expectInput(N, 'model', ctx.inputs.model, isModelHandle, 'a MODEL');
  const clip = expectInput(N, 'clip', ctx.inputs.clip, isClipHandle, 'a CLIP');
  const vae = expectInput(N, 'vae', ctx.inputs.vae, isVaeHandle, 'a VAE');
  const { full, rel } = nextOutputPath(ctx.paths.output, stringParam(N, ctx, 'filename_prefix'), '.safetensors');
  await saveCheckpoint({ model, clip, vae, file: full, metadata: { workflow: JSON.stringify(ctx.workflow) } });
  ctx.recordFile({ path: rel, kind: 'checkpoint' });
  return {};
};
