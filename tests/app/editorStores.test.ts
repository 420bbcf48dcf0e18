import { beforeEach, describe, expect, it } from 'vitest';
import { REGISTRY } from '@/nodes/registry';
import { DEFAULT_WORKFLOW } from '@/app/lib/defaultGraph';
import { documentKey } from '@/app/lib/editorActions';
import { groupAround, nodesInGroup } from '@/app/lib/groups';
import { insertPoint, reroutedPath } from '@/app/lib/reroutes';
import { graphToWorkflow, workflowToGraph } from '@/app/lib/workflow';
import { useDocumentStore } from '@/app/stores/documentStore';
import { useGraphStore } from '@/app/stores/graphStore';
import { useJobsStore } from '@/app/stores/jobsStore';
import type { JobSummary } from '@/app/lib/engineApi';

const g = () => useGraphStore.getState();

beforeEach(() => {
  useGraphStore.setState({ nodes: [], edges: [], groups: [], past: [], future: [], lastCommit: null });
  g().replaceGraph(workflowToGraph(DEFAULT_WORKFLOW, REGISTRY.schemas), false);
  useDocumentStore.setState({ name: 'untitled', libraryName: null, baseline: documentKey(g()), dirty: false });
});

describe('document history', () => {
  it('undo of a load brings back the old graph with its name and library entry; redo the new one', () => {
    useDocumentStore.setState({ name: 'mine', libraryName: 'mine', baseline: documentKey(g()) });
    const mine = graphToWorkflow(g());
    g().replaceGraph({ nodes: [], edges: [], groups: [] });
    useDocumentStore.getState().setDocument({ name: 'other', libraryName: null, baseline: documentKey(g()) });
    g().undo();
    expect(graphToWorkflow(g())).toEqual(mine);
    expect(useDocumentStore.getState()).toMatchObject({ name: 'mine', libraryName: 'mine' });
    expect(documentKey(g())).toBe(useDocumentStore.getState().baseline);
    g().redo();
    expect(g().nodes).toHaveLength(0);
    expect(useDocumentStore.getState().name).toBe('other');
  });

  it('a moved node or changed value is a difference from the saved state; selection is not', () => {
    const base = useDocumentStore.getState().baseline;
    g().select(['sampler']);
    expect(documentKey(g())).toBe(base);
    g().setParam('sampler', 'steps', 3);
    expect(documentKey(g())).not.toBe(base);
  });
});

describe('graph editing actions', () => {
  it('toggles bypass and mute per node as ComfyUI does, in one undo step', () => {
    g().toggleMode(['sampler', 'decode'], 'bypassed');
    expect(
      g()
        .nodes.filter((n) => n.data.mode === 'bypassed')
        .map((n) => n.id)
        .sort(),
    ).toEqual(['decode', 'sampler']);
    g().toggleMode(['sampler'], 'muted');
    expect(g().nodes.find((n) => n.id === 'sampler')?.data.mode).toBe('muted');
    g().toggleMode(['sampler'], 'muted');
    expect(g().nodes.find((n) => n.id === 'sampler')?.data.mode).toBeUndefined();
    g().undo();
    g().undo();
    expect(g().nodes.find((n) => n.id === 'sampler')?.data.mode).toBe('bypassed');
  });

  it('pins (not draggable), collapses and colours nodes through their ui, and saves it', () => {
    g().setLook(['latent'], { pinned: true, collapsed: true, color: '#232', bgcolor: '#353' });
    const latent = g().nodes.find((n) => n.id === 'latent');
    expect(latent?.draggable).toBe(false);
    expect(graphToWorkflow(g()).nodes.latent?.ui).toMatchObject({ pinned: true, collapsed: true, color: '#232', bgcolor: '#353' });
    g().setLook(['latent'], { pinned: undefined });
    expect(g().nodes.find((n) => n.id === 'latent')?.draggable).toBeUndefined();
    expect(graphToWorkflow(g()).nodes.latent?.ui).not.toHaveProperty('pinned');
  });

  it('a group made around nodes moves them with it, and only them', () => {
    const chosen = g().nodes.filter((n) => n.id === 'pos' || n.id === 'neg');
    const group = groupAround(chosen, 'Prompts');
    if (!group) throw new Error('no group');
    g().addGroup(group);
    const members = nodesInGroup(group, g().nodes);
    expect(members.sort()).toEqual(['neg', 'pos']);
    const positions = Object.fromEntries(g().nodes.map((n) => [n.id, { ...n.position }]));
    g().moveGroup(0, members, { bounding: group.bounding, positions }, 30, -10);
    expect(g().nodes.find((n) => n.id === 'pos')?.position).toEqual({ x: (positions.pos?.x ?? 0) + 30, y: (positions.pos?.y ?? 0) - 10 });
    expect(g().nodes.find((n) => n.id === 'sampler')?.position).toEqual(positions.sampler);
    expect(g().groups?.[0]?.bounding.slice(0, 2)).toEqual([group.bounding[0] + 30, group.bounding[1] - 10]);
  });

  it('reroute points go between the anchors they are nearest, survive the file format, and shape the wire', () => {
    const pts = insertPoint({ x: 0, y: 0 }, { x: 100, y: 0 }, [{ x: 50, y: 50 }], { x: 80, y: 30 });
    expect(pts).toEqual([
      { x: 50, y: 50 },
      { x: 80, y: 30 },
    ]);
    g().setEdgePoints('sampler:latent_image', pts);
    const wf = graphToWorkflow(g());
    expect(wf.nodes.sampler?.ui?.reroutes).toEqual({
      latent_image: [
        [50, 50],
        [80, 30],
      ],
    });
    const back = workflowToGraph(wf, REGISTRY.schemas);
    expect(back.edges.find((e) => e.id === 'sampler:latent_image')?.data?.points).toEqual(pts);
    expect(back.nodes.find((n) => n.id === 'sampler')?.data.extra?.reroutes).toBeUndefined();
    expect(reroutedPath({ x: 0, y: 0 }, { x: 100, y: 0 }, pts)).toContain(' 80,30 C ');
  });
});

const job = (id: string, createdAt: string, status: JobSummary['status'] = 'finished'): JobSummary =>
  ({ id, status, createdAt, files: [], attempts: 1, title: null, nodeCount: 1, prompt: null }) as unknown as JobSummary;

describe('jobs store', () => {
  beforeEach(() => useJobsStore.setState({ queue: [], history: [], historyCursor: undefined, endedHere: [] }));

  it('keeps older pages when the newest page is refreshed, newest first, without duplicates', () => {
    const js = useJobsStore.getState();
    js.mergeNewest([job('c', '2026-01-03'), job('b', '2026-01-02')], 'cursor-b');
    js.appendOlder([job('a', '2026-01-01')], null);
    expect(useJobsStore.getState().historyCursor).toBeNull();
    useJobsStore.getState().mergeNewest([job('d', '2026-01-04'), job('c', '2026-01-03')], 'cursor-c');
    const s = useJobsStore.getState();
    expect(s.history.map((j) => j.id)).toEqual(['d', 'c', 'b', 'a']);
    // the older pages were all loaded already: no cursor to page on
    expect(s.historyCursor).toBeNull();
  });

  it('orders the queue as it runs: running, then queued oldest first', () => {
    useJobsStore.getState().setQueue([job('r', '1', 'running')], [job('q3', '3', 'queued'), job('q2', '2', 'queued')]);
    expect(useJobsStore.getState().queue.map((j) => j.id)).toEqual(['r', 'q2', 'q3']);
  });
});
