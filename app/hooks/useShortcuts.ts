'use client';
import { useEffect } from 'react';
import { copySelectionText, pasteText, queueCurrent, saveCurrent } from '@/app/lib/editorActions';
import { useDocumentStore } from '@/app/stores/documentStore';
import { useGraphStore } from '@/app/stores/graphStore';
import { useToastStore } from '@/app/stores/toastStore';

function typingIn(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
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
        void saveCurrent(useDocumentStore.getState().name);
        return;
      }
      if (typingIn(e.target)) return;
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
