import { expect, test, type Page } from '@playwright/test';
import { SHOTS, autosavedWorkflow, edge, node, openFresh, wirePoint } from './helpers';

type Saved = {
  nodes: Record<string, { type: string; mode?: string; title?: string; ui?: Record<string, unknown>; inputs: Record<string, unknown> }>;
  groups?: { title: string }[];
};
const saved = async (page: Page) => (await autosavedWorkflow(page)) as unknown as Saved;

async function nodeMenu(page: Page, id: string) {
  await page.getByTestId(`node-title-${id}`).click({ button: 'right' });
  await expect(page.getByTestId('node-menu')).toBeVisible();
}

test('right-click menus on a node: bypass, mute, collapse, pin, colour, rename, duplicate, convert widget to input and back, delete', async ({
  page,
}) => {
  await openFresh(page);
  await nodeMenu(page, 'sampler');
  await page.screenshot({ path: `${SHOTS}/menu-node.png` });
  await page.getByTestId('menu-node-bypass').click();
  await expect(node(page, 'sampler')).toHaveAttribute('data-mode', 'bypassed');
  await nodeMenu(page, 'sampler');
  await expect(page.getByTestId('menu-node-bypass')).toHaveAttribute('aria-checked', 'true');
  await page.getByTestId('menu-node-mute').click();
  await expect(node(page, 'sampler')).toHaveAttribute('data-mode', 'muted');

  await nodeMenu(page, 'neg');
  await page.getByTestId('menu-node-collapse').click();
  await expect(node(page, 'neg')).toHaveAttribute('data-collapsed', 'true');
  await expect(page.getByTestId('param-neg-text')).toHaveCount(0);
  // its wires still attach
  await expect(edge(page, 'sampler', 'negative')).toHaveCount(1);

  await nodeMenu(page, 'latent');
  await page.getByTestId('menu-node-pin').click();
  await expect(page.getByTestId('node-pin-latent')).toBeVisible();
  const before = (await saved(page)).nodes.latent?.ui;
  const box0 = await node(page, 'latent').boundingBox();
  if (!box0) throw new Error('no box');
  await page.mouse.move(box0.x + 60, box0.y + 10);
  await page.mouse.down();
  await page.mouse.move(box0.x + 160, box0.y + 90, { steps: 5 });
  await page.mouse.up();
  // a pinned node keeps its place on the canvas
  expect((await saved(page)).nodes.latent?.ui).toEqual(before);

  await nodeMenu(page, 'pos');
  await page.getByTestId('menu-node-colour').click();
  await page.getByTestId('menu-node-colour-green').click();
  await expect.poll(async () => (await saved(page)).nodes.pos?.ui?.bgcolor).toBe('#353');

  await nodeMenu(page, 'pos');
  await page.getByTestId('menu-node-rename').click();
  await page.getByTestId('dialog-input').fill('Positive prompt');
  await page.getByTestId('dialog-input').press('Enter');
  await expect(page.getByTestId('node-title-pos')).toHaveText('Positive prompt');

  // convert widget to input and back
  await nodeMenu(page, 'ckpt');
  await page.getByTestId('menu-node-to-input').click();
  await page.getByTestId('menu-node-to-input-ckpt_name').click();
  await expect(page.getByTestId('widget-input-ckpt-ckpt_name')).toBeVisible();
  await expect(page.getByTestId('param-ckpt-ckpt_name')).toHaveCount(0);
  await nodeMenu(page, 'ckpt');
  await page.getByTestId('menu-node-to-widget').click();
  await page.getByTestId('menu-node-to-widget-ckpt_name').click();
  await expect(page.getByTestId('param-ckpt-ckpt_name')).toBeVisible();

  await nodeMenu(page, 'decode');
  await page.getByTestId('menu-node-duplicate').click();
  await expect(node(page, 'decode_2')).toBeVisible();
  await expect(edge(page, 'decode_2', 'samples')).toHaveCount(0);
  await nodeMenu(page, 'decode_2');
  await page.getByTestId('menu-node-delete').click();
  await expect(node(page, 'decode_2')).toHaveCount(0);

  const wf = await saved(page);
  expect(wf.nodes.sampler?.mode).toBe('muted');
  expect(wf.nodes.neg?.ui?.collapsed).toBe(true);
  expect(wf.nodes.latent?.ui?.pinned).toBe(true);
  expect(wf.nodes.pos?.title).toBe('Positive prompt');
  expect(wf.nodes.pos?.ui?.color).toBe('#232');
  // Esc closes a menu
  await nodeMenu(page, 'save');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('node-menu')).toHaveCount(0);
});

test('right-click menus on a wire, on the canvas and on a selection', async ({ page }) => {
  await openFresh(page);
  // wire: add a reroute point, then delete the wire
  const mid = await wirePoint(page, 'decode', 'samples');
  await page.mouse.click(mid.x, mid.y, { button: 'right' });
  await expect(page.getByTestId('edge-menu')).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/menu-wire.png` });
  await page.getByTestId('menu-edge-reroute').click();
  await expect(page.getByTestId('reroute-decode:samples-0')).toBeVisible();
  const other = await wirePoint(page, 'save', 'images');
  await page.mouse.click(other.x, other.y, { button: 'right' });
  await page.getByTestId('menu-edge-delete').click();
  await expect(edge(page, 'save', 'images')).toHaveCount(0);

  // canvas: add a node where the menu opened
  const pane = await page.locator('.react-flow__pane').boundingBox();
  if (!pane) throw new Error('no pane');
  // zoomed out, the corners of the canvas are empty
  for (let i = 0; i < 2; i++) await page.locator('.react-flow__controls-zoomout').click();
  await page.mouse.click(pane.x + 60, pane.y + 60, { button: 'right' });
  await expect(page.getByTestId('pane-menu')).toBeVisible();
  await page.getByTestId('menu-pane-add').click();
  await page.getByTestId('palette-search').fill('PreviewImage');
  await page.keyboard.press('Enter');
  await expect(node(page, 'previewimage')).toBeVisible();

  // selection: group it, bypass all, collapse all
  await node(page, 'pos').getByTestId('node-title-pos').click();
  await node(page, 'neg')
    .getByTestId('node-title-neg')
    .click({ modifiers: ['Control'] });
  await node(page, 'neg').getByTestId('node-title-neg').click({ button: 'right' });
  await expect(page.getByTestId('selection-menu')).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/menu-selection.png` });
  await page.getByTestId('menu-selection-group').click();
  await expect(page.getByTestId('group-0')).toBeVisible();
  await node(page, 'neg').getByTestId('node-title-neg').click({ button: 'right' });
  await page.getByTestId('menu-selection-bypass').click();
  await expect(node(page, 'pos')).toHaveAttribute('data-mode', 'bypassed');
  await expect(node(page, 'neg')).toHaveAttribute('data-mode', 'bypassed');
  const wf = await saved(page);
  expect(wf.groups).toHaveLength(1);
  expect(wf.nodes.save?.inputs.images).toBeUndefined();
  expect((wf.nodes.decode?.ui?.reroutes as Record<string, unknown> | undefined)?.samples).toHaveLength(1);
});
