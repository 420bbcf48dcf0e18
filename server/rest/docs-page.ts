/**
 * /api/docs: the OpenAPI document as one self-contained HTML page (no scripts, no CDN: it works offline and under a
 * strict CSP). Each operation shows its method and path, what it does, its parameters, and its request and response
 * schemas as JSON.
 */
import type { OpenAPIObject } from 'trpc-to-openapi';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: { in: string; name: string; required?: boolean; description?: string; schema?: unknown }[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
}

const schemaBlock = (title: string, schema: unknown) =>
  schema === undefined ? '' : `<details><summary>${esc(title)}</summary><pre>${esc(JSON.stringify(schema, null, 2))}</pre></details>`;

export function docsPage(doc: OpenAPIObject): string {
  const base = doc.servers?.[0]?.url ?? '';
  const sections: string[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, raw] of Object.entries(item as Record<string, Operation>)) {
      const op = raw;
      const params = (op.parameters ?? [])
        .map(
          (p) =>
            `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}${p.required ? ', required' : ''}</td><td>${esc(p.description ?? '')} <code>${esc(JSON.stringify(p.schema ?? {}))}</code></td></tr>`,
        )
        .join('');
      const body = op.requestBody?.content?.['application/json']?.schema;
      const ok = op.responses?.['200'];
      const okSchema = ok?.content?.['application/json']?.schema ?? ok?.content?.['text/event-stream']?.schema;
      sections.push(`<section id="${esc(`${method}-${path}`)}">
<h3><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(base + path)}</code></h3>
<p><b>${esc(op.summary ?? '')}</b>${op.description ? ` ${esc(op.description)}` : ''}</p>
${params ? `<table><tr><th>parameter</th><th>where</th><th>what</th></tr>${params}</table>` : ''}
${schemaBlock('request body (application/json)', body)}
${schemaBlock(`response 200${ok?.description ? `: ${ok.description}` : ''}`, okSchema)}
</section>`);
    }
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(doc.info.title)}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
code,pre{font:13px ui-monospace,monospace}pre{background:#f5f5f5;padding:.6rem;overflow:auto}
section{border-top:1px solid #ddd;padding:.4rem 0}.m{display:inline-block;min-width:4.5rem;font-size:13px;color:#fff;padding:0 .3rem;border-radius:3px;text-align:center}
.get{background:#2b7a3d}.post{background:#1d5fa8}.put{background:#a86b1d}.delete{background:#a81d2b}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}
</style></head><body>
<h1>${esc(doc.info.title)}</h1>
<p>${esc(doc.info.description ?? '')}</p>
<p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI ${esc(doc.openapi)}). Request bodies are JSON.</p>
${sections.join('\n')}
</body></html>`;
}
