import { expect, test } from '@playwright/test';
import { SHOTS, addFromPalette, node, openFresh, rgbOf, txt2imgWorkflow, uploadWorkflow } from './helpers';

test('Esc closes every dialog and menu', async ({ page }) => {
  await openFresh(page);
  const closes = async (open: () => Promise<unknown>, testId: string) => {
    await open();
    await expect(page.getByTestId(testId)).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(page.getByTestId(testId)).toHaveCount(0);
  };
  await closes(() => page.getByTestId('help-button').click(), 'shortcuts-help');
  await closes(() => page.getByTestId('save-workflow-as').click(), 'save-as-dialog');
  await closes(() => page.getByTestId('models-button').click(), 'model-library');
  await closes(() => page.getByTestId('open-library').click(), 'library-menu');
  await closes(() => page.getByTestId('node-title-sampler').click({ button: 'right' }), 'node-menu');
  await page.getByTestId('param-sampler-steps').fill('3');
  await page.getByTestId('param-sampler-steps').press('Enter');
  await closes(() => page.getByTestId('new-workflow').click(), 'unsaved-dialog');
  const pane = await page.locator('.react-flow__pane').boundingBox();
  if (!pane) throw new Error('no pane');
  for (let i = 0; i < 2; i++) await page.locator('.react-flow__controls-zoomout').click();
  await closes(() => page.mouse.dblclick(pane.x + 60, pane.y + 60), 'palette');
  await expect(node(page, 'sampler')).toBeVisible();
});

test('native controls and scrollbars follow the dark theme', async ({ page }) => {
  await openFresh(page);
  expect(await page.evaluate(() => getComputedStyle(document.documentElement).colorScheme)).toBe('dark');
  const select = page.getByTestId('param-sampler-sampler_name');
  const [r, g, b] = await rgbOf(page, await select.evaluate((el) => getComputedStyle(el).backgroundColor));
  expect(Math.max(r, g, b)).toBeLessThan(80);
  const option = await select.evaluate((el) => getComputedStyle((el as HTMLSelectElement).options[0] as HTMLOptionElement).backgroundColor);
  expect(Math.max(...(await rgbOf(page, option)))).toBeLessThan(80);
  const scrollbar = await page
    .getByTestId('sidebar-palette')
    .locator('ul')
    .evaluate((el) => getComputedStyle(el).scrollbarColor);
  const thumb = scrollbar.split(/\s(?![^(]*\))/)[0] ?? '';
  expect(Math.max(...(await rgbOf(page, thumb)))).toBeLessThan(120);
});

test('toasts stack (at most five) and expire', async ({ page }) => {
  await openFresh(page);
  for (let i = 0; i < 7; i++)
    await page
      .getByTestId('upload-input')
      .setInputFiles({ name: `broken-${i}.json`, mimeType: 'application/json', buffer: Buffer.from('{"not": "a workflow"}') });
  const toasts = page.getByTestId('toast-error');
  await expect(toasts).toHaveCount(5);
  // newest at the bottom: the last two are the last files
  await expect(toasts.nth(4)).toContainText('broken-6.json');
  await expect(toasts.nth(0)).toContainText('broken-2.json');
  const boxes = await toasts.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().top));
  for (let i = 1; i < boxes.length; i++) expect(boxes[i] as number).toBeGreaterThan(boxes[i - 1] as number);
  await page.screenshot({ path: `${SHOTS}/toasts.png` });
  await expect(toasts).toHaveCount(0, { timeout: 12_000 });
});

test('the SDXL encoder’s two prompt boxes are labelled, and titles are never cut by the id badge', async ({ page }) => {
  await openFresh(page);
  await page.getByTestId('new-workflow').click();
  await addFromPalette(page, 'CLIPTextEncodeSDXL', 400, 200);
  await expect(page.getByTestId('param-label-cliptextencodesdxl-text_g')).toHaveText(/text_g \(OpenCLIP bigG\)/i);
  await expect(page.getByTestId('param-label-cliptextencodesdxl-text_l')).toHaveText(/text_l \(CLIP-L\)/i);
  await expect(page.getByTestId('param-cliptextencodesdxl-text_g')).toHaveAttribute('aria-label', 'text_g (OpenCLIP bigG)');
  // a long title (the SDXL encoder's own, and a user's) is shown in full, beside the id badge
  await page.getByTestId('node-title-cliptextencodesdxl').dblclick();
  await page.getByTestId('title-input-cliptextencodesdxl').fill('Positive prompt for the refiner pass, very long');
  await page.getByTestId('title-input-cliptextencodesdxl').press('Enter');
  const title = page.getByTestId('node-title-cliptextencodesdxl');
  await expect(title).toHaveText('Positive prompt for the refiner pass, very long');
  const fits = await title.evaluate((el) => el.scrollWidth <= el.clientWidth + 1 && el.scrollHeight <= el.clientHeight + 1);
  expect(fits).toBe(true);
  const badge = await node(page, 'cliptextencodesdxl').getByText('#cliptextencodesdxl').boundingBox();
  const t = await title.boundingBox();
  expect((t?.x ?? 0) + (t?.width ?? 0)).toBeLessThanOrEqual((badge?.x ?? 0) + 0.5);
  await page.screenshot({ path: `${SHOTS}/sdxl-labels.png` });
});

test('an onnxruntime failure reads as one plain line on the node, the original behind a disclosure', async ({ page }) => {
  await openFresh(page);
  // the server's event stream is replaced by one carrying the failure onnxruntime reports (captured from a real session)
  const ort =
    "KSampler failed: Non-zero status code returned while running Add node. Name:'Add_0' Status Message: …/element_wise_ops.h:563 void onnxruntime::BroadcastIterator::Init(ptrdiff_t, ptrdiff_t) axis == 1 || axis == largest was false. Attempting to broadcast an axis by a dimension other than 1. 2 by 3";
  let resolveId: (id: string) => void = () => {};
  const jobId = new Promise<string>((r) => (resolveId = r));
  let streams = 0;
  await page.route('**/api/trpc/**', async (route) => {
    const url = route.request().url();
    if (url.includes('jobs.events') && streams++ === 0) {
      const id = await jobId;
      const event = {
        type: 'job.failed',
        jobId: id,
        error: { message: ort, nodeId: 'sampler' },
        id: 9_000_000_000_000_000,
        time: new Date().toISOString(),
      };
      await route.fulfill({
        status: 200,
        headers: { 'content-type': 'text/event-stream' },
        body: `event: connected\ndata: {"reconnectAfterInactivityMs":25000}\n\ndata: ${JSON.stringify(event)}\nid: ${event.id}\n\n`,
      });
      return;
    }
    if (url.includes('jobs.enqueue')) {
      const res = await route.fetch();
      const body = (await res.json()) as { result?: { data?: { id?: string } } }[];
      const id = body.find((b) => b.result?.data?.id)?.result?.data?.id;
      await route.fulfill({ response: res, json: body });
      // the failure follows the enqueue answer, as a real one would
      if (id) setTimeout(() => resolveId(id), 300);
      return;
    }
    await route.continue();
  });
  await page.reload();
  await uploadWorkflow(page, 'ort.json', txt2imgWorkflow({ file: 'tiny-sd1.safetensors', text: 'x', seed: 1, steps: 1, prefix: 'ort' }));
  await page.getByTestId('queue-button').click();
  await expect(page.getByTestId('node-error-summary-sampler')).toHaveText(
    'KSampler: The model received tensors whose shapes do not fit together: often a model, LoRA or ControlNet of another family (SD1 vs SDXL), or an image size it cannot take.',
  );
  const detail = page.getByTestId('node-error-detail-sampler');
  await expect(detail).not.toHaveAttribute('open', '');
  await expect(detail.getByText('Attempting to broadcast')).toBeHidden();
  await detail.locator('summary').click();
  await expect(detail.getByText('Attempting to broadcast')).toBeVisible();
  await expect(page.getByTestId('toast-error').filter({ hasText: 'Job failed: KSampler: The model received tensors' })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/error-disclosure.png` });
});
