export interface PromptSegment {
  text: string;
  /** weight of a "(phrase:1.2)" group; undefined for plain text */
  weight?: number;
}

const WEIGHTED = /\(([^()]*?):\s*(-?\d+(?:\.\d+)?)\s*\)/g;

/** Splits a prompt into plain and weighted parts, keeping every character (for the highlight layer). */
export function segmentPrompt(prompt: string): PromptSegment[] {
  const out: PromptSegment[] = [];
  let last = 0;
  for (const m of prompt.matchAll(WEIGHTED)) {
    const start = m.index ?? 0;
    if (start > last) out.push({ text: prompt.slice(last, start) });
    out.push({ text: m[0], weight: Number(m[2]) });
    last = start + m[0].length;
  }
  if (last < prompt.length) out.push({ text: prompt.slice(last) });
  return out;
}
