'use client';
import { useEffect } from 'react';
import { copySelectionText, duplicateSelection, pasteText, queueCurrent, saveCurrent } from '@/app/lib/editorActions';
import { groupAround } from '@/app/lib/groups';
import { useGraphStore } from '@/app/stores/graphStore';
import { useToastStore } from '@/app/stores/toastStore';

function typingIn(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

/** Selected node ids (what Ctrl+B / Ctrl+M / Ctrl+G act on). */
export function selectedIds(): string[] {
  return useGraphStore
    .getState()
    .nodes.filter((n) => n.selected)
    .map((n) => n.id);
}

export function groupSelection(): boolean {
  const { nodes, addGroup } = useGraphStore.getState();
  const g = groupAround(nodes.filter((n) => n.selected));
  if (!g) return false;
  addGroup(g);
  return true;
}

/** Global keys; copy/paste go through the clipboard events so other tabs see the workflow JSON. */
export function useShortcuts(toggleHelp: () => void) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && key === 'enter') {
        e.preventDefault();
        void queueCurrent();
        return;
      }
      if (mod && key === 's') {
        e.preventDefault();
        void saveCurrent();
        return;
      }
      if (typingIn(e.target) || document.querySelector('[role="dialog"]')) return;
      const graph = useGraphStore.getState();
      if (mod && key === 'z') {
        e.preventDefault();
        if (e.shiftKey) graph.redo();
        else graph.undo();
      } else if (mod && key === 'y') {
        e.preventDefault();
        graph.redo();
      } else if (mod && key === 'a') {
        e.preventDefault();
        useGraphStore.setState({ nodes: graph.nodes.map((n) => ({ ...n, selected: true })) });
      } else if (mod && key === 'b') {
        e.preventDefault();
        graph.toggleMode(selectedIds(), 'bypassed');
      } else if (mod && key === 'm') {
        e.preventDefault();
        graph.toggleMode(selectedIds(), 'muted');
      } else if (mod && key === 'g') {
        e.preventDefault();
        groupSelection();
      } else if (mod && key === 'd') {
        e.preventDefault();
        duplicateSelection();
      } else if (!mod && (e.key === 'Delete' || e.key === 'Backspace')) {
        e.preventDefault();
        graph.deleteSelected();
      } else if (e.key === '?') {
        toggleHelp();
      }
    };
    const onCopy = (e: ClipboardEvent) => {
      if (typingIn(e.target)) return;
      const text = copySelectionText();
      if (!text || !e.clipboardData) return;
      e.clipboardData.setData('text/plain', text);
      e.preventDefault();
      useToastStore.getState().push('Copied nodes');
    };
    const onPaste = (e: ClipboardEvent) => {
      if (typingIn(e.target)) return;
      const text = e.clipboardData?.getData('text/plain');
      if (text && pasteText(text)) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    document.addEventListener('copy', onCopy);
    document.addEventListener('paste', onPaste);
    return () => {
      window.removeEventListener('keydown', onKey);
      document.removeEventListener('copy', onCopy);
      document.removeEventListener('paste', onPaste);
    };
  }, [toggleHelp]);
}
