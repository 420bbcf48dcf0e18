/**
 * Finds the first object key that occurs twice in the same JSON object.
 * JSON.parse keeps the last duplicate silently, so a strict reader scans the text itself.
 * The input must already be valid JSON (call after JSON.parse succeeded).
 */
export function findDuplicateKey(json: string): { key: string; path: string } | undefined {
  // one frame per open container; objects carry their key set and whether the next string is a key
  type Frame = { keys: Set<string> | undefined; expectKey: boolean; name: string };
  const stack: Frame[] = [];
  let i = 0;
  const n = json.length;
  while (i < n) {
    const c = json.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      i++;
      while (i < n) {
        const d = json.charCodeAt(i);
        if (d === 0x5c /* \ */) i += 2;
        else if (d === 0x22) break;
        else i++;
      }
      i++;
      const top = stack[stack.length - 1];
      if (top?.keys && top.expectKey) {
        const key = JSON.parse(json.slice(start, i)) as string;
        if (top.keys.has(key))
          return {
            key,
            path: stack
              .slice(0, -1)
              .map((f) => f.name)
              .filter(Boolean)
              .join('.'),
          };
        top.keys.add(key);
        top.expectKey = false;
        top.name = key;
      }
      continue;
    }
    if (c === 0x7b /* { */) {
      const parent = stack[stack.length - 1];
      stack.push({ keys: new Set(), expectKey: true, name: '' });
      if (parent) parent.expectKey = false;
    } else if (c === 0x5b /* [ */) {
      stack.push({ keys: undefined, expectKey: false, name: '' });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.keys) top.expectKey = true;
    }
    i++;
  }
  return undefined;
}
