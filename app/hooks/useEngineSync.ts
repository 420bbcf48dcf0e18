'use client';
import { useEffect } from 'react';
import { listNodeSchemas } from '@/app/lib/engineApi';
import { startEngineSync } from '@/app/lib/engineSync';
import { useTemplateStore } from '@/app/stores/templateStore';

/** Node templates (retried until the server answers), then queue, history, models and the live event stream. */
export function useEngineSync() {
  useEffect(() => {
    let schemaTimer: ReturnType<typeof setTimeout> | undefined;
    const loadSchemas = (delay: number) =>
      listNodeSchemas().then(
        (schemas) => useTemplateStore.getState().setSchemas(schemas),
        () => {
          schemaTimer = setTimeout(() => void loadSchemas(Math.min(delay * 2, 5000)), delay);
        },
      );
    void loadSchemas(250);
    const stop = startEngineSync();
    return () => {
      clearTimeout(schemaTimer);
      stop();
    };
  }, []);
}
