/**
 * Model names as ComfyUI users write them, resolved against the listing of a folder key (model-list.ts).
 * Rules, tried in order; the first rule that matches decides, and more than one match there is an error
 * naming the candidates rather than a guess:
 *   exact       the listed name as written
 *   normalized  `\` separators, `./` prefixes and doubled slashes tidied
 *   case        the same name in another letter case
 *   folder      a bare file name, found in some sub-folder ("sd15.safetensors" → "SD1.5/sd15.safetensors")
 *   extension   the name without its extension ("sd15" → "sd15.safetensors"), in any of the above forms
 * Never outside the model directories: only listed files resolve, and absolute names, `..` segments and
 * NUL bytes are refused before any lookup.
 */
import { editDistance } from '../scheduler/edit-distance';
import { acceptedExtension, type ModelFolderName } from './model-folders';
import { defaultModelListCache, statOrNull, type ModelEntry, type ModelListCache, type ModelListing } from './model-list';
import type { LoomPaths } from './paths';

export type ModelNameRule = 'exact' | 'normalized' | 'case' | 'folder' | 'extension';

export type ModelNameResolution =
  | { ok: true; name: string; path: string; rule: ModelNameRule }
  | { ok: false; reason: 'refused' | 'not-found' | 'ambiguous'; message: string; suggestions: string[] };

type Paths = Pick<LoomPaths, 'models' | 'extraModelPaths'>;

export function resolveModelName(
  paths: Paths,
  key: ModelFolderName,
  name: string,
  cache: ModelListCache = defaultModelListCache,
): ModelNameResolution {
  const first = resolveIn(cache.get(paths, key), name);
  // a listing can outlive a file removed behind a link; look again once before answering
  if (first.ok && !statOrNull(first.path)?.isFile()) return resolveIn(cache.get(paths, key, { fresh: true }), name);
  return first;
}

/** resolveModelName for code that wants the file or an Error with the message. */
export function resolveModelPath(paths: Paths, key: ModelFolderName, name: string, cache?: ModelListCache): string {
  const r = resolveModelName(paths, key, name, cache);
  if (!r.ok) throw new Error(r.message);
  return r.path;
}

/** Tidies separators and `./`, or says why the name is refused. */
export function normalizeModelName(name: string): { ok: true; name: string } | { ok: false; why: string } {
  if (name.length === 0) return { ok: false, why: 'the name is empty' };
  if (name.includes('\0')) return { ok: false, why: 'it contains a NUL byte' };
  const slashed = name.replace(/\\/g, '/');
  if (slashed.startsWith('/') || /^[a-zA-Z]:/.test(slashed)) return { ok: false, why: 'it is an absolute path' };
  const parts = slashed.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return { ok: false, why: 'it climbs out with ".."' };
  if (parts.length === 0) return { ok: false, why: 'it names no file' };
  return { ok: true, name: parts.join('/') };
}

interface Indexes {
  lower: Map<string, ModelEntry[]>;
  base: Map<string, ModelEntry[]>;
  lowerBase: Map<string, ModelEntry[]>;
  stem: Map<string, ModelEntry[]>;
  lowerStem: Map<string, ModelEntry[]>;
  baseStem: Map<string, ModelEntry[]>;
  lowerBaseStem: Map<string, ModelEntry[]>;
}

const indexCache = new WeakMap<ModelListing, Indexes>();

function indexesOf(listing: ModelListing): Indexes {
  let ix = indexCache.get(listing);
  if (ix) return ix;
  ix = {
    lower: new Map(),
    base: new Map(),
    lowerBase: new Map(),
    stem: new Map(),
    lowerStem: new Map(),
    baseStem: new Map(),
    lowerBaseStem: new Map(),
  };
  const add = (m: Map<string, ModelEntry[]>, k: string, e: ModelEntry) => {
    const list = m.get(k);
    if (list) list.push(e);
    else m.set(k, [e]);
  };
  for (const e of listing.entries) {
    const stem = stemOf(listing, e.name);
    add(ix.lower, e.name.toLowerCase(), e);
    add(ix.base, baseOf(e.name), e);
    add(ix.lowerBase, baseOf(e.name).toLowerCase(), e);
    add(ix.stem, stem, e);
    add(ix.lowerStem, stem.toLowerCase(), e);
    add(ix.baseStem, baseOf(stem), e);
    add(ix.lowerBaseStem, baseOf(stem).toLowerCase(), e);
  }
  indexCache.set(listing, ix);
  return ix;
}

const baseOf = (name: string) => name.slice(name.lastIndexOf('/') + 1);

function stemOf(listing: ModelListing, name: string): string {
  const ext = acceptedExtension(listing.key, name);
  return ext ? name.slice(0, name.length - ext.length) : name;
}

const quoted = (names: readonly string[]) => names.map((n) => JSON.stringify(n)).join(', ');

function resolveIn(listing: ModelListing, raw: string): ModelNameResolution {
  const key = listing.key;
  const exact = listing.byName.get(raw);
  if (exact) return { ok: true, name: exact.name, path: exact.path, rule: 'exact' };
  const norm = normalizeModelName(raw);
  if (!norm.ok) {
    return {
      ok: false,
      reason: 'refused',
      message: `${key} name ${JSON.stringify(raw)} refused: ${norm.why}; model names are relative to the ${key} folders.`,
      suggestions: [],
    };
  }
  const name = norm.name;
  const ix = indexesOf(listing);
  const bare = !name.includes('/');
  const hasExtension = acceptedExtension(key, name) !== null;
  const lower = name.toLowerCase();
  const single = listing.byName.get(name);
  const tiers: Array<[ModelNameRule, readonly ModelEntry[] | undefined, boolean]> = [
    ['normalized', single ? [single] : undefined, true],
    ['case', ix.lower.get(lower), true],
    ['folder', ix.base.get(name), bare],
    ['folder', ix.lowerBase.get(lower), bare],
    ['extension', ix.stem.get(name), !hasExtension],
    ['extension', ix.lowerStem.get(lower), !hasExtension],
    ['extension', ix.baseStem.get(name), !hasExtension && bare],
    ['extension', ix.lowerBaseStem.get(lower), !hasExtension && bare],
  ];
  for (const [rule, found, applies] of tiers) {
    if (!applies || !found || found.length === 0) continue;
    if (found.length === 1) return { ok: true, name: found[0].name, path: found[0].path, rule };
    const names = found.map((e) => e.name);
    return {
      ok: false,
      reason: 'ambiguous',
      message: `${key} name ${JSON.stringify(raw)} matches ${names.length} files: ${quoted(names)}; write the full name.`,
      suggestions: names,
    };
  }
  const suggestions = closestModelNames(listing, name);
  const where = listing.roots.length === 1 ? listing.roots[0] : `any of ${listing.roots.join(', ')}`;
  const hint = suggestions.length > 0 ? ` Did you mean ${quoted(suggestions)}?` : '';
  return {
    ok: false,
    reason: 'not-found',
    message: `${key} file ${JSON.stringify(raw)} not found in ${where} (${listing.entries.length} listed).${hint}`,
    suggestions,
  };
}

/**
 * Up to `limit` listed names nearest by edit distance (case-insensitive), comparing names without their
 * extension both whole and by file name; only names within a third of the file name's length (at least 2).
 */
export function closestModelNames(listing: ModelListing, name: string, limit = 3): string[] {
  const stem = stemOf(listing, name);
  const stemBase = baseOf(stem);
  const limitDist = Math.max(2, Math.floor(stemBase.length / 3));
  const scored: Array<{ name: string; d: number }> = [];
  for (const e of listing.entries) {
    const s = stemOf(listing, e.name);
    const sb = baseOf(s);
    let d = Infinity;
    // a length gap is a lower bound on the distance: skip the quadratic work when it already exceeds the limit
    if (Math.abs(s.length - stem.length) <= limitDist) d = editDistance(stem, s);
    if (d > limitDist && Math.abs(sb.length - stemBase.length) <= limitDist) d = Math.min(d, editDistance(stemBase, sb));
    if (d <= limitDist) scored.push({ name: e.name, d });
  }
  return scored
    .sort((a, b) => a.d - b.d || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .slice(0, limit)
    .map((x) => x.name);
}
