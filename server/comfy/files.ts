/**
 * ComfyUI names a file by {filename, subfolder, type}: type picks a root (input, output, temp), subfolder a folder
 * under it. Our outputs are paths relative to output/; PreviewImage writes under output/previews, which is what this
 * API calls the temp folder (so /view?type=temp serves previews, as ComfyUI's temp directory does).
 */
import path from 'node:path';
import type { OutputFile } from '../../nodes/node';
import type { LoomPaths } from '../config/paths';

export const FILE_TYPES = ['output', 'input', 'temp'] as const;
export type FileType = (typeof FILE_TYPES)[number];

/** output/previews: PreviewImage's folder (nodes/PreviewImage), ComfyUI's "temp". */
export const PREVIEW_FOLDER = 'previews';

export interface FileRef {
  filename: string;
  subfolder: string;
  type: FileType;
}

export function fileRoot(paths: Pick<LoomPaths, 'input' | 'output'>, type: FileType): string {
  if (type === 'input') return paths.input;
  if (type === 'temp') return path.join(paths.output, PREVIEW_FOLDER);
  return paths.output;
}

export const isFileType = (t: string): t is FileType => (FILE_TYPES as readonly string[]).includes(t);

/** An output file as ComfyUI's UI output names it: previews are temp files, the rest output files. */
export function fileRef(file: Pick<OutputFile, 'path' | 'kind'>): FileRef {
  const rel = file.path.split('/').filter(Boolean);
  const inPreviews = file.kind === 'preview' && rel.length > 1 && rel[0] === PREVIEW_FOLDER;
  const parts = inPreviews ? rel.slice(1) : rel;
  return { filename: parts[parts.length - 1] ?? '', subfolder: parts.slice(0, -1).join('/'), type: inPreviews ? 'temp' : 'output' };
}

/** A node's UI output (`executed.output`, history `outputs[node]`): images and latents; null when it wrote neither. */
export function uiOutput(files: readonly Pick<OutputFile, 'path' | 'kind'>[]): { images?: FileRef[]; latents?: FileRef[] } | null {
  const images = files.filter((f) => f.kind === 'image' || f.kind === 'preview').map(fileRef);
  const latents = files.filter((f) => f.kind === 'latent').map(fileRef);
  if (images.length === 0 && latents.length === 0) return null;
  return { ...(images.length > 0 ? { images } : {}), ...(latents.length > 0 ? { latents } : {}) };
}

/** Every output node's UI output, keyed by node id, in the order the files were written. */
export function uiOutputsByNode(files: readonly OutputFile[]): Record<string, { images?: FileRef[]; latents?: FileRef[] }> {
  const byNode = new Map<string, OutputFile[]>();
  for (const f of files) byNode.set(f.nodeId, [...(byNode.get(f.nodeId) ?? []), f]);
  const out: Record<string, { images?: FileRef[]; latents?: FileRef[] }> = {};
  for (const [node, list] of byNode) {
    const ui = uiOutput(list);
    if (ui) out[node] = ui;
  }
  return out;
}
