import { existsSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { expect, test, type Page } from '@playwright/test';
import { SHOTS, addFromPalette, autosavedWorkflow, openFresh, txt2imgWorkflow, uploadWorkflow } from './helpers';
import { TestServer, goldenDir, makeDataDir, place } from './server';

/** Drops a file on an element the way a drag from the desktop does. */
async function dropOn(page: Page, testId: string, name: string, mime: string, bytes: Buffer) {
  const dt = await page.evaluateHandle(
    ({ name, mime, b64 }) => {
      const bin = atob(b64);
      const arr = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) arr[i] = bin.charCodeAt(i);
      const t = new DataTransfer();
      t.items.add(new File([arr], name, { type: mime }));
      return t;
    },
    { name, mime, b64: bytes.toString('base64') },
  );
  await page.getByTestId(testId).dispatchEvent('dragover', { dataTransfer: dt });
  await page.getByTestId(testId).dispatchEvent('drop', { dataTransfer: dt });
}

const image = (w: number, h: number) => sharp({ create: { width: w, height: h, channels: 3, background: { r: 200, g: 90, b: 40 } } });

test('LoadImage previews its image and takes a dropped PNG, JPEG or WebP, or an image from the gallery', async ({ page }) => {
  test.setTimeout(180_000);
  await openFresh(page);
  await page.getByTestId('new-workflow').click();
  await addFromPalette(page, 'LoadImage', 500, 300);
  const input = path.join(process.env.LOOM_DATA_DIR ?? '', 'input');

  for (const [name, mime, bytes, size] of [
    ['dropped.png', 'image/png', await image(40, 30).png().toBuffer(), '40x30'],
    ['dropped.jpg', 'image/jpeg', await image(48, 32).jpeg().toBuffer(), '48x32'],
    ['dropped.webp', 'image/webp', await image(24, 36).webp().toBuffer(), '24x36'],
  ] as const) {
    await dropOn(page, 'image-drop-loadimage-image', name, mime, bytes);
    await expect(page.getByTestId('param-loadimage-image')).toHaveValue(name);
    await expect(page.getByTestId('input-preview-loadimage')).toHaveAttribute('data-size', size);
    expect(existsSync(path.join(input, name))).toBe(true);
  }
  await page.screenshot({ path: `${SHOTS}/loadimage-preview.png` });
  // a dropped PNG on the node is an input, not a workflow to open
  await expect(page.locator('[data-node-type="LoadImage"]')).toHaveCount(1);
  // not an image: refused with the reason
  await dropOn(page, 'image-drop-loadimage-image', 'notes.txt', 'text/plain', Buffer.from('hello'));
  await expect(page.getByTestId('toast-error').filter({ hasText: 'takes PNG, JPEG or WebP' })).toBeVisible();
  await expect(page.getByTestId('param-loadimage-image')).toHaveValue('dropped.webp');
  // a name that is not in input/ says so where the preview would be
  await page.getByTestId('param-loadimage-image').fill('nowhere.png');
  await expect(page.getByTestId('input-preview-missing-loadimage')).toContainText('no file "nowhere.png" in input/');

  // from the gallery: an output of a run becomes the input
  const wf = txt2imgWorkflow({ file: 'tiny-sd1.safetensors', text: 'a gallery source', seed: 31, steps: 1, prefix: 'gallerysource' });
  await uploadWorkflow(page, 'source.json', {
    ...wf,
    nodes: { ...wf.nodes, img: { type: 'LoadImage', version: 1, params: { image: 'dropped.png' }, ui: { x: 1300, y: 500 } } },
  });
  // the canvas had unsaved changes: opening the file asks first
  await page.getByTestId('dialog-discard').click();
  await page.getByTestId('queue-button').click();
  await expect(page.getByTestId('output-image-save')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('gallery-item-0')).toHaveAttribute('data-path', /gallerysource/, { timeout: 30_000 });
  await page.getByTestId('gallery-pick-img-image').click();
  await page.getByTestId('gallery-picker-img-item-0').click();
  await expect(page.getByTestId('param-img-image')).toHaveValue(/^from-output\/gallerysource.*\.png$/);
  await expect(page.getByTestId('input-preview-img')).toHaveAttribute('data-size', '64x64');
  expect((await autosavedWorkflow(page)).nodes.img?.params.image).toMatch(/^from-output\/gallerysource/);
});

test('examples run on the installed checkpoint of their family, ship their input image, and the LoRA example says it needs a LoRA', async ({
  page,
}) => {
  test.setTimeout(240_000);
  // checkpoints under names no example mentions: one SD1, one SDXL
  const dir = makeDataDir({ models: false });
  place(path.join(goldenDir, 'tiny-sd1/model.safetensors'), path.join(dir, 'models/checkpoints/my-sd1.safetensors'));
  place(path.join(goldenDir, 'tiny-sdxl/model.safetensors'), path.join(dir, 'models/checkpoints/my-xl.safetensors'));
  place(path.join(goldenDir, 'clip/bpe_simple_vocab_16e6.txt.gz'), path.join(dir, 'models/clip/bpe_simple_vocab_16e6.txt.gz'));
  const server = await TestServer.start(dir);
  try {
    await page.goto(server.url);
    await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'online');

    // (read from the autosave: at a fitted zoom the widgets may show as summaries)
    const param = async (nodeId: string, name: string) => (await autosavedWorkflow(page)).nodes[nodeId]?.params[name];
    await page.getByTestId('example-sdxl-text-to-image').click();
    await expect(page.getByTestId('workflow-name')).toHaveValue('SDXL text to image');
    await expect.poll(() => param('ckpt', 'ckpt_name')).toBe('my-xl.safetensors');

    await page.getByTestId('example-img2img').click();
    await expect(page.getByTestId('workflow-name')).toHaveValue('Image to image');
    await expect.poll(() => param('ckpt', 'ckpt_name')).toBe('my-sd1.safetensors');
    await expect(page.getByTestId('input-preview-image')).toHaveAttribute('data-size', '256x256', { timeout: 15_000 });
    expect(existsSync(path.join(dir, 'input/example.png'))).toBe(true);
    // and it runs (two steps keep it short)
    await page.getByTestId('param-sampler-steps').fill('2');
    await page.getByTestId('queue-button').click();
    await expect(page.getByTestId('output-image-save')).toBeVisible({ timeout: 120_000 });
    await page.screenshot({ path: `${SHOTS}/example-img2img.png` });

    // the LoRA example without a LoRA says so, with the folder, and carries a note
    await page.getByTestId('example-lora').click();
    // the steps edit above is unsaved: discard it
    await page.getByTestId('dialog-discard').click();
    await expect(
      page.getByTestId('toast-error').filter({ hasText: `LoRA needs a LoRA file: put it in ${path.join(dir, 'models/loras')}` }),
    ).toBeVisible();
    await expect(page.getByTestId('note-markdown-needs_lora')).toContainText('This example needs a LoRA.');
    // with one installed, it picks it
    place(path.join(goldenDir, 'lora/tiny-sd1-lora.safetensors'), path.join(dir, 'models/loras/mine.safetensors'));
    await page.getByTestId('models-button').click();
    await page.getByTestId('models-refresh').click();
    await expect(page.getByTestId('model-row-loras-mine.safetensors')).toBeVisible();
    await page.keyboard.press('Escape');
    await page.getByTestId('example-lora').click();
    await expect.poll(() => param('lora', 'lora_name')).toBe('mine.safetensors');
  } finally {
    await server.dispose();
  }
});
