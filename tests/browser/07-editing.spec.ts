import { expect, test } from '@playwright/test';
import { edge, handle, node, openFresh } from './helpers';

test('dragging an output into empty space offers only compatible nodes and links the pick', async ({ page }) => {
  await openFresh(page);
  const from = await handle(page, 'latent', 'out', 'LATENT').boundingBox();
  if (!from) throw new Error('no handle');
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(from.x - 60, from.y + 260, { steps: 10 });
  await page.mouse.up();

  await expect(page.getByTestId('palette')).toBeVisible();
  await expect(page.getByTestId('palette-item-VAEDecode')).toBeVisible();
  await expect(page.getByTestId('palette-item-TextEncode')).toHaveCount(0);
  await page.getByTestId('palette-item-VAEDecode').click();
  await expect(node(page, 'vaedecode')).toBeVisible();
  await expect(edge(page, 'vaedecode', 'samples')).toHaveCount(1);
});

test('copy and paste duplicates the selection with its inner links; help lists the shortcuts', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await openFresh(page);
  await node(page, 'ckpt').locator('span', { hasText: 'Load Checkpoint' }).first().click();
  await node(page, 'pos')
    .locator('span', { hasText: 'Text Encode' })
    .first()
    .click({ modifiers: ['Control'] });
  await page.keyboard.press('Control+c');
  await page.keyboard.press('Control+v');
  await expect(node(page, 'ckpt_2')).toBeAttached();
  await expect(node(page, 'pos_2')).toBeAttached();
  await expect(edge(page, 'pos_2', 'clip')).toHaveCount(1);

  await page.keyboard.press('?');
  await expect(page.getByTestId('shortcuts-help')).toContainText('Ctrl+Enter');
});
