import { describeLoraSource, type LoraDescription } from '../../runtime/checkpoint/lora/describe';
import { openLora } from '../../runtime/checkpoint/lora/source';

export type { LoraDescription };

/** `latentloom inspect <lora.safetensors>`: format, ranks, alphas, targeted modules and the base family it fits. */
export async function describeLora(path: string): Promise<LoraDescription> {
  return describeLoraSource(await openLora(path));
}

const list = (xs: readonly (string | number)[]) => (xs.length ? xs.join(', ') : '—');

/** Plain-text rendering for the CLI. */
export function formatLoraDescription(d: LoraDescription): string {
  const te = Object.entries(d.textEncoders).map(([k, n]) => `${k} ${n}`);
  const blocks = Object.entries(d.unet.blocks).map(([b, n]) => `${b} ${n}`);
  const lines = [
    `${d.name}: ${list(d.formats)} (${list(d.namings)} naming), ${d.modules} modules in ${d.tensors} tensors`,
    `  rank ${list(d.ranks)}, alpha ${d.alphas.length ? list(d.alphas) : 'none stored (scale 1)'}`,
    `  UNet modules ${d.unet.modules}${blocks.length ? ` (${blocks.join(', ')})` : ''}`,
    `  text encoder modules ${te.length ? te.join(', ') : '0'}`,
    `  fits ${d.family ?? 'unknown family'}: ${d.familyReason}`,
  ];
  if (d.metadataFamily && d.metadataFamily !== d.family) lines.push(`  training metadata says ${d.metadataFamily}`);
  if (d.malformed.length) lines.push(`  malformed modules: ${list(d.malformed)}`);
  if (d.unrecognized.length) lines.push(`  unrecognized keys: ${list(d.unrecognized.slice(0, 10))}${d.unrecognized.length > 10 ? ', …' : ''}`);
  for (const [k, v] of Object.entries(d.metadata)) lines.push(`  ${k} = ${v}`);
  return lines.join('\n');
}
