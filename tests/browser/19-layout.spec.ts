import { expect, test } from '@playwright/test';
import { SHOTS, autosavedWorkflow, node, openFresh } from './helpers';

test('zoomed out, a click on a widget zooms in to edit it', async ({ page }) => {
  await openFresh(page);
  for (let i = 0; i < 5; i++) await page.locator('.react-flow__controls-zoomout').click();
  const summary = page.getByTestId('param-summary-sampler-steps');
  await expect(summary).toBeVisible();
  await expect(summary).toHaveAttribute('title', 'click to zoom in and edit');
  await expect(page.getByTestId('param-sampler-steps')).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/zoomed-out.png` });
  await summary.click();
  const field = page.getByTestId('param-sampler-steps');
  await expect(field).toBeVisible();
  await expect(field).toBeFocused();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('9');
  await page.keyboard.press('Enter');
  await expect(field).toHaveValue('9');
  expect((await autosavedWorkflow(page)).nodes.sampler?.params.steps).toBe(9);
});

test('the side panels collapse and come back (kept across reloads)', async ({ page }) => {
  await openFresh(page);
  const canvasWidth = async () => (await page.getByTestId('canvas').boundingBox())?.width ?? 0;
  const full = await canvasWidth();
  await page.getByTestId('toggle-left-panel').click();
  await expect(page.getByTestId('left-panel')).toHaveCount(0);
  await page.getByTestId('toggle-right-panel').click();
  await expect(page.getByTestId('right-panel')).toHaveCount(0);
  expect(await canvasWidth()).toBeGreaterThan(full + 400);
  await page.screenshot({ path: `${SHOTS}/panels-collapsed.png` });
  await page.reload();
  await expect(page.getByTestId('canvas')).toBeVisible();
  await expect(page.getByTestId('left-panel')).toHaveCount(0);
  await page.getByTestId('toggle-left-panel').click();
  await page.getByTestId('toggle-right-panel').click();
  await expect(page.getByTestId('left-panel')).toBeVisible();
  await expect(page.getByTestId('right-panel')).toBeVisible();
});

test('at 1024 px wide, Queue and Cancel stay on screen and work', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  await openFresh(page);
  for (const id of ['queue-button', 'cancel-job', 'connection-status', 'run-progress-text', 'models-button', 'save-workflow']) {
    const box = await page.getByTestId(id).boundingBox();
    expect(box, id).not.toBeNull();
    expect((box?.x ?? 0) + (box?.width ?? 0), id).toBeLessThanOrEqual(1024);
    expect(box?.x ?? -1, id).toBeGreaterThanOrEqual(0);
    await expect(page.getByTestId(id)).toBeInViewport();
  }
  // the buttons are not covered by anything
  await page.getByTestId('queue-button').click({ trial: true });
  await page.screenshot({ path: `${SHOTS}/width-1024.png` });
  await expect(node(page, 'sampler')).toBeVisible();
});
