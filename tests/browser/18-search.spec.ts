import { expect, test } from '@playwright/test';
import { SHOTS, node, openFresh } from './helpers';

const rows = (testId: string) => `[data-testid^="${testId}-item-"]`;

test('node search ranks exact, then prefix, then words, then description; ids and titles both match; arrows move a visible highlight, Enter takes it', async ({
  page,
}) => {
  await openFresh(page);
  const search = page.getByTestId('sidebar-palette-search');
  const order = async () =>
    page.locator(rows('sidebar-palette')).evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')?.replace('sidebar-palette-item-', '')));

  // exact class id first, then the ids it prefixes
  await search.fill('KSampler');
  const ks = await order();
  expect(ks[0]).toBe('KSampler');
  const prefixed = ks.slice(1, 3);
  expect(prefixed.sort()).toEqual(['KSamplerAdvanced', 'KSamplerSelect']);
  // ComfyUI's class id and the display title both find the checkpoint loader, first
  await search.fill('CheckpointLoaderSimple');
  expect((await order())[0]).toBe('CheckpointLoaderSimple');
  await search.fill('load checkpoint');
  expect((await order())[0]).toBe('CheckpointLoaderSimple');
  // words: "vae dec" finds VAEDecode first
  await search.fill('vae dec');
  expect((await order())[0]).toBe('VAEDecode');
  // names before descriptions: every node named "...latent..." comes before one that only mentions it
  await search.fill('latent');
  const latent = await order();
  const firstByDescription = latent.findIndex((id) => !/latent/i.test(id ?? ''));
  const lastByName = Math.max(...latent.map((id, i) => (/latent/i.test(id ?? '') ? i : -1)));
  if (firstByDescription >= 0) expect(lastByName).toBeLessThan(firstByDescription);
  // description only
  await search.fill('denoises');
  expect(await order()).toContain('KSampler');

  // the highlight: first row, then arrows move it visibly; Enter adds the highlighted node
  await search.fill('vae');
  const list = await order();
  await expect(page.getByTestId(`sidebar-palette-item-${list[0]}`)).toHaveAttribute('data-highlighted', 'true');
  await search.press('ArrowDown');
  await search.press('ArrowDown');
  await expect(page.getByTestId(`sidebar-palette-item-${list[2]}`)).toHaveAttribute('data-highlighted', 'true');
  await expect(page.getByTestId(`sidebar-palette-item-${list[0]}`)).toHaveAttribute('data-highlighted', 'false');
  await search.press('ArrowUp');
  await expect(page.getByTestId(`sidebar-palette-item-${list[1]}`)).toHaveAttribute('data-highlighted', 'true');
  await page.screenshot({ path: `${SHOTS}/search-highlight.png` });
  const before = await page.locator(`[data-node-type="${list[1]}"]`).count();
  await search.press('Enter');
  await expect(page.locator(`[data-node-type="${list[1]}"]`)).toHaveCount(before + 1);

  // the canvas palette (double-click) ranks and highlights the same way
  const pane = await page.locator('.react-flow__pane').boundingBox();
  if (!pane) throw new Error('no pane');
  for (let i = 0; i < 2; i++) await page.locator('.react-flow__controls-zoomout').click();
  await page.mouse.dblclick(pane.x + 80, pane.y + 80);
  await page.getByTestId('palette-search').fill('empty latent');
  await expect(page.getByTestId('palette-item-EmptyLatentImage')).toHaveAttribute('data-highlighted', 'true');
  await page.keyboard.press('Enter');
  await expect(node(page, 'emptylatentimage')).toBeVisible();
});
