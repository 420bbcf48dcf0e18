/** Finding and reading embedding files as ComfyUI's load_embed does; widths that do not fit are errors. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSafetensors } from '../../../server/runtime/io/safetensors-write';
import { embeddingFolders, EmbeddingError, findEmbeddingFile, loadEmbedding } from '../../../server/runtime/text/embeddings';
import { embeddingFingerprint } from '../../../nodes/_io/embeddings';
import { resolvePaths } from '../../../server/config/paths';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-emb-'));
const dir = path.join(root, 'models', 'embeddings');
fs.mkdirSync(path.join(dir, 'sub', 'deeper'), { recursive: true });
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const vec = (rows: number, width: number, base: number) => Float32Array.from({ length: rows * width }, (_, i) => base + i);
async function write(file: string, tensors: Record<string, Float32Array | [Float32Array, number[]]>) {
  await writeSafetensors(
    file,
    Object.entries(tensors).map(([name, t]) => {
      const [data, shape] = Array.isArray(t) ? t : [t, [t.length]];
      return { name, dtype: 'F32' as const, shape, data: async () => new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
    }),
  );
}

describe('embedding files', () => {
  it('finds name, name + extension, in sub-folders; never outside the folder', async () => {
    await write(path.join(dir, 'sub', 'deeper', 'deep.safetensors'), { emb_params: [vec(2, 4, 0), [2, 4]] });
    fs.writeFileSync(path.join(root, 'models', 'outside.safetensors'), 'x');
    const folders = embeddingFolders([dir]);
    expect(folders).toEqual([dir, path.join(dir, 'sub'), path.join(dir, 'sub', 'deeper')]);
    expect(findEmbeddingFile('deep', folders)).toBe(path.join(dir, 'sub', 'deeper', 'deep.safetensors'));
    expect(findEmbeddingFile('sub/deeper/deep', folders)).toBe(path.join(dir, 'sub', 'deeper', 'deep.safetensors'));
    expect(findEmbeddingFile('../outside', folders)).toBeNull();
    expect(findEmbeddingFile('nope', folders)).toBeNull();
  });

  it("picks the tower's key from a two-tower file, bundled vectors from a LoRA, else the first tensor", async () => {
    await write(path.join(dir, 'xl.safetensors'), { clip_g: [vec(2, 8, 100), [2, 8]], clip_l: [vec(2, 4, 10), [2, 4]] });
    await write(path.join(dir, 'bundle.safetensors'), {
      'lora_unet_x.alpha': Float32Array.of(1),
      'bundle_emb.a.string_to_param.*': [vec(1, 4, 50), [1, 4]],
      'bundle_emb.b.string_to_param.*': [vec(2, 4, 60), [2, 4]],
    });
    const folders = embeddingFolders([dir]);
    const l = await loadEmbedding('xl', folders, 4, 'clip_l');
    expect([l?.count, l?.rows[0]]).toEqual([2, 10]);
    const g = await loadEmbedding('xl', folders, 8, 'clip_g');
    expect([g?.count, g?.rows[0]]).toEqual([2, 100]);
    const b = await loadEmbedding('bundle', folders, 4, 'clip_l');
    expect([b?.count, b?.rows[0], b?.rows[4]]).toEqual([3, 50, 60]);
    expect(await loadEmbedding('missing', folders, 4, 'clip_l')).toBeNull();
  });

  it('an embedding of another width or an unreadable file is an error naming it', async () => {
    await write(path.join(dir, 'wide.safetensors'), { emb_params: [vec(2, 1024, 0), [2, 1024]] });
    fs.writeFileSync(path.join(dir, 'broken.pt'), 'not a zip at all');
    const folders = embeddingFolders([dir]);
    await expect(loadEmbedding('wide', folders, 768, 'clip_l')).rejects.toThrow(
      'embedding:wide (wide.safetensors) has vectors of width 1024; this text encoder (clip_l) takes 768: an embedding for another model family?',
    );
    await expect(loadEmbedding('broken', folders, 768, 'clip_l')).rejects.toThrow(EmbeddingError);
    await expect(loadEmbedding('broken', folders, 768, 'clip_l')).rejects.toThrow(/embedding:broken: .*not an embedding file/);
  });

  it('the node fingerprint follows the file a name resolves to', async () => {
    const paths = resolvePaths({ root });
    const before = await embeddingFingerprint(['a photo of embedding:deep, cat', 'plain'], paths);
    expect(before).toMatch(/^deep:.*deep\.safetensors:\d+:/);
    expect(await embeddingFingerprint(['no embeddings here'], paths)).toBe('');
    await write(path.join(dir, 'sub', 'deeper', 'deep.safetensors'), { emb_params: [vec(3, 4, 0), [3, 4]] });
    expect(await embeddingFingerprint(['a photo of embedding:deep, cat'], paths)).not.toBe(before);
  });
});
