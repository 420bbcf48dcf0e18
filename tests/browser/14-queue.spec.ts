import { expect, test } from '@playwright/test';
import { SHOTS, openFresh, txt2imgWorkflow, uploadWorkflow } from './helpers';

test('several queued jobs: each one’s images reach the gallery; the header and Cancel follow the running job; the queue lists and cancels any one', async ({
  page,
}) => {
  test.setTimeout(300_000);
  await openFresh(page);
  const jobIds: string[] = [];
  page.on('response', async (res) => {
    if (!res.url().includes('jobs.enqueue')) return;
    const body = (await res.json().catch(() => null)) as { result?: { data?: { id?: string } } }[] | null;
    const id = body?.[0]?.result?.data?.id;
    if (id) jobIds.push(id);
  });
  const queue = async (text: string, steps: string) => {
    const n = jobIds.length;
    await page.getByTestId('param-pos-text').fill(text);
    await page.getByTestId('param-sampler-steps').fill(steps);
    await page.getByTestId('queue-button').click();
    await expect.poll(() => jobIds.length).toBe(n + 1);
  };

  // four jobs back to back: a short one, a long one (cancelled while it runs), a short one, one cancelled while it waits
  await uploadWorkflow(page, 'q.json', txt2imgWorkflow({ file: 'tiny-sd1.safetensors', text: 'x', seed: 11, steps: 2, prefix: 'q' }));
  await queue('A short one', '2');
  await queue('B long one', '3000');
  await queue('C short one', '2');
  await queue('D waits and is cancelled', '2');
  const [a, b, c, d] = jobIds as [string, string, string, string];

  // execution order, each with its prompt and workflow name; the header follows the running job (B)
  await expect(page.getByTestId('run-progress')).toHaveAttribute('data-job', b, { timeout: 60_000 });
  await expect(page.getByTestId('run-progress-text')).toContainText(/step \d+\/3000/, { timeout: 60_000 });
  await expect(page.getByTestId(`queue-item-${a}`)).toHaveAttribute('data-status', 'finished');
  await expect(page.getByTestId(`queue-item-${a}-thumb`)).toBeVisible();
  await expect(page.getByTestId(`queue-item-${b}`)).toHaveAttribute('data-status', 'running');
  await expect(page.getByTestId(`queue-item-${c}`)).toHaveAttribute('data-status', 'queued');
  const order = () =>
    page
      .getByTestId('queue-panel')
      .locator('li[data-testid^="queue-item-"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
  await expect.poll(order).toEqual([a, b, c, d].map((id) => `queue-item-${id}`));
  await expect(page.getByTestId(`queue-item-${b}-label`)).toHaveText('B long one');
  await expect(page.getByTestId(`queue-item-${d}-label`)).toHaveText('D waits and is cancelled');
  await expect(page.getByTestId(`queue-item-${b}-workflow`)).toHaveText('q');
  await expect(page.getByTestId('queued-count')).toHaveText('+2');
  await page.screenshot({ path: `${SHOTS}/queue-four-jobs.png` });

  // any one can be cancelled: D while it waits, then B while it runs
  await page.getByTestId(`queue-item-${d}-cancel`).click();
  await expect(page.getByTestId(`queue-item-${d}`)).toHaveAttribute('data-status', 'cancelled');
  await page.getByTestId(`queue-item-${b}-cancel`).click();
  await expect(page.getByTestId(`queue-item-${b}`)).toHaveAttribute('data-status', 'cancelled', { timeout: 30_000 });

  // C runs next and finishes: its image reaches the canvas and the gallery, newest first
  await expect(page.getByTestId(`queue-item-${c}`)).toHaveAttribute('data-status', 'finished', { timeout: 60_000 });
  await expect(page.getByTestId(`queue-item-${c}-thumb`)).toBeVisible();
  const srcA = await page.getByTestId(`queue-item-${a}-thumb`).getAttribute('src');
  const srcC = await page.getByTestId(`queue-item-${c}-thumb`).getAttribute('src');
  await expect(page.getByTestId('gallery-item-0').locator('img')).toHaveAttribute('src', srcC ?? 'missing');
  await expect(page.getByTestId('gallery-item-1').locator('img')).toHaveAttribute('src', srcA ?? 'missing');
  await expect(page.getByTestId('output-image-save')).toHaveAttribute('src', srcC ?? 'missing');
  await expect(page.getByTestId('run-progress-text')).toHaveText('idle');
  await expect(page.getByTestId('cancel-job')).toBeDisabled();
  await page.screenshot({ path: `${SHOTS}/queue-done.png` });
});

test('Cancel in the header stops the running job, whichever queued it', async ({ page }) => {
  await openFresh(page);
  await uploadWorkflow(page, 'long.json', txt2imgWorkflow({ file: 'tiny-sd1.safetensors', text: 'long', seed: 2, steps: 3000, prefix: 'long' }));
  await page.getByTestId('queue-button').click();
  await expect(page.getByTestId('run-progress-text')).toContainText(/step \d+\/3000/, { timeout: 60_000 });
  // another tab's canvas sees the same running job and can stop it
  const other = await page.context().newPage();
  await other.goto('/');
  await expect(other.getByTestId('run-progress-text')).toContainText(/step \d+\/3000|starting/, { timeout: 30_000 });
  await other.getByTestId('cancel-job').click();
  await expect(page.getByTestId('run-progress-text')).toHaveText('Cancelled', { timeout: 30_000 });
  await other.close();
});
