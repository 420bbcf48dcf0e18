/**
 * CLIPLoader / DualCLIPLoader: text-encoder files (models/text_encoders or clip) → a CLIP handle. A file holds one
 * tower in HF CLIPTextModel names (`text_model.…`, with `text_projection.weight` for a projected tower) or open_clip
 * names (`token_embedding.weight`, `transformer.resblocks.…`), bare or under the prefixes checkpoints use. Which
 * tower it is comes from its width: 768 CLIP-L, 1024 OpenCLIP-H (SD2), 1280 OpenCLIP-bigG (SDXL clip_g).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ModelCache } from '../model-cache';
import { deriveClipConfig } from '../checkpoint/arch/clip';
import { fileIdentity } from '../checkpoint/hash';
import { stateDictProvider, stripPrefix } from '../checkpoint/provider';
import type { WeightProvider } from '../checkpoint/weights';
import { openCheckpointFile } from '../io/checkpoint-file';
import type { StateDict } from '../io/tensor';
import type { ClipHandle, TowerName } from '../handles';

/** ComfyUI's CLIPLoader / DualCLIPLoader `type` values this build runs. */
export const SINGLE_CLIP_TYPES = ['stable_diffusion'] as const;
export const DUAL_CLIP_TYPES = ['sdxl'] as const;

interface TowerFile {
  name: string;
  id: string;
  weights: WeightProvider;
  width: number;
  layout: 'hf' | 'openclip';
  projected: boolean;
}

const HF_PREFIXES = [
  'cond_stage_model.transformer.text_model.',
  'conditioner.embedders.0.transformer.text_model.',
  'transformer.text_model.',
  'text_model.',
];
const OPENCLIP_PREFIXES = ['cond_stage_model.model.', 'conditioner.embedders.1.model.', 'conditioner.embedders.0.model.', 'model.', ''];

/** The tower's tensors under the names the CLIP builder reads. */
function towerDict(all: StateDict, name: string): StateDict {
  for (const p of HF_PREFIXES) {
    if (!all.has(`${p}embeddings.token_embedding.weight`)) continue;
    const dict = stripPrefix(all, p);
    // a projected HF tower keeps text_projection beside text_model
    const outer = p.slice(0, -'text_model.'.length);
    const proj = all.get(`${outer}text_projection.weight`);
    if (proj) dict.set('text_projection.weight', proj);
    return dict;
  }
  for (const p of OPENCLIP_PREFIXES) if (all.has(`${p}token_embedding.weight`)) return p ? stripPrefix(all, p) : all;
  throw new Error(`${name} is not a CLIP text encoder (no text_model.embeddings.token_embedding.weight or token_embedding.weight)`);
}

async function openTower(file: string, signal?: AbortSignal): Promise<TowerFile> {
  const name = path.basename(file);
  const f = await openCheckpointFile(file, { signal });
  const dict = towerDict(f.tensors, name);
  const id = await fileIdentity(file);
  const weights = stateDictProvider(dict, `${id}/clip`);
  const cfg = deriveClipConfig(weights);
  return { name, id, weights, width: cfg.width, layout: cfg.layout, projected: cfg.projectionDim !== undefined };
}

/** An HF-layout OpenCLIP tower uses GELU; the builder would assume OpenAI CLIP's quick_gelu from its names. */
const activationFor = (t: TowerFile): 'gelu' | undefined => (t.layout === 'hf' && t.width >= 1024 ? 'gelu' : undefined);

export async function cachedClipFiles(
  models: ModelCache,
  files: readonly string[],
  type: string,
  modelsDir: string,
  signal?: AbortSignal,
): Promise<ClipHandle> {
  const ids = await Promise.all(files.map(fileIdentity));
  const bytes = (await Promise.all(files.map((f) => stat(f)))).reduce((n, s) => n + s.size, 0);
  return models.get(`clip-files|${type}|${ids.join('|')}`, async () => {
    const towers = await Promise.all(files.map((f) => openTower(f, signal)));
    return { value: clipHandle(towers, type, modelsDir), bytes };
  });
}

function clipHandle(towers: TowerFile[], type: string, modelsDir: string): ClipHandle {
  const names = towers.map((t) => `${t.name} (${t.width} wide)`).join(' and ');
  const base = {
    kind: 'clip' as const,
    vocab: { modelsDir },
    key: towers.map((t) => `${t.id}/clip`).join('+'),
    recipe: [{ step: 'clip', files: towers.map((t) => t.name).join(', '), type }],
  };
  if (towers.length === 1) {
    if (type !== 'stable_diffusion') throw new Error(`CLIP type "${type}" is not supported (supported: ${SINGLE_CLIP_TYPES.join(', ')})`);
    const [t] = towers;
    if (t.width !== 768 && t.width !== 1024 && t.width > 512) {
      throw new Error(
        `${names}: a stable_diffusion text encoder is CLIP-L (768, SD1) or OpenCLIP-H (1024, SD2)${t.width === 1280 ? "; this is SDXL's clip_g: load it with DualCLIPLoader" : ''}`,
      );
    }
    const act = activationFor(t);
    return { ...base, family: t.width === 1024 ? 'sd2' : 'sd1', towers: { clip: t.weights }, ...(act ? { activations: { clip: act } } : {}) };
  }
  if (type !== 'sdxl') throw new Error(`dual CLIP type "${type}" is not supported (supported: ${DUAL_CLIP_TYPES.join(', ')})`);
  // either order, as ComfyUI: clip_g is the wider one, or (same width) the one with a text projection
  const gness = (t: TowerFile) => t.width * 4 + (t.projected ? 2 : 0) + (t.layout === 'openclip' ? 1 : 0);
  const [l, g] = [...towers].sort((a, b) => gness(a) - gness(b));
  if (gness(l) === gness(g))
    throw new Error(`${names}: SDXL needs CLIP-L (768) and OpenCLIP-bigG (1280, with a text projection); these two cannot be told apart`);
  if (!g.projected) throw new Error(`${g.name}: SDXL's clip_g needs its text_projection (the pooled output), and this file has none`);
  // bigG is OpenCLIP: GELU whatever its width (tiny test towers included)
  const act = g.layout === 'hf' ? 'gelu' : undefined;
  const t: Partial<Record<TowerName, WeightProvider>> = { clip_l: l.weights, clip_g: g.weights };
  return { ...base, family: 'sdxl', towers: t, activations: { ...(act ? { clip_g: act } : {}) } };
}
