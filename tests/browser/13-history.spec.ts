import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { SHOTS, txt2imgWorkflow, uploadWorkflow } from './helpers';
import { TestServer, enqueueOverHttp, makeDataDir, waitForStatus } from './server';

const root = path.resolve(import.meta.dirname, '../..');
const wf = (prefix: string, text: string, seed: number, steps = 1) => ({
  ...txt2imgWorkflow({ file: 'tiny-sd1.safetensors', text, seed, steps, prefix }),
  meta: { title: `${prefix}-workflow` },
});

test('gallery and history come from the server (browser, CLI, HTTP API, a job resumed after a restart), paginated, newest first, after reloads', async ({
  page,
}) => {
  test.setTimeout(420_000);
  const server = await TestServer.start(makeDataDir({ models: true }));
  try {
    // a job over the HTTP API
    const apiId = await enqueueOverHttp(server.url, wf('api', 'from the http api', 1));
    await waitForStatus(server.url, apiId, /^finished$/);

    // a job from the CLI, submitted to the running server
    const file = path.join(server.dataDir, 'cli.json');
    writeFileSync(file, JSON.stringify(wf('cli', 'from the command line', 2)));
    const cli = spawnSync(
      process.execPath,
      [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, 'server/cli/main.ts'), 'run', file, '--server', server.url],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(cli.status, cli.stderr).toBe(0);

    // a job that was running when the server died runs again after the restart
    const resumedId = await enqueueOverHttp(server.url, wf('resumed', 'resumed after a restart', 3, 120));
    await waitForStatus(server.url, resumedId, /^running$/);
    await server.stop('SIGKILL');
    await server.start();
    await waitForStatus(server.url, resumedId, /^finished$/, 240_000);

    // a job from the browser
    await page.goto(server.url);
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await uploadWorkflow(page, 'browser.json', wf('browser', 'from the browser', 4));
    await page.getByTestId('queue-button').click();
    await expect(page.getByTestId('output-image-save')).toBeVisible({ timeout: 120_000 });

    // enough further jobs for more than one page (20 jobs a page)
    const more: string[] = [];
    for (let i = 0; i < 18; i++) more.push(await enqueueOverHttp(server.url, wf(`bulk${String(i).padStart(2, '0')}`, `bulk job ${i}`, 100 + i)));
    await waitForStatus(server.url, more[more.length - 1] as string, /^finished$/, 180_000);

    // a fresh page (and later a reload) finds all of it
    await page.reload();
    await expect(page.getByTestId('gallery-item-0')).toBeVisible({ timeout: 30_000 });
    // newest first: the last bulk job's image leads, one image per job on the first page
    await expect(page.getByTestId('gallery-item-0')).toHaveAttribute('data-path', /bulk17/);
    await expect(page.getByTestId('gallery-item-1')).toHaveAttribute('data-path', /bulk16/);
    await expect(page.locator('[data-testid^="gallery-item-"]')).toHaveCount(20);
    await page.screenshot({ path: `${SHOTS}/gallery-from-server.png` });
    await page.getByTestId('gallery-more').click();
    await expect(page.locator('[data-testid^="gallery-item-"]')).toHaveCount(22);
    await expect(page.getByTestId('gallery-more')).toHaveCount(0);
    const paths = await page.locator('[data-testid^="gallery-item-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-path') ?? ''));
    expect(paths.slice(18).map((p) => p.split('/').pop()?.split('_')[0])).toEqual(['browser', 'resumed', 'cli', 'api']);

    // the history panel: the same jobs, labelled with their prompt and workflow name
    await page.reload();
    await page.getByTestId('tab-history').click();
    await expect(page.locator('[data-testid^="history-item-"][data-status]')).toHaveCount(20);
    await page.getByTestId('history-more').click();
    const rows = page.locator('[data-testid^="history-item-"][data-status]');
    await expect(rows).toHaveCount(22);
    await expect(page.getByTestId(`history-item-${resumedId}`)).toContainText('resumed after a restart');
    await expect(page.getByTestId(`history-item-${resumedId}`)).toContainText('resumed-workflow');
    await expect(page.getByTestId(`history-item-${apiId}-thumb`)).toBeVisible();
    const order = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-testid') ?? ''));
    expect(order.at(-1)).toBe(`history-item-${apiId}`);
    expect(order[0]).toBe(`history-item-${more.at(-1)}`);
    await page.screenshot({ path: `${SHOTS}/history-panel.png` });
    // any row opens the exact workflow its job ran
    await page.getByTestId(`history-item-${apiId}-open`).click();
    await expect(page.getByTestId('workflow-name')).toHaveValue('api-workflow');
    await expect(page.getByTestId('node-pos')).toBeVisible();
  } finally {
    await server.dispose();
  }
});
