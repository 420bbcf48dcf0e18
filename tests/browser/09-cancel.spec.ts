import { expect, test } from '@playwright/test';
import { SHOTS, node, openFresh, txt2imgWorkflow, uploadWorkflow } from './helpers';

const workflow = (steps: number) => txt2imgWorkflow({ file: 'tiny-sd1.safetensors', text: 'a lighthouse', seed: 5, steps, prefix: 'cancel' });

test('a running job shows latent previews and stops on Cancel; the next job runs', async ({ page }) => {
  await openFresh(page);
  const upload = (steps: number) => uploadWorkflow(page, `cancel-${steps}.json`, workflow(steps));
  await upload(5000);
  await expect(page.getByTestId('node-sampler')).toBeVisible();
  await page.getByTestId('queue-button').click();

  // sampling is under way: step counter and a latent preview on the sampler node
  await expect(page.getByTestId('run-progress-text')).toContainText(/step \d+\/5000/, { timeout: 60_000 });
  await expect(page.getByTestId('preview-image-sampler')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('queue-panel')).toContainText('running');
  await page.screenshot({ path: `${SHOTS}/cancel-running.png` });

  await page.getByTestId('cancel-job').click();
  // the header says so, and the stale latent preview of the cancelled job goes away
  await expect(page.getByTestId('run-progress-text')).toHaveText('Cancelled', { timeout: 30_000 });
  await expect(page.getByTestId('preview-image-sampler')).toHaveCount(0);
  await expect(page.getByTestId('cancel-job')).toBeDisabled();
  await expect(page.getByTestId('queue-panel')).toContainText('nothing queued');
  await expect(page.getByTestId('output-image-save')).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/cancel-stopped.png` });

  // the engine is still healthy: a short job on the same graph completes
  await upload(2);
  await page.getByTestId('queue-button').click();
  await expect(page.getByTestId('output-image-save')).toBeVisible({ timeout: 120_000 });
  await expect(node(page, 'save')).toHaveAttribute('data-state', 'done');
});
