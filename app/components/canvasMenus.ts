/** The right-click menus of the canvas: on the canvas, a node, the selection, a wire and a group (ComfyUI's entries). */
import type { WorkflowGroup } from '@/nodes/workflow/schema';
import { duplicateSelection } from '@/app/lib/editorActions';
import { COLORS, COLOR_NAMES, nodesInGroup, type ColorName } from '@/app/lib/groups';
import { nodeLook, type XY } from '@/app/lib/workflow';
import { insertPoint } from '@/app/lib/reroutes';
import { groupSelection } from '@/app/hooks/useShortcuts';
import { promptDialog } from '@/app/stores/dialogStore';
import { useGraphStore } from '@/app/stores/graphStore';
import { useTemplateStore } from '@/app/stores/templateStore';
import type { MenuItem } from './ContextMenu';

const label = (name: ColorName) => name.replace('_', ' ');

function colorItems(prefix: string, apply: (c: (typeof COLORS)[ColorName] | null) => void): MenuItem[] {
  return [
    { label: 'no colour', testId: `${prefix}-none`, onSelect: () => apply(null) },
    ...COLOR_NAMES.map((c): MenuItem => ({ label: label(c), testId: `${prefix}-${c}`, onSelect: () => apply(COLORS[c]) })),
  ];
}

/** Entries that act on a set of nodes (one node's menu and the selection's share them). */
function nodeSetItems(ids: string[], prefix: string): MenuItem[] {
  const g = useGraphStore.getState();
  const nodes = g.nodes.filter((n) => ids.includes(n.id));
  const all = (pred: (n: (typeof nodes)[number]) => boolean) => nodes.length > 0 && nodes.every(pred);
  const collapsed = all((n) => nodeLook(n.data).collapsed === true);
  const pinned = all((n) => nodeLook(n.data).pinned === true);
  return [
    {
      label: 'Bypass',
      hint: 'Ctrl+B',
      testId: `${prefix}-bypass`,
      checked: all((n) => n.data.mode === 'bypassed'),
      onSelect: () => g.toggleMode(ids, 'bypassed'),
    },
    {
      label: 'Mute',
      hint: 'Ctrl+M',
      testId: `${prefix}-mute`,
      checked: all((n) => n.data.mode === 'muted'),
      onSelect: () => g.toggleMode(ids, 'muted'),
    },
    {
      label: 'Collapse',
      testId: `${prefix}-collapse`,
      checked: collapsed,
      onSelect: () => g.setLook(ids, { collapsed: collapsed ? undefined : true }),
    },
    { label: 'Pin', testId: `${prefix}-pin`, checked: pinned, onSelect: () => g.setLook(ids, { pinned: pinned ? undefined : true }) },
    {
      kind: 'submenu',
      label: 'Colour',
      testId: `${prefix}-colour`,
      items: colorItems(`${prefix}-colour`, (c) =>
        g.setLook(ids, c ? { color: c.color, bgcolor: c.bgcolor } : { color: undefined, bgcolor: undefined }),
      ),
    },
    { kind: 'separator' },
    {
      label: 'Duplicate',
      hint: 'Ctrl+D',
      testId: `${prefix}-duplicate`,
      onSelect: () => {
        g.select(ids);
        duplicateSelection();
      },
    },
    { label: 'Delete', hint: 'Del', testId: `${prefix}-delete`, danger: true, onSelect: () => g.deleteNodes(ids) },
  ];
}

export function nodeMenu(id: string): MenuItem[] {
  const g = useGraphStore.getState();
  const node = g.nodes.find((n) => n.id === id);
  if (!node) return [];
  const schema = useTemplateStore.getState().byId[node.data.type];
  const converted = new Set(nodeLook(node.data).widget_inputs ?? []);
  const widgets = schema?.params ?? [];
  const items: MenuItem[] = [
    {
      label: 'Rename title…',
      testId: 'menu-node-rename',
      onSelect: async () => {
        const title = await promptDialog({
          title: 'Node title',
          label: `Title of ${id} (empty: ${schema?.title ?? node.data.type})`,
          initial: node.data.title ?? schema?.title ?? '',
          confirm: 'Rename',
          testId: 'rename-dialog',
        });
        if (title !== null) useGraphStore.getState().setTitle(id, title === schema?.title ? '' : title);
      },
    },
  ];
  const toInput = widgets.filter((w) => !converted.has(w.name));
  const toWidget = widgets.filter((w) => converted.has(w.name));
  if (toInput.length) {
    items.push({
      kind: 'submenu',
      label: 'Convert widget to input',
      testId: 'menu-node-to-input',
      items: toInput.map((w) => ({
        label: w.label ?? w.name,
        testId: `menu-node-to-input-${w.name}`,
        onSelect: () => g.setLook([id], { widget_inputs: [...converted, w.name] }),
      })),
    });
  }
  if (toWidget.length) {
    items.push({
      kind: 'submenu',
      label: 'Convert input to widget',
      testId: 'menu-node-to-widget',
      items: toWidget.map((w) => ({
        label: w.label ?? w.name,
        testId: `menu-node-to-widget-${w.name}`,
        onSelect: () => {
          const rest = [...converted].filter((x) => x !== w.name);
          const gs = useGraphStore.getState();
          gs.setLook([id], { widget_inputs: rest.length ? rest : undefined });
          // the widget takes its own value again: a link into it is removed (as in ComfyUI)
          const linked = gs.edges.find((e) => e.target === id && e.targetHandle === w.name);
          if (linked) useGraphStore.setState({ edges: useGraphStore.getState().edges.filter((e) => e !== linked) });
        },
      })),
    });
  }
  items.push({ kind: 'separator' }, ...nodeSetItems([id], 'menu-node'));
  return items;
}

export function selectionMenu(ids: string[]): MenuItem[] {
  return [
    { label: `Group ${ids.length} nodes`, hint: 'Ctrl+G', testId: 'menu-selection-group', onSelect: () => groupSelection() },
    { kind: 'separator' },
    ...nodeSetItems(ids, 'menu-selection'),
  ];
}

export function edgeMenu(edgeId: string, at: XY): MenuItem[] {
  const g = useGraphStore.getState();
  const edge = g.edges.find((e) => e.id === edgeId);
  if (!edge) return [];
  const points = edge.data?.points ?? [];
  return [
    {
      label: 'Add reroute point here',
      testId: 'menu-edge-reroute',
      onSelect: () => {
        const gs = useGraphStore.getState();
        const e = gs.edges.find((x) => x.id === edgeId);
        const src = gs.nodes.find((n) => n.id === e?.source);
        const dst = gs.nodes.find((n) => n.id === e?.target);
        if (!e || !src || !dst) return;
        const from = { x: src.position.x + (src.measured?.width ?? 288), y: src.position.y };
        gs.setEdgePoints(edgeId, insertPoint(from, dst.position, e.data?.points ?? [], at));
      },
    },
    ...(points.length
      ? [{ label: 'Remove reroute points', testId: 'menu-edge-unroute', onSelect: () => g.setEdgePoints(edgeId, []) } as MenuItem]
      : []),
    { kind: 'separator' },
    { label: 'Delete wire', testId: 'menu-edge-delete', danger: true, onSelect: () => g.deleteEdge(edgeId) },
  ];
}

export function paneMenu(openPalette: () => void, addGroupAt: () => void, fit: () => void): MenuItem[] {
  const g = useGraphStore.getState();
  return [
    { label: 'Add node…', hint: 'double-click', testId: 'menu-pane-add', onSelect: openPalette },
    { label: 'Add group here', testId: 'menu-pane-group', onSelect: addGroupAt },
    { kind: 'separator' },
    { label: 'Select all', hint: 'Ctrl+A', testId: 'menu-pane-select-all', onSelect: () => g.select(g.nodes.map((n) => n.id)) },
    { label: 'Fit view', testId: 'menu-pane-fit', onSelect: fit },
  ];
}

export function groupMenu(index: number, group: WorkflowGroup): MenuItem[] {
  const g = useGraphStore.getState();
  return [
    {
      label: 'Rename group…',
      testId: 'menu-group-rename',
      onSelect: async () => {
        const title = await promptDialog({ title: 'Group title', label: 'Title', initial: group.title, confirm: 'Rename', testId: 'rename-dialog' });
        if (title !== null) useGraphStore.getState().updateGroup(index, { title: title || 'Group' });
      },
    },
    {
      kind: 'submenu',
      label: 'Colour',
      testId: 'menu-group-colour',
      items: colorItems('menu-group-colour', (c) => g.updateGroup(index, { color: c ? c.groupcolor : undefined })),
    },
    { label: 'Select its nodes', testId: 'menu-group-select', onSelect: () => g.select(nodesInGroup(group, g.nodes)) },
    { kind: 'separator' },
    { label: 'Remove group (keep nodes)', testId: 'menu-group-remove', onSelect: () => g.removeGroup(index) },
    {
      label: 'Delete group and its nodes',
      testId: 'menu-group-delete',
      danger: true,
      onSelect: () => {
        const inside = nodesInGroup(group, g.nodes);
        g.removeGroup(index);
        useGraphStore.getState().deleteNodes(inside);
      },
    },
  ];
}
