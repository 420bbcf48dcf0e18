import { expect, test } from '@playwright/test';
import { SHOTS, addFromPalette, autosavedWorkflow, dragLink, edge, handle, node, openFresh } from './helpers';

test('builds text-to-image from an empty canvas, runs it, saves and reloads it', async ({ page }) => {
  await openFresh(page);
  await page.getByTestId('new-workflow').click();
  await expect(page.locator('.react-flow__node')).toHaveCount(0);
  // Zoom out so seven nodes fit the 1440x900 canvas side by side.
  for (let i = 0; i < 3; i++) await page.locator('.react-flow__controls-zoomout').click();

  await addFromPalette(page, 'CheckpointLoaderSimple', 250, 110);
  await addFromPalette(page, 'CLIPTextEncode', 450, 70);
  await addFromPalette(page, 'CLIPTextEncode', 450, 300);
  await addFromPalette(page, 'EmptyLatentImage', 450, 560);
  await addFromPalette(page, 'KSampler', 650, 90);
  await addFromPalette(page, 'VAEDecode', 860, 90);
  await addFromPalette(page, 'SaveImage', 860, 330);
  await expect(page.locator('.react-flow__node')).toHaveCount(7);

  const links: [string, string, string, string][] = [
    ['checkpointloadersimple', 'CLIP', 'cliptextencode', 'clip'],
    ['checkpointloadersimple', 'CLIP', 'cliptextencode_2', 'clip'],
    ['checkpointloadersimple', 'MODEL', 'ksampler', 'model'],
    ['cliptextencode', 'CONDITIONING', 'ksampler', 'positive'],
    ['cliptextencode_2', 'CONDITIONING', 'ksampler', 'negative'],
    ['emptylatentimage', 'LATENT', 'ksampler', 'latent_image'],
    ['ksampler', 'LATENT', 'vaedecode', 'samples'],
    ['checkpointloadersimple', 'VAE', 'vaedecode', 'vae'],
    ['vaedecode', 'IMAGE', 'saveimage', 'images'],
  ];
  for (const [from, output, to, input] of links) {
    await dragLink(page, handle(page, from, 'out', output), handle(page, to, 'in', input));
    await expect(edge(page, to, input)).toHaveCount(1);
  }

  await page.getByTestId('param-checkpointloadersimple-ckpt_name').click();
  await page.getByTestId('param-checkpointloadersimple-ckpt_name').fill('tiny');
  await page.getByTestId('model-options-checkpointloadersimple-ckpt_name').getByText('tiny-sd1.safetensors').click();
  await expect(page.getByTestId('param-checkpointloadersimple-ckpt_name')).toHaveValue('tiny-sd1.safetensors');
  await page.getByTestId('param-cliptextencode-text').fill('a (red fox:1.2) in the snow');
  await page.getByTestId('param-cliptextencode_2-text').fill('blurry');
  await page.getByTestId('param-emptylatentimage-width').fill('64');
  await page.getByTestId('param-emptylatentimage-height').fill('64');
  await page.getByTestId('param-ksampler-steps').fill('4');
  await page.screenshot({ path: `${SHOTS}/t2i-idle.png` });

  await page.keyboard.press('Control+Enter');
  await expect(node(page, 'ksampler')).toHaveAttribute('data-state', /queued|running|done|cached/);
  await expect(page.getByTestId('run-progress-text')).toContainText(/step \d+\/4|starting/, { timeout: 60_000 });
  await page.screenshot({ path: `${SHOTS}/t2i-running.png` });
  await expect(page.getByTestId('output-image-saveimage')).toBeVisible({ timeout: 150_000 });
  await expect(node(page, 'saveimage')).toHaveAttribute('data-state', 'done');
  await page.screenshot({ path: `${SHOTS}/t2i-output.png` });

  const before = await autosavedWorkflow(page);
  await page.getByTestId('workflow-name').fill('e2e-text-to-image');
  await page.getByTestId('save-workflow').click();
  // Other toasts (e.g. "Queued job …") may still be up, so look for this one among them.
  await expect(page.getByTestId('toast').filter({ hasText: 'Saved "e2e-text-to-image"' })).toBeVisible();

  await page.reload();
  await expect(page.locator('.react-flow__node')).toHaveCount(7);
  expect(await autosavedWorkflow(page)).toEqual(before);

  // The library copy gives the same graph too, after the canvas was cleared.
  await page.getByTestId('new-workflow').click();
  await expect(page.locator('.react-flow__node')).toHaveCount(0);
  await page.getByTestId('open-library').click();
  await page.getByTestId('library-item-e2e-text-to-image').click();
  await expect(page.locator('.react-flow__node')).toHaveCount(7);
  const loaded = await autosavedWorkflow(page);
  expect(Object.keys(loaded.nodes).sort()).toEqual(Object.keys(before.nodes).sort());
  for (const [id, n] of Object.entries(before.nodes)) {
    expect(loaded.nodes[id]?.type).toBe(n.type);
    expect(loaded.nodes[id]?.inputs).toEqual(n.inputs);
  }
});
