import { toAdapter } from './formats/adapters';
import { groupModules } from './formats/group';
import { readScalar } from './math/decode';
import { claimedBy, COMPONENT_NAMING } from './names/key-map';
import type { Adapter, AdapterKind, LoraModule, LoraNaming, LoraSource } from './types';

export type LoraFamily = 'sd1' | 'sd2' | 'sdxl';

export interface LoraDescription {
  readonly name: string;
  readonly tensors: number;
  readonly modules: number;
  /** human labels: "LoRA", "LoCon", "LoCon (Tucker)", "LoHa", "LoKr", "DoRA", "full diff" */
  readonly formats: readonly string[];
  readonly namings: readonly LoraNaming[];
  readonly adapters: Readonly<Partial<Record<AdapterKind | 'bias-only', number>>>;
  /** distinct ranks (low-rank dimension) over all modules */
  readonly ranks: readonly number[];
  /** distinct stored alphas; empty when the file stores none (scale 1) */
  readonly alphas: readonly number[];
  readonly unet: { readonly modules: number; readonly blocks: Readonly<Record<string, number>> };
  /** modules per text encoder prefix: te (single), te1 (SDXL CLIP-L), te2 (SDXL OpenCLIP bigG) */
  readonly textEncoders: Readonly<Partial<Record<'te' | 'te1' | 'te2', number>>>;
  /** cross-attention context width read from attn2 to_k/to_v, when present */
  readonly contextDim: number | undefined;
  /** text-encoder hidden widths read from q_proj */
  readonly textHidden: readonly number[];
  readonly family: LoraFamily | undefined;
  readonly familyReason: string;
  /** what the training metadata claims (kohya ss_base_model_version), independent of the shapes */
  readonly metadataFamily: LoraFamily | undefined;
  readonly malformed: readonly string[];
  readonly unrecognized: readonly string[];
  /** training metadata worth showing (kohya ss_*) */
  readonly metadata: Readonly<Record<string, string>>;
}

/** Which text encoder a module prefix names. */
const TE_PREFIXES: readonly (readonly [string, 'te' | 'te1' | 'te2'])[] = [
  ['lora_te1_', 'te1'],
  ['lora_te2_', 'te2'],
  ['lora_te_', 'te'],
  ['text_encoder_2.', 'te2'],
  ['text_encoder.', 'te'],
];

/** Block label of a UNet module in either naming: down_blocks.1, mid_block, input_blocks.4, ... */
const BLOCK_PATTERNS: readonly RegExp[] = [
  /(down_blocks|up_blocks|input_blocks|output_blocks)[._](\d+)/,
  /(mid_block|middle_block)/,
  /(conv_in|conv_out|conv_norm_out|time_embedding|add_embedding|time_embed|label_emb)/,
];

/** Family evidence, first match wins: [family, test, reason]. */
const FAMILY_RULES: readonly { family: LoraFamily; test: (d: FamilyEvidence) => boolean; reason: string }[] = [
  { family: 'sdxl', test: (d) => d.te2 > 0 || d.contextDim === 2048, reason: 'second text encoder (te2) or 2048-wide context' },
  {
    family: 'sd1',
    test: (d) => d.contextDim === 768 || (d.contextDim === undefined && d.textHidden.includes(768)),
    reason: '768-wide context (CLIP ViT-L)',
  },
  {
    family: 'sd2',
    test: (d) => d.contextDim === 1024 || (d.contextDim === undefined && d.textHidden.includes(1024)),
    reason: '1024-wide context (OpenCLIP ViT-H)',
  },
];

interface FamilyEvidence {
  readonly te2: number;
  readonly contextDim: number | undefined;
  readonly textHidden: readonly number[];
}

/** kohya ss_base_model_version prefixes -> family */
const METADATA_FAMILY: readonly (readonly [string, LoraFamily])[] = [
  ['sdxl', 'sdxl'],
  ['sd_v1', 'sd1'],
  ['sd_v2', 'sd2'],
];

const FORMAT_LABELS: Record<AdapterKind, string> = { lora: 'LoRA', loha: 'LoHa', lokr: 'LoKr', diff: 'full diff' };

function rankOf(a: Adapter): number | undefined {
  const s = a.slots;
  if (a.kind === 'lora') return s.down!.shape[0];
  if (a.kind === 'loha') return s.hada_w1_b!.shape[0];
  if (a.kind === 'lokr') return (s.lokr_w2_b ?? s.lokr_w1_b)?.shape[0];
  return undefined;
}

/** Width a module reads (its input features), for context / hidden size evidence. */
function inputWidth(a: Adapter): number | undefined {
  const s = a.slots;
  if (a.kind === 'lora') return s.down!.shape[1];
  if (a.kind === 'loha') return s.hada_w1_b!.shape[1];
  if (a.kind === 'diff') return s.diff!.shape[1];
  return undefined;
}

function formatLabels(m: LoraModule, a: Adapter): string[] {
  const out: string[] = [];
  if (a.kind) {
    const conv = a.kind === 'lora' && a.slots.down!.shape.length === 4 && (a.slots.down!.shape[2] > 1 || a.slots.mid !== undefined);
    out.push(conv ? (a.slots.mid ? 'LoCon (Tucker)' : 'LoCon') : FORMAT_LABELS[a.kind]);
  }
  if (m.slots.dora_scale) out.push('DoRA');
  if (m.slots.diff_b && a.kind !== 'diff') out.push('bias diff');
  return out;
}

/** What a LoRA file holds and which base family it fits, from its header (alphas are read: scalars only). */
export async function describeLoraSource(source: LoraSource): Promise<LoraDescription> {
  const { modules, unknownKeys } = groupModules(source);
  const allClaims = Object.values(COMPONENT_NAMING).flatMap((n) => n.claims);
  const formats = new Set<string>();
  const namings = new Set<LoraNaming>();
  const adapters: Partial<Record<AdapterKind | 'bias-only', number>> = {};
  const ranks = new Set<number>();
  const alphas = new Set<number>();
  const blocks: Record<string, number> = {};
  const textEncoders: Partial<Record<'te' | 'te1' | 'te2', number>> = {};
  const textHidden = new Set<number>();
  const malformed: string[] = [];
  const unrecognized = [...unknownKeys];
  let unetModules = 0;
  let contextDim: number | undefined;
  for (const m of modules) {
    const result = toAdapter(m);
    if ('problem' in result) {
      malformed.push(`${m.key} (${result.problem})`);
      continue;
    }
    const a = result.adapter;
    for (const n of m.naming) namings.add(n);
    for (const f of formatLabels(m, a)) formats.add(f);
    const kind = a.kind ?? 'bias-only';
    adapters[kind] = (adapters[kind] ?? 0) + 1;
    const rank = rankOf(a);
    if (rank !== undefined) ranks.add(rank);
    if (m.slots.alpha) alphas.add(await readScalar(m.slots.alpha));
    const te = TE_PREFIXES.find(([p]) => m.key.startsWith(p));
    if (te) {
      textEncoders[te[1]] = (textEncoders[te[1]] ?? 0) + 1;
      const w = inputWidth(a);
      if (/q_proj$/.test(m.key) && w !== undefined) textHidden.add(w);
      continue;
    }
    if (claimedBy(m.key, COMPONENT_NAMING.unet.claims)) {
      unetModules++;
      const label = BLOCK_PATTERNS.map((re) => re.exec(m.key)).find((x) => x);
      const block = label ? (label[2] !== undefined ? `${label[1]}.${label[2]}` : label[1]) : 'other';
      blocks[block] = (blocks[block] ?? 0) + 1;
      const w = inputWidth(a);
      if (/attn2[._](processor[._])?to_[kv]$/.test(m.key) && w !== undefined) contextDim ??= w;
      continue;
    }
    if (!claimedBy(m.key, allClaims)) unrecognized.push(m.key);
  }
  const evidence: FamilyEvidence = { te2: textEncoders.te2 ?? 0, contextDim, textHidden: [...textHidden] };
  const rule = FAMILY_RULES.find((r) => r.test(evidence));
  const familyReason = rule
    ? rule.reason
    : `no known base family has context width ${contextDim ?? '?'} / text width ${[...textHidden].join(',') || '?'}`;
  const metadata = Object.fromEntries(
    Object.entries(source.metadata).filter(([k]) =>
      /^ss_(base_model_version|network_module|network_dim|network_alpha|network_args|output_name|sd_model_name)$/.test(k),
    ),
  );
  return {
    name: source.name,
    tensors: source.tensors.size,
    modules: modules.length,
    formats: [...formats],
    namings: [...namings],
    adapters,
    ranks: [...ranks].sort((x, y) => x - y),
    alphas: [...alphas].sort((x, y) => x - y),
    unet: { modules: unetModules, blocks },
    textEncoders,
    contextDim,
    textHidden: [...textHidden].sort((x, y) => x - y),
    family: rule?.family,
    familyReason,
    metadataFamily: METADATA_FAMILY.find(([p]) => (source.metadata.ss_base_model_version ?? '').startsWith(p))?.[1],
    malformed,
    unrecognized,
    metadata,
  };
}
