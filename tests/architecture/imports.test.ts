/**
 * The layers import one way (design.md): app → node schemas; server → nodes → runtime. Reads every source file's
 * import statements, resolves them, and fails on a forbidden edge or an import cycle (naming the files).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const SOURCES = ['app', 'nodes', 'server'];

interface Edge {
  to: string;
  typeOnly: boolean;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (/\.(ts|tsx)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function resolveSpec(from: string, spec: string): string | null {
  let base: string;
  if (spec.startsWith('@/')) base = path.join(ROOT, spec.slice(2));
  else if (spec.startsWith('.')) base = path.resolve(path.dirname(from), spec);
  else return null; // a package
  for (const c of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')]) if (fs.existsSync(c) && fs.statSync(c).isFile()) return c;
  return null;
}

const IMPORT = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importGraph(files: readonly string[]): Map<string, Edge[]> {
  const graph = new Map<string, Edge[]>();
  for (const f of files) {
    const src = fs.readFileSync(f, 'utf8');
    const edges: Edge[] = [];
    for (const m of src.matchAll(IMPORT)) {
      const spec = m[3] ?? m[4];
      const to = resolveSpec(f, spec);
      // `import { type A, type B }` is type-only as well
      const braces = /\{([^}]*)\}/.exec(m[0])?.[1];
      const allTypes = braces
        ?.split(',')
        .map((x) => x.trim())
        .filter(Boolean)
        .every((x) => x.startsWith('type '));
      if (to) edges.push({ to, typeOnly: Boolean(m[2]) || allTypes === true });
    }
    graph.set(f, edges);
  }
  return graph;
}

/** Runtime import cycles (type-only imports vanish at run time), as lists of files. */
function cycles(graph: Map<string, Edge[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const found: string[][] = [];
  let n = 0;
  const visit = (v: string) => {
    index.set(v, n);
    low.set(v, n++);
    stack.push(v);
    on.add(v);
    for (const { to, typeOnly } of graph.get(v) ?? []) {
      if (typeOnly || !graph.has(to)) continue;
      if (!index.has(to)) {
        visit(to);
        low.set(v, Math.min(low.get(v)!, low.get(to)!));
      } else if (on.has(to)) low.set(v, Math.min(low.get(v)!, index.get(to)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) found.push(scc.map((f) => path.relative(ROOT, f)).sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const rel = (f: string) => path.relative(ROOT, f).split(path.sep).join('/');
const files = SOURCES.flatMap((d) => walk(path.join(ROOT, d)));
const graph = importGraph(files);

/** Files a node schema (bundled by the editor) may reach: client-safe modules only. */
function clientClosure(start: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const todo = [...start];
  while (todo.length) {
    const f = todo.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    for (const e of graph.get(f) ?? []) if (!e.typeOnly) todo.push(e.to);
  }
  return seen;
}

function violations(rule: (from: string, to: string, typeOnly: boolean) => boolean): string[] {
  const out: string[] = [];
  for (const [from, edges] of graph) for (const e of edges) if (rule(rel(from), rel(e.to), e.typeOnly)) out.push(`${rel(from)} → ${rel(e.to)}`);
  return out;
}

describe('import direction', () => {
  it('has no runtime import cycle anywhere in app/, nodes/ and server/', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('the cycle check fails on a cycle (nodes → pipeline → scheduler → nodes, as it was)', () => {
    const a = path.join(ROOT, 'nodes/A.ts');
    const b = path.join(ROOT, 'server/runtime/pipeline/B.ts');
    const c = path.join(ROOT, 'server/scheduler/C.ts');
    const fake = new Map<string, Edge[]>([
      [a, [{ to: b, typeOnly: false }]],
      [b, [{ to: c, typeOnly: false }]],
      [c, [{ to: a, typeOnly: false }]],
    ]);
    expect(cycles(fake)).toEqual([['nodes/A.ts', 'server/runtime/pipeline/B.ts', 'server/scheduler/C.ts']]);
  });

  it('server/runtime imports nothing from the scheduler, the API, HTTP, nodes or the app', () => {
    expect(violations((f, t) => f.startsWith('server/runtime/') && /^(server\/(scheduler|api|http|cli)|nodes|app)\//.test(t))).toEqual([]);
  });

  it('nodes import neither the scheduler, the API, HTTP nor the app', () => {
    expect(violations((f, t) => f.startsWith('nodes/') && /^(server\/(scheduler|api|http|cli)|app)\//.test(t))).toEqual([]);
  });

  it('the app reaches node schemas and API types, never node implementations or the runtime', () => {
    expect(
      violations(
        (f, t, typeOnly) =>
          f.startsWith('app/') && !typeOnly && /^(server\/|nodes\/(registry|invoke|node|sockets)\.ts|nodes\/[^/]+\/node\.ts)/.test(t),
      ),
    ).toEqual([]);
  });

  it('a node schema file stays client-safe: nothing it loads imports Node built-ins or server code beyond pure data', () => {
    const schemas = files.filter((f) => /nodes\/[^/]+\/schema\.ts$/.test(rel(f)));
    expect(schemas.length).toBeGreaterThan(20);
    const reach = [...clientClosure(schemas)].map(rel);
    const serverReached = reach.filter((f) => f.startsWith('server/'));
    // the sampler/scheduler name list is shared data with no imports of its own
    expect(serverReached).toEqual(['server/runtime/sampling/names.ts']);
    for (const f of reach) expect(fs.readFileSync(path.join(ROOT, f), 'utf8'), f).not.toMatch(/from ['"]node:/);
    expect(graph.get(path.join(ROOT, 'server/runtime/sampling/names.ts'))).toEqual([]);
  });

  it('server/runtime/pipeline is gone as a layer', () => {
    expect(fs.existsSync(path.join(ROOT, 'server/runtime/pipeline'))).toBe(false);
  });
});
