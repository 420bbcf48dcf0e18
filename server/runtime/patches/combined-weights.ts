/** One provider over the model's weights and patch weights (hypernetworks) under their own name prefixes. */
import type { WeightProvider } from '../checkpoint/weights';

export function withPrefixedWeights(base: WeightProvider, extras: readonly (readonly [prefix: string, weights: WeightProvider])[]): WeightProvider {
  if (extras.length === 0) return base;
  const route = (name: string): [WeightProvider, string] => {
    for (const [prefix, w] of extras) if (name.startsWith(prefix)) return [w, name.slice(prefix.length)];
    return [base, name];
  };
  return {
    names: () => [...base.names(), ...extras.flatMap(([prefix, w]) => w.names().map((n) => prefix + n))],
    has: (name) => {
      const [w, n] = route(name);
      return w.has(n);
    },
    info: (name) => {
      const [w, n] = route(name);
      return w.info(n);
    },
    fileRange: (name) => {
      const [w, n] = route(name);
      return w.fileRange(n);
    },
    float32: (name) => {
      const [w, n] = route(name);
      return w.float32(n);
    },
    identity: (name) => {
      const [w, n] = route(name);
      return w.identity(n);
    },
  };
}
