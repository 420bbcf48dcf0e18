/** Reads text chunks (tEXt / uncompressed iTXt) from PNG bytes without any Node API, so the canvas can use it. */
import type { SchemaMap } from '../schemas';
import { loadAnyWorkflow } from './load';
import { parseWorkflow } from './migrate';
import type { Workflow } from './schema';

export const PNG_WORKFLOW_KEYWORD = 'latentloom.workflow';
const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

export function readPngTextChunks(bytes: Uint8Array): Record<string, string> {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) throw new Error('Not a PNG file.');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const latin1 = new TextDecoder('latin1');
  const utf8 = new TextDecoder('utf-8');
  const out: Record<string, string> = {};
  let pos = 8;
  while (pos + 12 <= bytes.length) {
    const len = view.getUint32(pos);
    const type = latin1.decode(bytes.subarray(pos + 4, pos + 8));
    const start = pos + 8;
    const end = start + len;
    if (end + 4 > bytes.length) break;
    const data = bytes.subarray(start, end);
    const nul = data.indexOf(0);
    if (type === 'tEXt' && nul > 0) {
      out[latin1.decode(data.subarray(0, nul))] = latin1.decode(data.subarray(nul + 1));
    } else if (type === 'iTXt' && nul > 0 && data[nul + 1] === 0) {
      // keyword\0 compressionFlag(0) compressionMethod\0? languageTag\0 translatedKeyword\0 text
      const lang = data.indexOf(0, nul + 3);
      const translated = lang < 0 ? -1 : data.indexOf(0, lang + 1);
      if (translated >= 0) out[latin1.decode(data.subarray(0, nul))] = utf8.decode(data.subarray(translated + 1));
    }
    if (type === 'IEND') break;
    pos = end + 4;
  }
  return out;
}

/** The workflow a SaveImage PNG carries, or null when it carries none. */
export function readWorkflowFromPng(bytes: Uint8Array): Workflow | null {
  const text = readPngTextChunks(bytes)[PNG_WORKFLOW_KEYWORD];
  return text === undefined ? null : parseWorkflow(JSON.parse(text));
}

/**
 * Ours first, then ComfyUI's own chunks ("workflow" = UI format, "prompt" = API format), so dropping a
 * ComfyUI PNG on the canvas works too. Null when the PNG carries none of them.
 */
export function readAnyWorkflowFromPng(bytes: Uint8Array, schemas: SchemaMap): { workflow: Workflow; warnings: string[] } | null {
  const chunks = readPngTextChunks(bytes);
  for (const key of [PNG_WORKFLOW_KEYWORD, 'workflow', 'prompt']) {
    if (chunks[key] !== undefined) return loadAnyWorkflow(JSON.parse(chunks[key]), schemas);
  }
  return null;
}
