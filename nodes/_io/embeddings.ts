/** The embeddings folders text encoders read `embedding:name` from, and a fingerprint of the files a prompt names. */
import fs from 'node:fs';
import type { LoomPaths } from '../../server/config/paths';
import { modelDirectories } from '../../server/config/model-folders';
import { embeddingFolders, findEmbeddingFile } from '../../server/runtime/text/embeddings';
import { embeddingNames } from '../../server/runtime/text/prompt';

export function embeddingDirs(paths: LoomPaths): string[] {
  return modelDirectories(paths, 'embeddings');
}

/** Which file each `embedding:` name of the texts resolves to, with size and mtime: replacing one re-runs the node. */
export async function embeddingFingerprint(texts: readonly string[], paths: LoomPaths): Promise<string> {
  const names = [...new Set(texts.flatMap((t) => embeddingNames(t)))].sort();
  if (names.length === 0) return '';
  const folders = embeddingFolders(embeddingDirs(paths));
  return names
    .map((n) => {
      const file = findEmbeddingFile(n, folders);
      if (!file) return `${n}:-`;
      const st = fs.statSync(file);
      return `${n}:${file}:${st.size}:${st.mtimeMs}:${st.ino}`;
    })
    .join('|');
}
