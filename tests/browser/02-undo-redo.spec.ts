import { expect, test } from '@playwright/test';
import { edge, edgeCount, node, openFresh } from './helpers';

test('undo restores a deleted node with its links; redo deletes it again', async ({ page }) => {
  await openFresh(page);
  await expect(node(page, 'sampler')).toBeVisible();
  const links = await edgeCount(page);

  await node(page, 'sampler').locator('span', { hasText: 'KSampler' }).first().click();
  await page.keyboard.press('Delete');
  await expect(node(page, 'sampler')).toHaveCount(0);
  await expect(page.locator('.react-flow__edge')).toHaveCount(links - 5);

  await page.keyboard.press('Control+z');
  await expect(node(page, 'sampler')).toBeVisible();
  await expect(page.locator('.react-flow__edge')).toHaveCount(links);
  for (const input of ['model', 'positive', 'negative', 'latent_image']) await expect(edge(page, 'sampler', input)).toHaveCount(1);
  await expect(edge(page, 'decode', 'samples')).toHaveCount(1);

  await page.keyboard.press('Control+Shift+Z');
  await expect(node(page, 'sampler')).toHaveCount(0);
  await expect(page.locator('.react-flow__edge')).toHaveCount(links - 5);

  // Parameter edits are undo steps too.
  await page.keyboard.press('Control+z');
  await page.getByTestId('param-latent-width').fill('640');
  await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
  await page.keyboard.press('Control+z');
  await expect(page.getByTestId('param-latent-width')).toHaveValue('512');
});
