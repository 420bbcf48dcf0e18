import { expect, test } from '@playwright/test';
import { SHOTS, openFresh } from './helpers';

test('a missing model file is reported on the right node and input', async ({ page }) => {
  await openFresh(page);
  const workflow = {
    format: 'latentloom.workflow',
    version: 1,
    nodes: {
      ckpt: { type: 'LoadCheckpoint', version: 1, params: { file: 'does-not-exist.safetensors' }, ui: { x: 0, y: 100 } },
      pos: { type: 'TextEncode', version: 1, params: { text: 'a cat' }, inputs: { clip: { node: 'ckpt', output: 'clip' } }, ui: { x: 340, y: 0 } },
      neg: { type: 'TextEncode', version: 1, params: { text: '' }, inputs: { clip: { node: 'ckpt', output: 'clip' } }, ui: { x: 340, y: 250 } },
      latent: { type: 'EmptyLatent', version: 1, params: { width: 64, height: 64, batch_size: 1 }, ui: { x: 340, y: 480 } },
      sampler: {
        type: 'KSampler', version: 1, params: { seed: 1, steps: 2 },
        inputs: {
          model: { node: 'ckpt', output: 'model' }, positive: { node: 'pos', output: 'conditioning' },
          negative: { node: 'neg', output: 'conditioning' }, latent_image: { node: 'latent', output: 'latent' },
        },
        ui: { x: 700, y: 100 },
      },
      decode: { type: 'VAEDecode', version: 1, inputs: { samples: { node: 'sampler', output: 'latent' }, vae: { node: 'ckpt', output: 'vae' } }, ui: { x: 1040, y: 100 } },
      save: { type: 'SaveImage', version: 1, params: { filename_prefix: 'broken' }, inputs: { images: { node: 'decode', output: 'image' } }, ui: { x: 1300, y: 100 } },
    },
  };
  await page.getByTestId('upload-input').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(workflow)) });
  await expect(page.getByTestId('node-ckpt')).toBeVisible();
  await page.getByTestId('queue-button').click();

  await expect(page.getByTestId('node-error-ckpt')).toContainText(/does-not-exist|not found/i);
  await expect(page.getByTestId('param-row-ckpt-file')).toHaveAttribute('data-error', 'true');
  await expect(page.getByTestId('node-sampler')).not.toHaveAttribute('data-state', 'error');
  await page.screenshot({ path: `${SHOTS}/broken-workflow.png` });
});
