import { expect, test, type Page } from '@playwright/test';
import { SHOTS, autosavedWorkflow, node, openFresh, rgbOf, wirePoint } from './helpers';

type Saved = {
  nodes: Record<string, { type: string; mode?: string; params: Record<string, unknown>; ui?: Record<string, unknown> }>;
  groups?: { title: string; bounding: number[]; color?: string }[];
};
const saved = async (page: Page) => (await autosavedWorkflow(page)) as unknown as Saved;
const title = (page: Page, id: string) => page.getByTestId(`node-title-${id}`);

test('Ctrl+B bypasses and Ctrl+M mutes the selection (each toggles back), with ComfyUI’s look', async ({ page }) => {
  await openFresh(page);
  await title(page, 'sampler').click();
  await page.keyboard.press('Control+b');
  await expect(node(page, 'sampler')).toHaveAttribute('data-mode', 'bypassed');
  await expect(page.getByTestId('node-mode-sampler')).toHaveText(/bypassed/i);
  // the bypass look: magenta (red and blue over green), unlike a plain node
  const [r, g, b] = await rgbOf(page, await node(page, 'sampler').evaluate((el) => getComputedStyle(el).backgroundColor));
  expect(r).toBeGreaterThan(g + 10);
  expect(b).toBeGreaterThan(g + 10);
  const [r0, g0, b0] = await rgbOf(page, await node(page, 'decode').evaluate((el) => getComputedStyle(el).backgroundColor));
  expect(Math.abs(r0 - g0) + Math.abs(b0 - g0)).toBeLessThan(10);
  await page.keyboard.press('Control+b');
  await expect(node(page, 'sampler')).toHaveAttribute('data-mode', 'always');

  await title(page, 'decode').click();
  await title(page, 'sampler').click({ modifiers: ['Control'] });
  await page.keyboard.press('Control+m');
  await expect(node(page, 'decode')).toHaveAttribute('data-mode', 'muted');
  await expect(node(page, 'sampler')).toHaveAttribute('data-mode', 'muted');
  expect(Number(await node(page, 'decode').evaluate((el) => getComputedStyle(el).opacity))).toBeLessThan(0.6);
  await page.screenshot({ path: `${SHOTS}/bypass-mute.png` });
  await page.keyboard.press('Control+m');
  await expect(node(page, 'decode')).toHaveAttribute('data-mode', 'always');
  // undo is one step for the whole selection
  await page.keyboard.press('Control+z');
  await expect(node(page, 'decode')).toHaveAttribute('data-mode', 'muted');
  await expect(node(page, 'sampler')).toHaveAttribute('data-mode', 'muted');
});

test('groups: made from the selection, moved with their nodes, titled and coloured', async ({ page }) => {
  await openFresh(page);
  await title(page, 'pos').click();
  await title(page, 'neg').click({ modifiers: ['Control'] });
  await page.keyboard.press('Control+g');
  const group = page.getByTestId('group-0');
  await expect(group).toBeVisible();
  const wf0 = await saved(page);
  const [gx, gy, gw, gh] = wf0.groups?.[0]?.bounding ?? [];
  for (const id of ['pos', 'neg']) {
    const ui = wf0.nodes[id]?.ui as { x: number; y: number };
    expect(ui.x).toBeGreaterThan(gx as number);
    expect(ui.y).toBeGreaterThan(gy as number);
    expect(ui.x).toBeLessThan((gx as number) + (gw as number));
    expect(ui.y).toBeLessThan((gy as number) + (gh as number));
  }

  // title: double-click, type, Enter
  await page.getByTestId('group-title-0').dblclick();
  await page.getByTestId('group-title-input-0').fill('Prompts');
  await page.getByTestId('group-title-input-0').press('Enter');
  await expect(page.getByTestId('group-title-0')).toHaveText('Prompts');

  // colour from its menu
  await page.getByTestId('group-title-0').click({ button: 'right' });
  await expect(page.getByTestId('group-menu')).toBeVisible();
  await page.getByTestId('menu-group-colour').click();
  await page.getByTestId('menu-group-colour-purple').click();
  await expect(group).toHaveAttribute('data-color', '#a1309b');

  // dragging the title moves the group and the nodes inside it, not the others
  const t = await page.getByTestId('group-title-0').boundingBox();
  if (!t) throw new Error('no title');
  await page.mouse.move(t.x + 30, t.y + t.height / 2);
  await page.mouse.down();
  await page.mouse.move(t.x + 90, t.y + t.height / 2 + 40, { steps: 6 });
  await page.mouse.up();
  const wf1 = await saved(page);
  const dx = (wf1.groups?.[0]?.bounding[0] as number) - (gx as number);
  const dy = (wf1.groups?.[0]?.bounding[1] as number) - (gy as number);
  expect(dx).toBeGreaterThan(20);
  expect(dy).toBeGreaterThan(10);
  const at = (wf: Saved, id: string) => (wf.nodes[id]?.ui ?? { x: Number.NaN, y: Number.NaN }) as { x: number; y: number };
  for (const id of ['pos', 'neg']) {
    expect(at(wf1, id).x - at(wf0, id).x).toBe(dx);
    expect(at(wf1, id).y - at(wf0, id).y).toBe(dy);
  }
  expect(wf1.nodes.sampler?.ui).toEqual(wf0.nodes.sampler?.ui);
  expect(wf1.groups?.[0]).toMatchObject({ title: 'Prompts', color: '#a1309b' });
  await page.screenshot({ path: `${SHOTS}/group.png` });
});

test('notes render Markdown (no raw HTML); reroute points; resize; collapse; paste at the cursor; drag from the sidebar', async ({
  page,
  context,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await openFresh(page);
  const pane = page.locator('.react-flow__pane');
  const p = await pane.boundingBox();
  if (!p) throw new Error('no pane');

  // drag a node type from the sidebar onto the canvas: it lands where it is dropped
  await page.getByTestId('sidebar-palette-search').fill('MarkdownNote');
  await page.getByTestId('sidebar-palette-item-MarkdownNote').dragTo(pane, { targetPosition: { x: 200, y: p.height - 250 } });
  const note = node(page, 'markdownnote');
  await expect(note).toBeVisible();
  const nb = await note.boundingBox();
  expect(Math.abs((nb?.x ?? 0) - (p.x + 200))).toBeLessThan(30);

  // Markdown, edited on double-click; raw HTML stays text
  await page.getByTestId('note-markdown-markdownnote').dblclick();
  await page
    .getByTestId('param-markdownnote-text')
    .fill('# Read me\n\n**seed 42** looked best\n\n- one\n- two\n\n<img src=x onerror="window.__xss=1">');
  await title(page, 'sampler').click();
  const md = page.getByTestId('note-markdown-markdownnote');
  await expect(md.locator('h1')).toHaveText('Read me');
  await expect(md.locator('strong')).toHaveText('seed 42');
  await expect(md.locator('li')).toHaveCount(2);
  await expect(md.locator('img')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  await page.screenshot({ path: `${SHOTS}/markdown-note.png` });

  // reroute points: double-click a wire adds one; dragging it moves the wire; double-click removes it
  const mid = await wirePoint(page, 'sampler', 'latent_image');
  await page.mouse.dblclick(mid.x, mid.y);
  const dot = page.getByTestId('reroute-sampler:latent_image-0');
  await expect(dot).toBeVisible();
  const d = await dot.boundingBox();
  if (!d) throw new Error('no dot');
  await page.mouse.move(d.x + d.width / 2, d.y + d.height / 2);
  await page.mouse.down();
  await page.mouse.move(d.x + d.width / 2, d.y + d.height / 2 + 50, { steps: 5 });
  await page.mouse.up();
  const pts = ((await saved(page)).nodes.sampler?.ui?.reroutes as Record<string, [number, number][]> | undefined)?.latent_image;
  expect(pts).toHaveLength(1);
  // the wire now passes through the moved point
  const [px, py] = pts?.[0] ?? [];
  await expect(page.locator('.react-flow__edge[data-id="sampler:latent_image"] path.react-flow__edge-path')).toHaveAttribute(
    'd',
    new RegExp(` ${px},${py}( |$)`),
  );
  await page.reload();
  await expect(page.getByTestId('reroute-sampler:latent_image-0')).toBeVisible();
  await page.getByTestId('reroute-sampler:latent_image-0').dblclick();
  await expect(page.getByTestId('reroute-sampler:latent_image-0')).toHaveCount(0);

  // collapse with the title-bar toggle, and back
  await page.getByTestId('collapse-neg').click();
  await expect(node(page, 'neg')).toHaveAttribute('data-collapsed', 'true');
  await page.getByTestId('collapse-neg').click();
  await expect(page.getByTestId('param-neg-text')).toBeVisible();

  // resize from the corner
  const w0 = (await node(page, 'pos').boundingBox())?.width ?? 0;
  const corner = await page.getByTestId('resize-pos').boundingBox();
  if (!corner) throw new Error('no corner');
  await page.mouse.move(corner.x + 4, corner.y + 4);
  await page.mouse.down();
  await page.mouse.move(corner.x + 84, corner.y + 64, { steps: 6 });
  await page.mouse.up();
  expect((await node(page, 'pos').boundingBox())?.width ?? 0).toBeGreaterThan(w0 + 40);
  expect(((await saved(page)).nodes.pos?.ui?.width as number) ?? 0).toBeGreaterThan(300);

  // paste lands at the pointer
  await title(page, 'latent').click();
  await page.keyboard.press('Control+c');
  const target = { x: p.x + p.width - 260, y: p.y + 120 };
  await page.mouse.move(target.x, target.y);
  await page.keyboard.press('Control+v');
  const pasted = node(page, 'latent_2');
  await expect(pasted).toBeVisible();
  const pb = await pasted.boundingBox();
  expect(Math.abs((pb?.x ?? 0) - target.x)).toBeLessThan(12);
  expect(Math.abs((pb?.y ?? 0) - target.y)).toBeLessThan(12);
});
