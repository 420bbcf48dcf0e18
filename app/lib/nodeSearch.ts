import type { NodeSchema } from '@/nodes/schemas';

/** Relevance tiers, best first. */
export const Tier = { Exact: 0, Prefix: 1, Words: 2, Contains: 3, Description: 4 } as const;
export type Tier = (typeof Tier)[keyof typeof Tier];

/** "KSamplerAdvanced" / "Load Checkpoint" / "CLIPTextEncodeSDXL" → lower-case words ["k", "sampler", "advanced"] … */
export function words(s: string): string[] {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

function names(s: NodeSchema): string[] {
  return [s.id, s.title, ...(s.aliases ?? []).map((a) => a.id)];
}

/** How well a node matches the query (null: not at all). Class ids and display titles count alike. */
export function matchTier(s: NodeSchema, query: string): Tier | null {
  const q = query.trim().toLowerCase();
  if (q === '') return Tier.Exact;
  const all = names(s).map((n) => n.toLowerCase());
  const squashed = q.replace(/\s+/g, '');
  if (all.some((n) => n === q || n.replace(/\s+/g, '') === squashed)) return Tier.Exact;
  if (all.some((n) => n.startsWith(q) || n.replace(/\s+/g, '').startsWith(squashed))) return Tier.Prefix;
  const qWords = q.split(/\s+/).filter(Boolean);
  const nameWords = names(s).flatMap(words);
  if (qWords.every((w) => nameWords.some((n) => n.startsWith(w)))) return Tier.Words;
  if (qWords.every((w) => all.some((n) => n.includes(w)))) return Tier.Contains;
  const text = `${s.description} ${s.category}`.toLowerCase();
  if (qWords.every((w) => text.includes(w))) return Tier.Description;
  return null;
}

/** Nodes matching the query, best first: exact, then prefix, then words, then anywhere in a name, then description. */
export function rankNodes(schemas: readonly NodeSchema[], query: string): NodeSchema[] {
  const scored: { s: NodeSchema; tier: Tier; i: number }[] = [];
  schemas.forEach((s, i) => {
    if (s.deprecated) return;
    const tier = matchTier(s, query);
    if (tier !== null) scored.push({ s, tier, i });
  });
  if (query.trim() === '') return scored.map((x) => x.s);
  return scored
    .sort((a, b) => a.tier - b.tier || a.s.title.length - b.s.title.length || a.s.title.localeCompare(b.s.title) || a.i - b.i)
    .map((x) => x.s);
}
