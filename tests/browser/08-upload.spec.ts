import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { expect, test } from '@playwright/test';
import { addFromPalette, autosavedWorkflow, openFresh } from './helpers';

test('LoadImage: Upload puts the picked PNG into input/ and sets the node to it', async ({ page }) => {
  await openFresh(page);
  await page.getByTestId('new-workflow').click();
  await addFromPalette(page, 'LoadImage', 500, 300);
  const png = new PNG({ width: 8, height: 8 });
  png.data.fill(200);
  const bytes = PNG.sync.write(png);
  await page.getByTestId('upload-file-loadimage-image').setInputFiles({ name: 'my photo.png', mimeType: 'image/png', buffer: bytes });
  await expect(page.getByTestId('param-loadimage-image')).toHaveValue('my photo.png');
  const wf = await autosavedWorkflow(page);
  expect(wf.nodes.loadimage.params.image).toBe('my photo.png');
  const dataDir = process.env.LOOM_DATA_DIR;
  if (!dataDir) throw new Error('LOOM_DATA_DIR is set by scripts/test-browser.mjs');
  const stored = path.join(dataDir, 'input', 'my photo.png');
  expect(existsSync(stored)).toBe(true);
  expect(readFileSync(stored).equals(bytes)).toBe(true);
});
