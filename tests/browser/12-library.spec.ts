import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { SHOTS, autosavedWorkflow, node, openFresh, txt2imgWorkflow, uploadWorkflow } from './helpers';

const dataDir = () => {
  const d = process.env.LOOM_DATA_DIR;
  if (!d) throw new Error('LOOM_DATA_DIR is not set: run through npm run test:browser');
  return d;
};
const libraryFile = (name: string) => path.join(dataDir(), 'workflows', `${name}.json`);
/** The steps a saved workflow holds (polled: the save lands a moment after the click). */
const savedSteps = (name: string) => () =>
  existsSync(libraryFile(name)) ? JSON.parse(readFileSync(libraryFile(name), 'utf8')).nodes.sampler.params.steps : null;

async function setSteps(page: Page, value: string) {
  await page.getByTestId('param-sampler-steps').fill(value);
  await page.getByTestId('param-sampler-steps').press('Enter');
}

async function saveAs(page: Page, name: string) {
  await page.getByTestId('save-workflow-as').click();
  await expect(page.getByTestId('save-as-dialog')).toBeVisible();
  await page.getByTestId('dialog-input').fill(name);
  await page.getByTestId('dialog-ok').click();
}

test('saving, opening and deleting never lose work silently; a dirty marker shows unsaved changes', async ({ page }) => {
  // native dialogs would block the page: the editor must never use them
  page.on('dialog', (d) => {
    throw new Error(`native ${d.type()} dialog: ${d.message()}`);
  });
  await openFresh(page);
  const stamp = Date.now().toString(36);
  const a = `lib-a-${stamp}`;
  const b = `lib-b-${stamp}`;
  await expect(page.getByTestId('dirty-marker')).toHaveAttribute('data-dirty', 'false');

  // an edit shows the dirty marker
  await setSteps(page, '11');
  await expect(page.getByTestId('dirty-marker')).toHaveAttribute('data-dirty', 'true');

  // Save on a workflow that never had a name opens the in-app Save-as dialog
  await page.getByTestId('save-workflow').click();
  await expect(page.getByTestId('save-as-dialog')).toBeVisible();
  await page.getByTestId('dialog-input').fill('bad/name');
  await expect(page.getByTestId('dialog-input-problem')).toContainText('letters, digits');
  await expect(page.getByTestId('dialog-ok')).toBeDisabled();
  await page.getByTestId('dialog-input').fill(a);
  await page.screenshot({ path: `${SHOTS}/save-as-dialog.png` });
  await page.getByTestId('dialog-input').press('Enter');
  await expect(page.getByTestId('toast').filter({ hasText: `Saved "${a}"` })).toBeVisible();
  await expect(page.getByTestId('workflow-name')).toHaveValue(a);
  await expect(page.getByTestId('dirty-marker')).toHaveAttribute('data-dirty', 'false');
  await expect.poll(savedSteps(a)).toBe(11);

  // saving again under the same (own) name does not ask
  await setSteps(page, '12');
  await page.keyboard.press('Control+s');
  await expect(page.getByTestId('dirty-marker')).toHaveAttribute('data-dirty', 'false');
  await expect.poll(savedSteps(a)).toBe(12);

  // New with unsaved changes asks; Cancel keeps everything
  await setSteps(page, '13');
  await expect(page.getByTestId('dirty-marker')).toHaveAttribute('data-dirty', 'true');
  await page.getByTestId('new-workflow').click();
  await expect(page.getByTestId('unsaved-dialog')).toContainText(`"${a}" has changes that are not saved`);
  await page.screenshot({ path: `${SHOTS}/unsaved-dialog.png` });
  await page.getByTestId('dialog-cancel').click();
  await expect(node(page, 'sampler')).toBeVisible();
  await expect(page.getByTestId('param-sampler-steps')).toHaveValue('13');

  // an example with unsaved changes asks too; Discard goes ahead
  await page.getByTestId('example-text-to-image').click();
  await expect(page.getByTestId('unsaved-dialog')).toBeVisible();
  await page.getByTestId('dialog-discard').click();
  await expect(page.getByTestId('workflow-name')).toHaveValue('Text to image');
  await expect(page.getByTestId('dirty-marker')).toHaveAttribute('data-dirty', 'false');

  // Save as over an existing name asks first: Cancel leaves the saved file alone, Replace replaces it
  await saveAs(page, a);
  await expect(page.getByTestId('overwrite-dialog')).toContainText(`"${a}" is already in the library`);
  await page.getByTestId('dialog-cancel').click();
  await expect.poll(savedSteps(a)).toBe(12);
  await saveAs(page, a);
  await page.getByTestId('dialog-ok').click();
  await expect(page.getByTestId('toast').filter({ hasText: `Saved "${a}"` })).toBeVisible();
  await expect.poll(savedSteps(a)).toBe(20);
  await saveAs(page, b);
  await expect(page.getByTestId('workflow-name')).toHaveValue(b);

  // Open with unsaved changes asks; "Save first" saves, then opens
  await setSteps(page, '17');
  await page.getByTestId('open-library').click();
  await page.getByTestId(`library-item-${a}`).click();
  await expect(page.getByTestId('unsaved-dialog')).toBeVisible();
  await page.getByTestId('dialog-save').click();
  await expect(page.getByTestId('workflow-name')).toHaveValue(a);
  await expect.poll(savedSteps(b)).toBe(17);

  // undo brings back the previous workflow together with its name
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+z');
  await expect(page.getByTestId('workflow-name')).toHaveValue(b);
  await expect(page.getByTestId('param-sampler-steps')).toHaveValue('17');
  await page.keyboard.press('Control+Shift+Z');
  await expect(page.getByTestId('workflow-name')).toHaveValue(a);

  // delete asks; Cancel keeps the file, Delete removes it
  await page.getByTestId('open-library').click();
  await page.getByTestId(`library-delete-${b}`).click();
  await expect(page.getByTestId('delete-dialog')).toContainText(`"${b}" will be removed`);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('delete-dialog')).toHaveCount(0);
  expect(existsSync(libraryFile(b))).toBe(true);
  await page.getByTestId(`library-delete-${b}`).click();
  await page.getByTestId('dialog-ok').click();
  await expect(page.getByTestId(`library-item-${b}`)).toHaveCount(0);
  expect(existsSync(libraryFile(b))).toBe(false);
});

test('loading another workflow clears the old one’s previews, images, states and errors', async ({ page }) => {
  await openFresh(page);
  // a finished run: states and an output image on the canvas
  await uploadWorkflow(
    page,
    'run-then-load.json',
    txt2imgWorkflow({ file: 'tiny-sd1.safetensors', text: 'a red barn', seed: 3, steps: 2, prefix: 'clear' }),
  );
  await page.getByTestId('queue-button').click();
  await expect(page.getByTestId('output-image-save')).toBeVisible({ timeout: 120_000 });
  await expect(node(page, 'sampler')).toHaveAttribute('data-state', 'done');

  // the same ids in another workflow must start clean
  await uploadWorkflow(
    page,
    'same-ids.json',
    txt2imgWorkflow({ file: 'tiny-sd1.safetensors', text: 'a blue barn', seed: 4, steps: 2, prefix: 'clear2' }),
  );
  await expect(page.getByTestId('param-pos-text')).toHaveValue('a blue barn');
  await expect(page.getByTestId('output-image-save')).toHaveCount(0);
  await expect(node(page, 'sampler')).toHaveAttribute('data-state', 'idle');
  await expect(page.getByTestId('node-state-sampler')).toHaveCount(0);

  // errors too: a validation error on one workflow is gone after loading another
  await uploadWorkflow(page, 'broken.json', txt2imgWorkflow({ file: 'missing.safetensors', text: 'x', seed: 1, steps: 2, prefix: 'x' }));
  await page.getByTestId('queue-button').click();
  await expect(page.getByTestId('node-error-ckpt')).toBeVisible();
  await uploadWorkflow(page, 'fine.json', txt2imgWorkflow({ file: 'tiny-sd1.safetensors', text: 'y', seed: 1, steps: 2, prefix: 'y' }));
  await expect(page.getByTestId('node-error-ckpt')).toHaveCount(0);
  await expect(node(page, 'ckpt')).toHaveAttribute('data-state', 'idle');
  expect(Object.keys((await autosavedWorkflow(page)).nodes)).toContain('ckpt');
});
