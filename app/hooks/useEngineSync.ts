'use client';
import { useEffect } from 'react';
import { errorMessage, listJobs, listModels, listNodeSchemas, subscribeJobEvents } from '@/app/lib/engineApi';
import { useRunStore } from '@/app/stores/runStore';
import { useTemplateStore } from '@/app/stores/templateStore';
import { useToastStore } from '@/app/stores/toastStore';

const JOBS_POLL_MS = 2000;

/** Node templates, model lists and the live event stream from the engine. */
export function useEngineSync() {
  useEffect(() => {
    listNodeSchemas().then(
      (schemas) => schemas.length > 0 && useTemplateStore.getState().setSchemas(schemas),
      () => undefined, // the bundled schemas stay in use when the engine is not up
    );
    const refreshModels = () => listModels().then(useTemplateStore.getState().setModels, () => undefined);
    void refreshModels();
    window.addEventListener('focus', refreshModels);

    const run = useRunStore.getState();
    const refreshJobs = () =>
      listJobs().then(
        (jobs) => {
          useRunStore.getState().setJobs(jobs);
          useRunStore.getState().setConnected(true);
        },
        (err) => console.debug('jobs.list', errorMessage(err)),
      );
    const sub = subscribeJobEvents(
      (e) => {
        const store = useRunStore.getState();
        if (e.type === 'job.failed' && e.error && e.jobId === store.activeJobId) {
          useToastStore.getState().push(`Job failed: ${e.error.message}`, 'error');
        }
        store.setConnected(true);
        store.applyEvent(e);
        if (e.type.startsWith('job.')) void refreshJobs();
      },
      (message) => {
        run.setConnected(false);
        console.warn('jobs.events:', message);
      },
    );
    const poll = setInterval(refreshJobs, JOBS_POLL_MS);
    return () => {
      sub.unsubscribe();
      clearInterval(poll);
      window.removeEventListener('focus', refreshModels);
    };
  }, []);
}
