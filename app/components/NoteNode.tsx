'use client';
import { useState } from 'react';
import dynamic from 'next/dynamic';

// react-markdown renders to React elements: raw HTML in a note is not rendered, javascript: links are dropped
const Markdown = dynamic(() => import('react-markdown'), { ssr: false, loading: () => <p className="text-yellow-200/60">…</p> });

interface Props {
  id: string;
  title: string;
  text: string;
  markdown: boolean;
  onText: (text: string) => void;
}

/** Note (plain text, as ComfyUI's) and MarkdownNote (rendered; double-click to edit). */
export function NoteBody({ id, text, markdown, onText }: Props) {
  const [editing, setEditing] = useState(!markdown);
  if (editing || !markdown) {
    return (
      <textarea
        data-testid={`param-${id}-text`}
        autoFocus={markdown}
        className="nodrag nowheel h-full min-h-28 w-full flex-1 resize-none rounded bg-transparent p-1 outline-none ring-1 ring-yellow-800 focus:ring-yellow-500"
        value={text}
        onChange={(e) => onText(e.target.value)}
        onBlur={() => markdown && setEditing(false)}
        onKeyDown={(e) => {
          if (markdown && e.key === 'Escape') {
            e.stopPropagation();
            setEditing(false);
          }
        }}
      />
    );
  }
  return (
    <div
      data-testid={`note-markdown-${id}`}
      className="markdown nowheel min-h-28 flex-1 cursor-text overflow-auto rounded p-1 ring-1 ring-yellow-900/60"
      title="double-click to edit"
      onDoubleClick={(e) => {
        e.stopPropagation();
        setEditing(true);
      }}
    >
      {text.trim() === '' ? <p className="text-yellow-200/50">double-click to write Markdown</p> : <Markdown>{text}</Markdown>}
    </div>
  );
}
