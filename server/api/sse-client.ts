/** Minimal reader for the jobs.events SSE stream, for Node clients (the CLI) that lack EventSource. */
import type { JobEvent } from '../scheduler/events';

export async function* readJobEvents(
  baseUrl: string,
  input: { jobId?: string; lastEventId?: string },
  signal?: AbortSignal,
): AsyncGenerator<JobEvent> {
  const res = await fetch(`${baseUrl}/api/trpc/jobs.events?input=${encodeURIComponent(JSON.stringify(input))}`, { signal });
  if (!res.ok || !res.body) throw new Error(`event stream: HTTP ${res.status}`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += decoder.decode(value, { stream: true });
    for (let sep = buf.indexOf('\n\n'); sep >= 0; sep = buf.indexOf('\n\n')) {
      const block = buf.slice(0, sep);
      buf = buf.slice(sep + 2);
      if (/^event: ?(ping|connected|return|serialized-error)/m.test(block)) continue;
      const data = /^data: ?(.*)$/m.exec(block)?.[1];
      if (data && /^id: /m.test(block)) yield JSON.parse(data) as JobEvent;
    }
  }
}
