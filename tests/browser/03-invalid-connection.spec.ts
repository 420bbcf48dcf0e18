import { expect, test } from '@playwright/test';
import { autosavedWorkflow, dragLink, edge, handle, openFresh } from './helpers';

test('a LATENT output dropped on a MODEL input is refused with the reason', async ({ page }) => {
  await openFresh(page);
  await expect(edge(page, 'sampler', 'model')).toHaveCount(1);
  const edges = await page.locator('.react-flow__edge').count();

  await dragLink(page, handle(page, 'latent', 'out', 'LATENT'), handle(page, 'sampler', 'in', 'model'));

  await expect(page.getByTestId('connection-refused')).toContainText('LATENT');
  await expect(page.getByTestId('connection-refused')).toContainText('MODEL');
  await expect(page.locator('.react-flow__edge')).toHaveCount(edges);
  // the existing MODEL link is untouched
  const workflow = await autosavedWorkflow(page);
  expect(workflow.nodes.sampler.inputs.model).toEqual({ node: 'ckpt', output: 'MODEL' });
});
