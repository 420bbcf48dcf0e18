import { errorMessage, getJob } from './engineApi';
import { openDocument } from './editorActions';
import { useToastStore } from '@/app/stores/toastStore';

/** Opens the exact workflow a job ran (overrides applied) as a new, unsaved document. */
export async function openJobWorkflow(jobId: string): Promise<boolean> {
  try {
    const job = await getJob(jobId);
    const title = job.workflow.meta?.title;
    return openDocument(job.workflow, {
      label: `the workflow of job ${jobId.slice(0, 8)}`,
      name: typeof title === 'string' && title ? title : `job ${jobId.slice(0, 8)}`,
    });
  } catch (err) {
    useToastStore.getState().push(`Could not load the workflow: ${errorMessage(err)}`, 'error');
    return false;
  }
}
