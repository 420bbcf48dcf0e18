'use client';
import { Handle, Position } from '@xyflow/react';
import { paramSocketType, type InputSpec, type OutputSpec, type ParamSpec, type ParamValue } from '@/nodes/schemas';
import type { Placeholder } from '@/nodes/workflow/schema';
import { describeFailure } from '@/app/lib/humanError';
import { SOCKET_COLORS } from '@/app/lib/socketColors';
import { useRunStore, type NodeRun } from '@/app/stores/runStore';
import { useViewerStore } from '@/app/stores/viewerStore';

export const STATE_STYLE: Record<NodeRun['state'], string> = {
  queued: 'bg-neutral-600 text-neutral-100',
  running: 'bg-sky-600 text-white',
  cached: 'bg-violet-700 text-white',
  done: 'bg-emerald-700 text-white',
  error: 'bg-red-600 text-white',
};

const handleStyle = (type: keyof typeof SOCKET_COLORS) => ({ background: SOCKET_COLORS[type], width: 11, height: 11, border: '2px solid #171717' });

export function SocketRow({ nodeId, input, output, run }: { nodeId: string; input?: InputSpec; output?: OutputSpec; run?: NodeRun }) {
  const badInput = input && run?.state === 'error' && run.input === input.name;
  return (
    <div className="relative flex h-6 items-center justify-between px-3 text-xs">
      {input ? (
        <>
          <Handle
            type="target"
            id={input.name}
            position={Position.Left}
            data-testid={`handle-${nodeId}-in-${input.name}`}
            style={handleStyle(input.type)}
          />
          <span
            data-testid={`input-${nodeId}-${input.name}`}
            data-error={badInput ? 'true' : undefined}
            className={badInput ? 'rounded bg-red-600/40 px-1 font-semibold text-red-100 ring-1 ring-red-500' : 'text-neutral-300'}
            title={input.type}
          >
            {input.name}
            {input.optional && <span className="text-neutral-500">?</span>}
          </span>
        </>
      ) : (
        <span />
      )}
      {output && (
        <>
          <span className="text-neutral-300" title={output.type}>
            {output.name}
          </span>
          <Handle
            type="source"
            id={output.name}
            position={Position.Right}
            data-testid={`handle-${nodeId}-out-${output.name}`}
            style={handleStyle(output.type)}
          />
        </>
      )}
    </div>
  );
}

/** A widget shown as an input socket ("convert widget to input"): a full socket row named after the widget. */
export function WidgetInputRow({ nodeId, spec, linked }: { nodeId: string; spec: ParamSpec; linked: boolean }) {
  const type = paramSocketType(spec);
  return (
    <div data-testid={`widget-input-${nodeId}-${spec.name}`} className="relative flex h-6 items-center px-3 text-xs">
      <Handle type="target" id={spec.name} position={Position.Left} data-testid={`handle-${nodeId}-in-${spec.name}`} style={handleStyle(type)} />
      <span className="text-neutral-300" title={`${type} (a widget driven by a link)`}>
        {spec.label ?? spec.name}
      </span>
      {!linked && <span className="ml-1 text-[10px] text-amber-400">needs a link</span>}
    </div>
  );
}

/** While collapsed, every socket sits on the title bar so wires still attach (as in ComfyUI). */
export function CollapsedHandles({ inputs, outputs }: { inputs: { id: string; type: keyof typeof SOCKET_COLORS }[]; outputs: OutputSpec[] }) {
  const hidden = { opacity: 0, width: 6, height: 6, top: '50%', minWidth: 0, minHeight: 0 };
  return (
    <>
      {inputs.map((i) => (
        <Handle key={`in-${i.id}`} type="target" id={i.id} position={Position.Left} style={hidden} isConnectable={false} />
      ))}
      {outputs.map((o) => (
        <Handle key={`out-${o.name}`} type="source" id={o.name} position={Position.Right} style={hidden} isConnectable={false} />
      ))}
    </>
  );
}

export function NodeImages({ nodeId, reserve }: { nodeId: string; reserve: 'output' | 'preview' | null }) {
  const outputs = useRunStore((s) => s.outputs[nodeId]);
  const preview = useRunStore((s) => s.previews[nodeId]);
  if (!reserve) return null;
  const src = reserve === 'output' ? outputs?.[0] : preview;
  // A fixed-size box, so images arriving mid-run never resize the node.
  return (
    <div
      className={`relative mx-2 mb-2 flex items-center justify-center overflow-hidden rounded bg-neutral-950 ring-1 ring-neutral-800 ${reserve === 'output' ? 'h-56' : 'h-32'}`}
    >
      {src ? (
        // eslint-disable-next-line @next/next/no-img-element
        <img
          data-testid={`${reserve}-image-${nodeId}`}
          src={src}
          alt={`${reserve} of ${nodeId}`}
          className={`h-full w-full object-contain [image-rendering:pixelated] ${reserve === 'output' ? 'cursor-zoom-in' : ''}`}
          onDoubleClick={
            reserve === 'output' && outputs
              ? () =>
                  useViewerStore.getState().open(
                    outputs.map((url) => ({
                      url,
                      path: decodeURIComponent(url.replace(/^\/outputs\//, '')),
                      jobId: useRunStore.getState().canvasJobId ?? '',
                      nodeId,
                      title: null,
                      prompt: null,
                    })),
                    0,
                  )
              : undefined
          }
        />
      ) : (
        <span className="text-[10px] text-neutral-600">{reserve === 'output' ? 'output appears here' : 'latent preview'}</span>
      )}
      {reserve === 'output' && outputs && outputs.length > 1 && (
        <span className="absolute bottom-1 right-1 rounded bg-neutral-900/80 px-1 text-[10px]">{outputs.length} images</span>
      )}
    </div>
  );
}

/** Below the low-detail zoom a widget is plain text; a click brings the node close enough to edit it. */
export function ParamSummary({
  nodeId,
  name,
  value,
  tall,
  onZoom,
}: {
  nodeId: string;
  name: string;
  value: ParamValue | undefined;
  tall: boolean;
  onZoom: () => void;
}) {
  return (
    <button
      type="button"
      data-testid={`param-summary-${nodeId}-${name}`}
      title="click to zoom in and edit"
      className={`nodrag block w-full cursor-zoom-in truncate rounded bg-neutral-800/60 px-1.5 text-left text-neutral-400 hover:ring-1 hover:ring-sky-500 ${tall ? 'h-24' : 'h-5'}`}
      onClick={onZoom}
    >
      {name}: <span className="text-neutral-200">{String(value ?? '')}</span>
    </button>
  );
}

/** A widget that can also be driven by a link (ComfyUI's widget inputs): a small socket on its left. */
export function WidgetSocket({ nodeId, spec, linked }: { nodeId: string; spec: ParamSpec; linked: boolean }) {
  const type = paramSocketType(spec);
  return (
    <Handle
      type="target"
      id={spec.name}
      position={Position.Left}
      data-testid={`handle-${nodeId}-in-${spec.name}`}
      className={linked ? '' : 'opacity-30 hover:opacity-100'}
      style={{ background: SOCKET_COLORS[type], width: 8, height: 8, border: '1px solid #171717' }}
    />
  );
}

/** The failure in one plain line; the server's own words behind a disclosure when they were translated. */
export function NodeError({ nodeId, message }: { nodeId: string; message: string }) {
  const f = describeFailure(message);
  return (
    <div data-testid={`node-error-${nodeId}`} className="nodrag rounded-b-md bg-red-950 px-2 py-1 text-xs text-red-200">
      <p data-testid={`node-error-summary-${nodeId}`}>{f.summary}</p>
      {f.detail && (
        <details data-testid={`node-error-detail-${nodeId}`} className="mt-1 text-[10px] text-red-300/80">
          <summary className="cursor-pointer select-none">details</summary>
          <p className="mt-0.5 max-h-32 overflow-auto whitespace-pre-wrap break-words font-mono">{f.detail}</p>
        </details>
      )}
    </div>
  );
}

/** A node of a class this build does not know: its sockets and values, kept so the file round-trips. */
export function PlaceholderNode({ id, type, placeholder }: { id: string; type: string; placeholder: Placeholder }) {
  const values = Array.isArray(placeholder.widgets_values)
    ? placeholder.widgets_values
    : Object.entries(placeholder.widgets_values).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
  const rows = Math.max(placeholder.inputs.length, placeholder.outputs.length);
  return (
    <div
      data-testid={`node-${id}`}
      data-node-type={type}
      data-placeholder="true"
      className="w-72 rounded-md bg-red-950/90 text-xs text-neutral-100 ring-2 ring-red-600"
    >
      <div
        className="rounded-t-md bg-red-900 px-2 py-1 font-semibold"
        title="This node type is not installed in Latent Loom; a run that needs it fails."
      >
        Missing node: {type} <span className="text-[10px] text-red-300">#{id}</span>
      </div>
      <div className="py-1">
        {Array.from({ length: rows }, (_, i) => {
          const input = placeholder.inputs[i];
          const output = placeholder.outputs[i];
          return (
            <div key={i} className="relative flex h-6 items-center justify-between px-3">
              {input ? (
                <>
                  <Handle
                    type="target"
                    id={input.name}
                    position={Position.Left}
                    style={{ background: SOCKET_COLORS[input.type as keyof typeof SOCKET_COLORS] ?? '#999', width: 11, height: 11 }}
                  />
                  <span className="text-neutral-300">{input.name}</span>
                </>
              ) : (
                <span />
              )}
              {output && (
                <>
                  <span className="text-neutral-300">{output.name}</span>
                  <Handle
                    type="source"
                    id={String(i)}
                    position={Position.Right}
                    style={{ background: SOCKET_COLORS[output.type as keyof typeof SOCKET_COLORS] ?? '#999', width: 11, height: 11 }}
                  />
                </>
              )}
            </div>
          );
        })}
      </div>
      {values.length > 0 && (
        <ul className="px-2 pb-2 text-neutral-400">
          {values.map((v, i) => (
            <li key={i} className="truncate">
              {typeof v === 'string' ? v : JSON.stringify(v)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
