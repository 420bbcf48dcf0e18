import { expect, test } from '@playwright/test';
import { SHOTS, txt2imgWorkflow, uploadWorkflow } from './helpers';
import { TestServer, makeDataDir } from './server';

test('the header turns red within 3 s when the server is gone, queueing says so, and everything resumes on reconnect, a running job included', async ({
  page,
}) => {
  test.setTimeout(300_000);
  const server = await TestServer.start(makeDataDir({ models: true }));
  try {
    await page.goto(server.url);
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'online');
    await expect(page.getByTestId('toolbar')).toHaveAttribute('data-connection', 'online');

    await uploadWorkflow(
      page,
      'survivor.json',
      txt2imgWorkflow({ file: 'tiny-sd1.safetensors', text: 'a job that survives a crash', seed: 8, steps: 150, prefix: 'survivor' }),
    );
    await page.getByTestId('queue-button').click();
    await expect(page.getByTestId('run-progress-text')).toContainText(/step \d+\/150/, { timeout: 60_000 });

    // the server dies
    const gone = Date.now();
    await server.stop('SIGKILL');
    await expect(page.getByTestId('toolbar')).toHaveAttribute('data-connection', 'offline', { timeout: 3000 });
    expect(Date.now() - gone).toBeLessThan(3000);
    await expect(page.getByTestId('connection-status')).toContainText('server unreachable');
    await page.screenshot({ path: `${SHOTS}/connection-lost.png` });

    // queueing now says why it cannot
    await page.getByTestId('queue-button').click();
    await expect(page.getByTestId('toast-error').filter({ hasText: 'server is not reachable' })).toBeVisible();

    // the server comes back: the header turns green, the job that was running runs again and its image arrives
    await server.start();
    await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'online', { timeout: 15_000 });
    await expect(page.getByTestId('toolbar')).toHaveAttribute('data-connection', 'online');
    await expect(page.getByTestId('run-progress-text')).toContainText(/step \d+\/150/, { timeout: 60_000 });
    await expect(page.getByTestId('output-image-save')).toBeVisible({ timeout: 180_000 });
    await expect(page.getByTestId('node-save')).toHaveAttribute('data-state', 'done');

    // and queueing works again
    await page.getByTestId('param-sampler-steps').fill('1');
    await page.getByTestId('queue-button').click();
    await expect(page.getByTestId('toast').filter({ hasText: 'Queued job' })).toBeVisible();
  } finally {
    await server.dispose();
  }
});
