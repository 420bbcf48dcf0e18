import { expect, test, type Page } from '@playwright/test';
import { SHOTS, autosavedWorkflow, openFresh } from './helpers';

/** What a person does: click the field, select all, Backspace, type, then Enter (or Tab to leave it). */
async function retype(page: Page, testId: string, text: string, finish: 'Enter' | 'Tab' | 'Escape' = 'Enter') {
  await page.getByTestId(testId).click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(text);
  await page.keyboard.press(finish);
}

const params = async (page: Page, node: string) => (await autosavedWorkflow(page)).nodes[node]?.params ?? {};

test('number fields take exactly what is typed; parse, clamp and commit on Enter or blur; Esc reverts', async ({ page }) => {
  await openFresh(page);

  // the cases of the issue, exactly as written
  await retype(page, 'param-sampler-steps', '30');
  await expect(page.getByTestId('param-sampler-steps')).toHaveValue('30');
  await retype(page, 'param-sampler-cfg', '6.5');
  await expect(page.getByTestId('param-sampler-cfg')).toHaveValue('6.5');
  await retype(page, 'param-latent-width', '768');
  await expect(page.getByTestId('param-latent-width')).toHaveValue('768');
  await retype(page, 'param-sampler-denoise', '.5');
  await expect(page.getByTestId('param-sampler-denoise')).toHaveValue('0.5');
  expect(await params(page, 'sampler')).toMatchObject({ steps: 30, cfg: 6.5, denoise: 0.5 });
  expect((await params(page, 'latent')).width).toBe(768);

  // "-5" in steps is refused visibly, and nothing changes
  await retype(page, 'param-sampler-steps', '-5');
  await expect(page.getByTestId('param-sampler-steps-error')).toBeVisible();
  await expect(page.getByTestId('param-sampler-steps-error')).toContainText('steps cannot be negative');
  await expect(page.getByTestId('param-sampler-steps')).toHaveAttribute('aria-invalid', 'true');
  await page.screenshot({ path: `${SHOTS}/number-refused.png` });
  // Esc puts the committed value back
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('param-sampler-steps')).toHaveValue('30');
  await expect(page.getByTestId('param-sampler-steps-error')).toHaveCount(0);
  expect((await params(page, 'sampler')).steps).toBe(30);

  // while typing the text is kept as typed (not re-formatted under the cursor); Esc reverts an edit
  await page.getByTestId('param-sampler-cfg').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('7.');
  await expect(page.getByTestId('param-sampler-cfg')).toHaveValue('7.');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('param-sampler-cfg')).toHaveValue('6.5');

  // leaving the field commits (blur), out-of-range values are clamped with a note
  await retype(page, 'param-sampler-steps', '12', 'Tab');
  await expect(page.getByTestId('param-sampler-steps')).toHaveValue('12');
  await retype(page, 'param-sampler-steps', '20000');
  await expect(page.getByTestId('param-sampler-steps')).toHaveValue('10000');
  await expect(page.getByTestId('param-sampler-steps-note')).toContainText('clamped to the maximum 10000');

  // the same for every numeric widget of the graph, and the seed (kept whole beyond 2^53)
  await retype(page, 'param-latent-height', '640');
  await retype(page, 'param-latent-batch_size', '3');
  await retype(page, 'param-sampler-seed', '123456789012345678901');
  await expect(page.getByTestId('param-sampler-seed')).toHaveValue('18446744073709551615');
  await retype(page, 'param-sampler-seed', '9007199254740993');
  await expect(page.getByTestId('param-sampler-seed')).toHaveValue('9007199254740993');
  await retype(page, 'param-sampler-seed', '-1');
  await expect(page.getByTestId('param-sampler-seed-error')).toContainText('seed cannot be negative');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('param-sampler-seed')).toHaveValue('9007199254740993');
  await retype(page, 'param-sampler-cfg', 'abc');
  await expect(page.getByTestId('param-sampler-cfg-error')).toContainText('is not a number');
  await page.keyboard.press('Escape');

  const sampler = await params(page, 'sampler');
  expect(sampler).toMatchObject({ steps: 10000, cfg: 6.5, denoise: 0.5, seed: '9007199254740993' });
  expect(await params(page, 'latent')).toMatchObject({ width: 768, height: 640, batch_size: 3 });

  // a refused value left by blur keeps the old one and says so
  await retype(page, 'param-latent-width', '-8', 'Tab');
  await expect(page.getByTestId('param-latent-width')).toHaveValue('768');
  await expect(page.getByTestId('param-latent-width-error')).toContainText('kept 768');
  expect((await params(page, 'latent')).width).toBe(768);
});
