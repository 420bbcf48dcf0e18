'use client';

export const SHORTCUTS: readonly [string, string][] = [
  ['Ctrl+Enter', 'queue the graph'],
  ['Ctrl+Z', 'undo'],
  ['Ctrl+Shift+Z / Ctrl+Y', 'redo'],
  ['Ctrl+C / Ctrl+V', 'copy / paste nodes (as workflow JSON, works across tabs)'],
  ['Ctrl+A', 'select all nodes'],
  ['Delete / Backspace', 'delete selection'],
  ['Ctrl+S', 'save to library'],
  ['Double-click canvas', 'add a node'],
  ['Drag output to empty space', 'add a compatible node'],
  ['Shift+drag', 'box select'],
  ['Ctrl+click', 'add to selection'],
  ['?', 'this help'],
];

export function ShortcutsHelp({ onClose }: { onClose: () => void }) {
  return (
    <div className="fixed inset-0 z-50 flex items-center justify-center bg-black/60" onClick={onClose}>
      <div data-testid="shortcuts-help" className="w-[28rem] rounded-lg bg-neutral-900 p-4 shadow-2xl ring-1 ring-neutral-700" onClick={(e) => e.stopPropagation()}>
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
      </div>
    </div>
  );
}
