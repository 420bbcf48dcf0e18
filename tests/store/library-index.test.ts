import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { syncLibraryIndex } from '../../server/store/library-index';
import { openSqlite } from '../../server/store/sqlite';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-library-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('workflow library index', () => {
  it('follows the folder: titles and node counts, files changed or added by hand, files removed', async () => {
    const dir = path.join(root, 'workflows');
    fs.mkdirSync(dir);
    const write = (name: string, title: string | undefined, nodes: number) =>
      fs.writeFileSync(
        path.join(dir, `${name}.json`),
        JSON.stringify({
          format: 'latentloom.workflow',
          version: 1,
          meta: title ? { title } : undefined,
          nodes: Object.fromEntries(Array.from({ length: nodes }, (_, i) => [`n${i}`, { type: 'EmptyLatent' }])),
        }),
      );
    write('portrait', 'Portrait', 3);
    write('empty', undefined, 1);
    fs.writeFileSync(path.join(dir, 'broken.json'), '{nope');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a workflow');
    const { store } = await openSqlite({ stateDir: path.join(root, 'state'), sink: null });
    const first = await syncLibraryIndex(store, dir);
    expect(first.map(({ name, title, nodeCount }) => ({ name, title, nodeCount }))).toEqual([
      { name: 'broken', title: null, nodeCount: 0 },
      { name: 'empty', title: null, nodeCount: 1 },
      { name: 'portrait', title: 'Portrait', nodeCount: 3 },
    ]);
    expect(await store.libraryList()).toEqual(first);
    write('portrait', 'Portrait v2', 5);
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(dir, 'portrait.json'), later, later);
    fs.rmSync(path.join(dir, 'empty.json'));
    write('copied-in', 'By hand', 2);
    const second = await syncLibraryIndex(store, dir);
    expect(second.map((e) => [e.name, e.title, e.nodeCount])).toEqual([
      ['broken', null, 0],
      ['copied-in', 'By hand', 2],
      ['portrait', 'Portrait v2', 5],
    ]);
    expect((await store.libraryList()).map((e) => e.name)).toEqual(['broken', 'copied-in', 'portrait']);
    await store.close();
  });
});
