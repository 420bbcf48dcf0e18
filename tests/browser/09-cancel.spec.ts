import { expect, test } from '@playwright/test';
import { SHOTS, node, openFresh } from './helpers';

function workflow(steps: number) {
  return {
    format: 'latentloom.workflow',
    version: 1,
    nodes: {
      ckpt: { type: 'LoadCheckpoint', version: 1, params: { file: 'tiny-sd1.safetensors' }, ui: { x: 0, y: 100 } },
      pos: { type: 'TextEncode', version: 1, params: { text: 'a lighthouse' }, inputs: { clip: { node: 'ckpt', output: 'clip' } }, ui: { x: 340, y: 0 } },
      neg: { type: 'TextEncode', version: 1, params: { text: '' }, inputs: { clip: { node: 'ckpt', output: 'clip' } }, ui: { x: 340, y: 250 } },
      latent: { type: 'EmptyLatent', version: 1, params: { width: 64, height: 64, batch_size: 1 }, ui: { x: 340, y: 480 } },
      sampler: {
        type: 'KSampler', version: 1, params: { seed: 5, steps },
        inputs: {
          model: { node: 'ckpt', output: 'model' }, positive: { node: 'pos', output: 'conditioning' },
          negative: { node: 'neg', output: 'conditioning' }, latent_image: { node: 'latent', output: 'latent' },
        },
        ui: { x: 700, y: 100 },
      },
      decode: { type: 'VAEDecode', version: 1, inputs: { samples: { node: 'sampler', output: 'latent' }, vae: { node: 'ckpt', output: 'vae' } }, ui: { x: 1040, y: 100 } },
      save: { type: 'SaveImage', version: 1, params: { filename_prefix: 'cancel' }, inputs: { images: { node: 'decode', output: 'image' } }, ui: { x: 1300, y: 100 } },
    },
  };
}

test('a running job shows latent previews and stops on Cancel; the next job runs', async ({ page }) => {
  await openFresh(page);
  const upload = (steps: number) => page.getByTestId('upload-input').setInputFiles({
    name: `cancel-${steps}.json`, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(workflow(steps))),
  });
  await upload(5000);
  await expect(page.getByTestId('node-sampler')).toBeVisible();
  await page.getByTestId('queue-button').click();

  // sampling is under way: step counter and a latent preview on the sampler node
  await expect(page.getByTestId('run-progress-text')).toContainText(/step \d+\/5000/, { timeout: 60_000 });
  await expect(page.getByTestId('preview-image-sampler')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('queue-panel')).toContainText('running');
  await page.screenshot({ path: `${SHOTS}/cancel-running.png` });

  await page.getByTestId('cancel-job').click();
  await expect(page.getByTestId('run-progress-text')).toHaveText('idle', { timeout: 30_000 });
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
