import { expect, test } from '@playwright/test';
import { SHOTS, autosavedWorkflow, openFresh, uploadWorkflow } from './helpers';
import { uiTxt2img } from '../nodes/comfy/ui-builder';

test('a ComfyUI workflow with a note, a group, a muted and a bypassed node and an unknown class keeps and shows all of it', async ({ page }) => {
  await openFresh(page);
  const g = uiTxt2img()
    .node(20, { type: 'Note', widgets: ['seed 42 looked best'], title: 'Read me', pos: [0, 500] })
    .node(12, { type: 'PreviewImage', inputs: [['images', 'IMAGE']], mode: 2, pos: [1500, 400] })
    .node(50, { type: 'FancyFaceFixer', widgets: ['face.pth', 0.5], inputs: [['image', 'IMAGE']], outputs: [['IMAGE', 'IMAGE']], pos: [1500, 600] })
    .link(8, 0, 12, 0, 'IMAGE')
    .link(8, 0, 50, 0, 'IMAGE');
  (g.nodes.find((n) => n.id === 7) as { mode: number }).mode = 4;
  g.groups = [{ title: 'Prompts', bounding: [380, 120, 420, 420], color: '#3f789e', font_size: 24 }];
  await uploadWorkflow(page, 'comfy.json', g.json());

  await expect(page.getByTestId('node-20')).toContainText('Read me');
  await expect(page.getByTestId('param-20-text')).toHaveValue('seed 42 looked best');
  await expect(page.getByTestId('node-mode-12')).toHaveText(/muted/i);
  await expect(page.getByTestId('node-mode-7')).toHaveText(/bypassed/i);
  await expect(page.getByTestId('node-50')).toHaveAttribute('data-placeholder', 'true');
  await expect(page.getByTestId('node-50')).toContainText('FancyFaceFixer');
  await expect(page.getByTestId('group-0')).toContainText('Prompts');
  await expect(page.locator('.react-flow__edge[data-id="50:image"]')).toHaveCount(1);
  await page.screenshot({ path: `${SHOTS}/comfy-import.png` });

  // all of it survives the editor's own save format
  const saved = await autosavedWorkflow(page);
  expect(saved.nodes['50']).toMatchObject({ type: 'FancyFaceFixer', inputs: { image: { node: '8', output: 'IMAGE' } } });
  expect((saved.nodes['12'] as { mode?: string }).mode).toBe('muted');
  expect((saved as unknown as { groups: unknown[] }).groups).toHaveLength(1);
});
