import { expect, test } from '@playwright/test';
import { SHOTS, openFresh, txt2imgWorkflow, uploadWorkflow } from './helpers';

test('a missing model file is reported on the right node and input', async ({ page }) => {
  await openFresh(page);
  const workflow = txt2imgWorkflow({ file: 'does-not-exist.safetensors', text: 'a cat', seed: 1, steps: 2, prefix: 'broken' });
  await uploadWorkflow(page, 'broken.json', workflow);
  await expect(page.getByTestId('node-ckpt')).toBeVisible();
  await page.getByTestId('queue-button').click();

  await expect(page.getByTestId('node-error-ckpt')).toContainText(/does-not-exist|not found/i);
  await expect(page.getByTestId('param-row-ckpt-ckpt_name')).toHaveAttribute('data-error', 'true');
  await expect(page.getByTestId('node-sampler')).not.toHaveAttribute('data-state', 'error');
  await page.screenshot({ path: `${SHOTS}/broken-workflow.png` });
});
