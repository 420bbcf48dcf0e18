import type { JobSummary } from './engineApi';
import { outputUrl } from '@/app/stores/runStore';
import type { GalleryItem } from '@/app/stores/viewerStore';

const IMAGE_KINDS = new Set(['image', 'preview']);

/** Every image of the given jobs, in their order (history is newest first, so the gallery is too). */
export function galleryItems(jobs: readonly JobSummary[]): GalleryItem[] {
  const out: GalleryItem[] = [];
  for (const j of jobs) {
    if (j.status !== 'finished') continue;
    for (const f of j.files) {
      if (IMAGE_KINDS.has(f.kind))
        out.push({ url: outputUrl(f.path), path: f.path, jobId: j.id, nodeId: f.nodeId, title: j.title, prompt: j.prompt });
    }
  }
  return out;
}

/** A queue or history row's words: the prompt excerpt, else the workflow title, else the job id. */
export function jobLabel(j: Pick<JobSummary, 'prompt' | 'title' | 'id'>): string {
  return j.prompt ?? j.title ?? `job ${j.id.slice(0, 8)}`;
}
