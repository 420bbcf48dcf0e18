import { defaultParams } from '@/nodes/schemas';
import { useGraphStore } from '@/app/stores/graphStore';
import { useTemplateStore } from '@/app/stores/templateStore';
import { useToastStore } from '@/app/stores/toastStore';
import { errorMessage } from './engineApi';

/** The drag payload of a gallery image (dropped on a LoadImage). */
export const OUTPUT_DRAG_TYPE = 'application/x-latentloom-output';

/** The image types LoadImage reads (the server sniffs the bytes too). */
export const IMAGE_TYPES: Record<string, string> = { 'image/png': '.png', 'image/jpeg': '.jpg', 'image/webp': '.webp' };

/** Stores a file in the server's input/ folder (PUT /api/inputs/<name>) and answers the name it was saved under. */
export async function uploadInput(file: Blob, name: string): Promise<string> {
  const res = await fetch(`/api/inputs/${encodeURIComponent(name)}`, { method: 'PUT', body: file });
  const body = (await res.json().catch(() => ({}))) as { name?: string; error?: string };
  if (!res.ok || typeof body.name !== 'string') throw new Error(`upload of ${name} failed: ${body.error ?? `HTTP ${res.status}`}`);
  return body.name;
}

/** A file name for input/ that keeps the extension its type needs. */
export function inputNameFor(file: { name: string; type: string }): string | null {
  const ext = IMAGE_TYPES[file.type];
  if (!ext) return null;
  const base =
    file.name
      .replace(/\.[^.]*$/, '')
      .replace(/[^\w\- .()]+/g, '_')
      .slice(0, 100) || 'image';
  return /\.(png|jpe?g|webp)$/i.test(file.name) ? `${base}${file.name.slice(file.name.lastIndexOf('.')).toLowerCase()}` : `${base}${ext}`;
}

/** Where an image goes: the selected LoadImage, else the only one, else a new LoadImage placed at `at`. */
function targetLoadImage(at: { x: number; y: number }): string {
  const graph = useGraphStore.getState();
  const loaders = graph.nodes.filter((n) => n.data.type === 'LoadImage');
  const chosen = loaders.find((n) => n.selected) ?? (loaders.length === 1 ? loaders[0] : undefined);
  if (chosen) return chosen.id;
  const schema = useTemplateStore.getState().byId.LoadImage;
  return graph.addNode('LoadImage', schema ? defaultParams(schema) : {}, at);
}

/** "Use as input": copies an output image into input/ and points a LoadImage at it (`nodeId`, else one chosen or made). */
export async function copyOutputToInput(url: string, path: string, at: { x: number; y: number }, nodeId?: string): Promise<string | null> {
  const toast = useToastStore.getState().push;
  try {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const blob = await res.blob();
    const base = path.split('/').pop() ?? 'output.png';
    const name = await uploadInput(blob, `from-output/${base}`);
    const node = nodeId ?? targetLoadImage(at);
    useGraphStore.getState().setParam(node, 'image', name);
    toast(`${name} is now the input of ${node}`);
    return node;
  } catch (err) {
    toast(`Could not use ${path} as input: ${errorMessage(err)}`, 'error');
    return null;
  }
}
