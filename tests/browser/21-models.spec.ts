import crypto from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { SHOTS } from './helpers';
import { TestServer, goldenDir, makeDataDir, place, requireTinyModel } from './server';

test('model library: every folder with its full path, family, size, a hash made in the background, the workflows using each file; refresh without reloading; missing folders are created', async ({
  page,
}) => {
  const server = await TestServer.start(makeDataDir({ models: true }));
  try {
    const dir = server.dataDir;
    // a saved workflow that uses the checkpoint
    writeFileSync(
      path.join(dir, 'workflows/uses-tiny.json'),
      JSON.stringify({
        format: 'latentloom.workflow',
        version: 2,
        nodes: { c: { type: 'CheckpointLoaderSimple', version: 1, params: { ckpt_name: 'tiny-sd1.safetensors' }, inputs: {} } },
      }),
    );
    expect(existsSync(path.join(dir, 'models/loras'))).toBe(false);
    await page.goto(server.url);
    await page.getByTestId('models-button').click();
    const panel = page.getByTestId('model-library');
    await expect(panel).toBeVisible();

    // folders that did not exist are made, and the panel says where they are
    await expect(page.getByTestId('models-created')).toContainText(path.join(dir, 'models/loras'));
    expect(existsSync(path.join(dir, 'models/loras'))).toBe(true);
    await expect(page.getByTestId('models-path-checkpoints')).toContainText(path.join(dir, 'models/checkpoints'));
    await expect(page.getByTestId('models-folder-vae')).toContainText(`empty: put`);

    const row = page.getByTestId('model-row-checkpoints-tiny-sd1.safetensors');
    await expect(row.getByTestId('model-family')).toHaveText('sd1');
    const mb = statSync(requireTinyModel()).size / 1024 / 1024;
    await expect(row.getByTestId('model-size')).toHaveText(`${mb.toFixed(1)} MB`);
    await expect(row.getByTestId('model-users')).toHaveText('uses-tiny');
    const sha = crypto.createHash('sha256').update(readFileSync(requireTinyModel())).digest('hex');
    await expect(row.getByTestId('model-sha')).toHaveText(sha, { timeout: 30_000 });
    await page.screenshot({ path: `${SHOTS}/model-library.png` });

    // a file added now shows up on Refresh, without reloading the page
    copyFileSync(path.join(goldenDir, 'lora/tiny-sd1-lora.safetensors'), path.join(dir, 'models/loras/added-later.safetensors'));
    await page.getByTestId('models-refresh').click();
    await expect(page.getByTestId('model-row-loras-added-later.safetensors')).toBeVisible();
    await expect(page.getByTestId('model-row-loras-added-later.safetensors').getByTestId('model-users')).toHaveText('no saved workflow');

    await page.keyboard.press('Escape');
    await expect(panel).toHaveCount(0);
  } finally {
    await server.dispose();
  }
});

test('first start with no models: an empty state says where to put a checkpoint (full path) and what the examples need', async ({ page }) => {
  const server = await TestServer.start(makeDataDir({ models: false }));
  try {
    await page.goto(server.url);
    const empty = page.getByTestId('empty-state');
    await expect(empty).toBeVisible();
    await expect(page.getByTestId('empty-state-path')).toHaveText(path.join(server.dataDir, 'models/checkpoints'));
    const needs = page.getByTestId('empty-state-examples');
    await expect(needs).toContainText('SDXL text to image: an SDXL checkpoint');
    await expect(needs).toContainText('Text to image: a Stable Diffusion 1.x checkpoint');
    await expect(needs).toContainText(`LoRA: a Stable Diffusion 1.x checkpoint and a file in ${path.join(server.dataDir, 'models/loras')}`);
    await page.screenshot({ path: `${SHOTS}/empty-state.png` });

    // a checkpoint put where it says, then Refresh: the editor is ready
    place(requireTinyModel(), path.join(server.dataDir, 'models/checkpoints/first.safetensors'));
    await page.getByTestId('empty-state-refresh').click();
    await expect(empty).toHaveCount(0);
  } finally {
    await server.dispose();
  }
});
