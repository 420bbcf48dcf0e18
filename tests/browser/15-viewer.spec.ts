import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { SHOTS, autosavedWorkflow, openFresh, txt2imgWorkflow, uploadWorkflow } from './helpers';

test('the image viewer: fit and full size, arrows, Esc, download, what it was made with, load its workflow, use it as input', async ({ page }) => {
  test.setTimeout(240_000);
  await openFresh(page);
  // two images of known settings
  for (const [seed, text] of [
    [21, 'a viewer test, first image'],
    [22, 'a viewer test, second image'],
  ] as const) {
    await uploadWorkflow(
      page,
      `viewer-${seed}.json`,
      txt2imgWorkflow({ file: 'tiny-sd1.safetensors', text, seed, steps: 2, prefix: `viewer${seed}` }),
    );
    await page.getByTestId('queue-button').click();
    await expect(page.getByTestId('output-image-save')).toBeVisible({ timeout: 120_000 });
  }
  await expect(page.getByTestId('gallery-item-1')).toHaveAttribute('data-path', /viewer21/, { timeout: 30_000 });
  await expect(page.getByTestId('gallery-item-0')).toHaveAttribute('data-path', /viewer22/);

  const sampler = await page.getByTestId('param-sampler-sampler_name').inputValue();
  const scheduler = await page.getByTestId('param-sampler-scheduler').inputValue();
  await page.getByTestId('gallery-item-0').click();
  const viewer = page.getByTestId('image-viewer');
  await expect(viewer).toBeVisible();
  await expect(page.getByTestId('viewer-position')).toHaveText(/^1 \/ \d+$/);
  // what it was made with, from the job that made it
  await expect(page.getByTestId('viewer-prompt')).toHaveText('a viewer test, second image');
  await expect(page.getByTestId('viewer-seed')).toHaveText('22');
  await expect(page.getByTestId('viewer-sampler')).toHaveText(`${sampler} · ${scheduler}`);
  await expect(page.getByTestId('viewer-steps')).toHaveText('2');
  await expect(page.getByTestId('viewer-model')).toHaveText('tiny-sd1.safetensors');
  // fit fills the stage; full size is the image's own 64 px
  const img = page.getByTestId('viewer-image');
  await expect.poll(async () => (await img.boundingBox())?.width ?? 0).toBeGreaterThan(200);
  await page.screenshot({ path: `${SHOTS}/image-viewer.png` });
  await page.getByTestId('viewer-fit').click();
  await expect(page.getByTestId('viewer-stage')).toHaveAttribute('data-fit', 'false');
  await expect.poll(async () => Math.round((await img.boundingBox())?.width ?? 0)).toBe(64);
  await page.getByTestId('viewer-fit').click();

  // arrows walk the gallery
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('viewer-position')).toHaveText(/^2 \//);
  await expect(page.getByTestId('viewer-seed')).toHaveText('21');
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByTestId('viewer-seed')).toHaveText('22');

  // download gives the file itself
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('viewer-download').click()]);
  expect(download.suggestedFilename()).toMatch(/^viewer22.*\.png$/);

  // Esc closes
  await page.keyboard.press('Escape');
  await expect(viewer).toHaveCount(0);

  // load this workflow: the exact graph that made it
  await uploadWorkflow(
    page,
    'other.json',
    txt2imgWorkflow({ file: 'tiny-sd1.safetensors', text: 'something else', seed: 5, steps: 3, prefix: 'other' }),
  );
  await expect(page.getByTestId('param-pos-text')).toHaveValue('something else');
  await page.getByTestId('gallery-item-1').click();
  await page.getByTestId('viewer-load-workflow').click();
  await expect(viewer).toHaveCount(0);
  await expect(page.getByTestId('param-pos-text')).toHaveValue('a viewer test, first image');
  expect((await autosavedWorkflow(page)).nodes.sampler?.params.seed).toBe(21);

  // use as input: the image goes into input/ and a LoadImage (added, none being there) points at it
  await page.getByTestId('gallery-item-0').click();
  await page.getByTestId('viewer-use-as-input').click();
  await expect(viewer).toHaveCount(0);
  const loader = page.locator('[data-node-type="LoadImage"]');
  await expect(loader).toHaveCount(1);
  const id = (await loader.getAttribute('data-testid'))?.replace('node-', '') ?? '';
  await expect(page.getByTestId(`param-${id}-image`)).toHaveValue(/^from-output\/viewer22.*\.png$/);
  await expect(page.getByTestId(`input-preview-${id}`)).toBeVisible({ timeout: 15_000 });
  const name = await page.getByTestId(`param-${id}-image`).inputValue();
  const inputDir = path.join(process.env.LOOM_DATA_DIR ?? '', 'input');
  expect(existsSync(path.join(inputDir, name)), readdirSync(inputDir).join(', ')).toBe(true);
});
