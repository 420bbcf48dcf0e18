'use client';
import { useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { errorMessage, previewInput, type InputPreview } from '@/app/lib/engineApi';
import { galleryItems } from '@/app/lib/gallery';
import { IMAGE_TYPES, inputNameFor, OUTPUT_DRAG_TYPE, uploadInput, copyOutputToInput } from '@/app/lib/inputFiles';
import { useJobsStore } from '@/app/stores/jobsStore';
import { useToastStore } from '@/app/stores/toastStore';
import type { WidgetProps } from './types';
import { fieldClass } from './types';

const PREVIEW_DELAY_MS = 250;

/** A gallery image to use as this node's input: the newest outputs from the server's history. */
function GalleryPicker({ onPick, onClose, testId }: { onPick: (url: string, path: string) => void; onClose: () => void; testId: string }) {
  const history = useJobsStore((s) => s.history);
  const items = useMemo(() => galleryItems(history).slice(0, 24), [history]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div
      data-testid={testId}
      className="nodrag nowheel absolute left-0 right-0 top-7 z-30 max-h-56 overflow-auto rounded bg-neutral-800 p-1 shadow-xl ring-1 ring-neutral-600"
    >
      {items.length === 0 && <p className="p-1 text-neutral-400">the gallery is empty</p>}
      <div className="grid grid-cols-4 gap-1">
        {items.map((g, i) => (
          <button
            key={g.url}
            type="button"
            data-testid={`${testId}-item-${i}`}
            title={g.path}
            className="aspect-square overflow-hidden rounded bg-neutral-900 hover:ring-2 hover:ring-sky-500"
            onClick={() => onPick(g.url, g.path)}
          >
            {/* eslint-disable-next-line @next/next/no-img-element */}
            <img src={g.url} alt={g.path} className="h-full w-full object-cover" loading="lazy" />
          </button>
        ))}
      </div>
    </div>
  );
}

/** A file in input/: typed, uploaded, dropped (PNG, JPEG, WebP) or taken from the gallery; LoadImage shows a preview. */
export function ImageWidget({ nodeId, spec, value, onChange, invalid }: WidgetProps<'image'>) {
  const picker = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [over, setOver] = useState(false);
  const [gallery, setGallery] = useState(false);
  const [preview, setPreview] = useState<InputPreview | null>(null);
  const name = typeof value === 'string' ? value : spec.default;
  const accept = spec.accept ?? [];
  const images = accept.some((a) => ['.png', '.jpg', '.jpeg', '.webp'].includes(a));
  const toast = useToastStore((s) => s.push);

  useEffect(() => {
    if (!images || !name) {
      setPreview(null);
      return;
    }
    let live = true;
    const t = setTimeout(() => {
      previewInput(name).then(
        (p) => live && setPreview(p),
        (err) => live && setPreview({ ok: false, reason: errorMessage(err) }),
      );
    }, PREVIEW_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [name, images]);

  const upload = async (file: File | undefined) => {
    if (!file) return;
    const target = images ? inputNameFor(file) : file.name;
    if (!target) {
      toast(`${file.name}: ${spec.label ?? spec.name} takes PNG, JPEG or WebP images`, 'error');
      return;
    }
    setBusy(true);
    try {
      onChange(await uploadInput(file, target));
    } catch (e) {
      toast(errorMessage(e), 'error');
    } finally {
      setBusy(false);
      if (picker.current) picker.current.value = '';
    }
  };

  const onDrop = (e: DragEvent) => {
    const output = e.dataTransfer.getData(OUTPUT_DRAG_TYPE);
    const file = e.dataTransfer.files[0];
    if (!output && !file) return;
    // the canvas would open a dropped PNG as a workflow: here it is an input image
    e.preventDefault();
    e.stopPropagation();
    setOver(false);
    if (output) {
      const { url, path } = JSON.parse(output) as { url: string; path: string };
      void copyOutputToInput(url, path, { x: 0, y: 0 }, nodeId);
    } else void upload(file);
  };

  return (
    <div
      data-testid={`image-drop-${nodeId}-${spec.name}`}
      data-over={over ? 'true' : 'false'}
      className={`relative flex flex-col gap-1 rounded ${over ? 'ring-2 ring-sky-400' : ''}`}
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes('Files') || e.dataTransfer.types.includes(OUTPUT_DRAG_TYPE)) {
          e.preventDefault();
          e.stopPropagation();
          setOver(true);
        }
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <label className="flex items-center gap-1">
        <span className="w-20 shrink-0 truncate text-neutral-400">{spec.label ?? spec.name}</span>
        <input
          data-testid={`param-${nodeId}-${spec.name}`}
          className={`${fieldClass(invalid)} min-w-0 flex-1`}
          placeholder={`file in input/ (${accept.join(' ')})`}
          value={name}
          onChange={(e) => onChange(e.target.value)}
        />
        <button
          type="button"
          data-testid={`upload-${nodeId}-${spec.name}`}
          className="nodrag shrink-0 rounded bg-neutral-700 px-1.5 py-0.5 text-[10px] hover:bg-neutral-600 disabled:opacity-50"
          disabled={busy}
          title={`upload a ${accept.join(' or ')} file into input/ (or drop one here)`}
          onClick={() => picker.current?.click()}
        >
          {busy ? '…' : 'Upload'}
        </button>
        {images && (
          <button
            type="button"
            data-testid={`gallery-pick-${nodeId}-${spec.name}`}
            className="nodrag shrink-0 rounded bg-neutral-700 px-1.5 py-0.5 text-[10px] hover:bg-neutral-600"
            title="use an image from the gallery"
            onClick={() => setGallery(!gallery)}
          >
            Gallery
          </button>
        )}
      </label>
      <input
        ref={picker}
        data-testid={`upload-file-${nodeId}-${spec.name}`}
        type="file"
        accept={images ? Object.keys(IMAGE_TYPES).join(',') : accept.join(',')}
        className="hidden"
        onChange={(e) => void upload(e.target.files?.[0])}
      />
      {gallery && (
        <GalleryPicker
          testId={`gallery-picker-${nodeId}`}
          onClose={() => setGallery(false)}
          onPick={(url, path) => {
            setGallery(false);
            void copyOutputToInput(url, path, { x: 0, y: 0 }, nodeId);
          }}
        />
      )}
      {images && (
        <div className="flex h-40 items-center justify-center overflow-hidden rounded bg-neutral-950 ring-1 ring-neutral-800">
          {preview?.ok ? (
            // eslint-disable-next-line @next/next/no-img-element
            <img
              data-testid={`input-preview-${nodeId}`}
              data-size={`${preview.width}x${preview.height}`}
              src={preview.dataUrl}
              alt={name}
              className="h-full w-full object-contain"
            />
          ) : (
            <span data-testid={`input-preview-missing-${nodeId}`} className="px-2 text-center text-[10px] text-neutral-500">
              {preview && !preview.ok ? preview.reason : name ? 'loading preview…' : 'drop an image here'}
            </span>
          )}
        </div>
      )}
    </div>
  );
}
