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
    // the editor waits for the registry; retry until the server answers
    let schemaTimer: ReturnType<typeof setTimeout> | undefined;
    const loadSchemas = (delay: number) =>
      listNodeSchemas().then(
        (schemas) => useTemplateStore.getState().setSchemas(schemas),
        () => {
          schemaTimer = setTimeout(() => void loadSchemas(Math.min(delay * 2, 5000)), delay);
        },
      );
    void loadSchemas(250);
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
      clearTimeout(schemaTimer);
      sub.unsubscribe();
      clearInterval(poll);
      window.removeEventListener('focus', refreshModels);
    };
  }, []);
}
