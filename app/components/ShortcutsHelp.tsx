'use client';
import { Modal } from './Modal';

export const SHORTCUTS: readonly [string, string][] = [
  ['Ctrl+Enter', 'queue the graph'],
  ['Ctrl+Z', 'undo'],
  ['Ctrl+Shift+Z / Ctrl+Y', 'redo'],
  ['Ctrl+C / Ctrl+V', 'copy / paste nodes at the pointer (as workflow JSON, works across tabs)'],
  ['Ctrl+D', 'duplicate the selection'],
  ['Ctrl+A', 'select all nodes'],
  ['Delete / Backspace', 'delete selection'],
  ['Ctrl+B', 'bypass the selected nodes (inputs pass through)'],
  ['Ctrl+M', 'mute the selected nodes (never run)'],
  ['Ctrl+G', 'group the selected nodes'],
  ['Ctrl+S', 'save to library'],
  ['Double-click canvas', 'add a node'],
  ['Right-click', 'menu for the canvas, a node, a wire, a group or the selection'],
  ['Drag output to empty space', 'add a compatible node'],
  ['Drag from the node list', 'place a node where you drop it'],
  ['Shift+drag', 'box select'],
  ['Ctrl+click', 'add to selection'],
  ['Esc', 'close the open dialog or menu'],
  ['?', 'this help'],
];

export function ShortcutsHelp({ onClose }: { onClose: () => void }) {
  return (
    <Modal onClose={onClose} testId="shortcuts-help" label="Keyboard shortcuts">
      <h2 className="mb-2 text-base font-semibold">Keyboard shortcuts</h2>
      <table className="w-full text-sm">
        <tbody>
          {SHORTCUTS.map(([keys, what]) => (
            <tr key={keys} className="border-t border-neutral-800">
              <td className="py-1 pr-3 font-mono text-xs text-sky-300">{keys}</td>
              <td className="py-1 text-neutral-300">{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Modal>
  );
}
