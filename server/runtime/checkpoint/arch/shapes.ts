/** What config derivation reads: tensor shapes by name (a WeightProvider satisfies it). */
export interface ShapeSource {
  names(): string[];
  has(name: string): boolean;
  info(name: string): { shape: readonly number[] };
}

/** Shape of `name`, checked against the expected rank; errors name the tensor. */
export function shapeOf(src: ShapeSource, component: string, name: string, rank?: number): readonly number[] {
  if (!src.has(name)) throw new Error(`${component}: missing tensor ${name}`);
  const s = src.info(name).shape;
  if (rank !== undefined && s.length !== rank) {
    throw new Error(`${component}: tensor ${name} has shape [${s.join(',')}], expected rank ${rank}`);
  }
  return s;
}

/** Largest N such that some name starts with `${prefix}${N-1}.`; 0 when none. */
export function countIndexed(src: ShapeSource, prefix: string): number {
  let n = 0;
  for (const name of src.names()) {
    if (!name.startsWith(prefix)) continue;
    const idx = Number.parseInt(name.slice(prefix.length), 10);
    if (Number.isInteger(idx) && idx + 1 > n) n = idx + 1;
  }
  return n;
}

export function fail(component: string, name: string, shape: readonly number[], why: string): never {
  throw new Error(`${component}: tensor ${name} [${shape.join(',')}] ${why}`);
}
