'use client';
import { memo, useCallback } from 'react';
import { Handle, Position, useStore, type NodeProps, type ReactFlowState } from '@xyflow/react';
import { paramSocketType, type InputSpec, type OutputSpec, type ParamSpec, type ParamValue } from '@/nodes/schemas';
import type { Placeholder } from '@/nodes/workflow/schema';
import { SOCKET_COLORS } from '@/app/lib/socketColors';
import type { LoomNode as LoomNodeType } from '@/app/lib/workflow';
import { useGraphStore } from '@/app/stores/graphStore';
import { useRunStore, type NodeRun } from '@/app/stores/runStore';
import { useTemplateStore } from '@/app/stores/templateStore';
import { ParamWidget } from './widgets/ParamWidget';

const STATE_STYLE: Record<NodeRun['state'], string> = {
  queued: 'bg-neutral-600 text-neutral-100',
  running: 'bg-sky-600 text-white',
  cached: 'bg-violet-700 text-white',
  done: 'bg-emerald-700 text-white',
  error: 'bg-red-600 text-white',
};

function SocketRow({ nodeId, input, output, run }: { nodeId: string; input?: InputSpec; output?: OutputSpec; run?: NodeRun }) {
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
            style={{ background: SOCKET_COLORS[input.type], width: 11, height: 11, border: '2px solid #171717' }}
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
            style={{ background: SOCKET_COLORS[output.type], width: 11, height: 11, border: '2px solid #171717' }}
          />
        </>
      )}
    </div>
  );
}

function NodeImages({ nodeId, reserve }: { nodeId: string; reserve: 'output' | 'preview' | null }) {
  const outputs = useRunStore((s) => s.outputs[nodeId]);
  const preview = useRunStore((s) => s.previews[nodeId]);
  if (!reserve) return null;
  const src = reserve === 'output' ? outputs?.[0] : preview;
  // A fixed-size box, so images arriving mid-run never resize the node.
  return (
    <div className={`mx-2 mb-2 flex items-center justify-center overflow-hidden rounded bg-neutral-950 ring-1 ring-neutral-800 ${reserve === 'output' ? 'h-56' : 'h-32'}`}>
      {src ? (
        // eslint-disable-next-line @next/next/no-img-element
        <img data-testid={`${reserve}-image-${nodeId}`} src={src} alt={`${reserve} of ${nodeId}`} className="h-full w-full object-contain [image-rendering:pixelated]" />
      ) : (
        <span className="text-[10px] text-neutral-600">{reserve === 'output' ? 'output appears here' : 'latent preview'}</span>
      )}
      {reserve === 'output' && outputs && outputs.length > 1 && (
        <span className="absolute bottom-3 right-3 rounded bg-neutral-900/80 px-1 text-[10px]">{outputs.length} images</span>
      )}
    </div>
  );
}

/** Below this zoom widgets are unreadable anyway; plain text keeps big graphs smooth to pan. */
const LOW_DETAIL_ZOOM = 0.45;
const lowDetailSelector = (s: ReactFlowState) => s.transform[2] < LOW_DETAIL_ZOOM;

function ParamSummary({ name, value, tall }: { name: string; value: ParamValue | undefined; tall: boolean }) {
  return (
    <div className={`truncate rounded bg-neutral-800/60 px-1.5 text-neutral-400 ${tall ? 'h-24' : 'h-5'}`}>
      {name}: <span className="text-neutral-200">{String(value ?? '')}</span>
    </div>
  );
}

/** A widget that can also be driven by a link (ComfyUI's widget inputs): a small socket on its left. */
function WidgetSocket({ nodeId, spec, linked }: { nodeId: string; spec: ParamSpec; linked: boolean }) {
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

/** A node of a class this build does not know: its sockets and values, kept so the file round-trips. */
function PlaceholderNode({ id, type, placeholder }: { id: string; type: string; placeholder: Placeholder }) {
  const values = Array.isArray(placeholder.widgets_values) ? placeholder.widgets_values : Object.entries(placeholder.widgets_values).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
  const rows = Math.max(placeholder.inputs.length, placeholder.outputs.length);
  return (
    <div data-testid={`node-${id}`} data-node-type={type} data-placeholder="true" className="w-72 rounded-md bg-red-950/90 text-xs text-neutral-100 ring-2 ring-red-600">
      <div className="rounded-t-md bg-red-900 px-2 py-1 font-semibold" title="This node type is not installed in Latent Loom; a run that needs it fails.">
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
                  <Handle type="target" id={input.name} position={Position.Left} style={{ background: SOCKET_COLORS[input.type as keyof typeof SOCKET_COLORS] ?? '#999', width: 11, height: 11 }} />
                  <span className="text-neutral-300">{input.name}</span>
                </>
              ) : (
                <span />
              )}
              {output && (
                <>
                  <span className="text-neutral-300">{output.name}</span>
                  <Handle type="source" id={String(i)} position={Position.Right} style={{ background: SOCKET_COLORS[output.type as keyof typeof SOCKET_COLORS] ?? '#999', width: 11, height: 11 }} />
                </>
              )}
            </div>
          );
        })}
      </div>
      {values.length > 0 && (
        <ul className="px-2 pb-2 text-neutral-400">
          {values.map((v, i) => (
            <li key={i} className="truncate">{typeof v === 'string' ? v : JSON.stringify(v)}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

const MODE_STYLE = { muted: 'opacity-40', bypassed: 'bg-fuchsia-950/90 ring-fuchsia-600' } as const;

function LoomNodeView({ id, data, selected }: NodeProps<LoomNodeType>) {
  const schema = useTemplateStore((s) => s.byId[data.type]);
  const run = useRunStore((s) => s.nodes[id]);
  const warnings = useRunStore((s) => s.warnings[id]);
  const setParam = useGraphStore((s) => s.setParam);
  // which widgets a link drives, as one string so unrelated edge changes do not re-render the node
  const linkedKey = useGraphStore((s) => s.edges.filter((e) => e.target === id).map((e) => e.targetHandle).sort().join('|'));
  const lowDetail = useStore(lowDetailSelector);
  const onParam = useCallback((name: string, v: ParamValue) => setParam(id, name, v), [id, setParam]);

  if (!schema) {
    if (data.placeholder) return <PlaceholderNode id={id} type={data.type} placeholder={data.placeholder} />;
    return (
      <div data-testid={`node-${id}`} className="w-64 rounded-md bg-red-950 p-2 text-xs ring-2 ring-red-600">
        Unknown node type <b>{data.type}</b> ({id})
      </div>
    );
  }
  const linked = new Set(linkedKey.split('|'));
  if (schema.frontendOnly && schema.outputs.length === 0) {
    // Note / MarkdownNote
    return (
      <div data-testid={`node-${id}`} data-node-type={data.type} className="w-72 rounded-md bg-yellow-950/80 p-2 text-xs text-yellow-100 ring-1 ring-yellow-700">
        <div className="mb-1 font-semibold">{data.title ?? schema.title}</div>
        <textarea
          data-testid={`param-${id}-text`}
          className="nodrag h-28 w-full resize-y rounded bg-transparent p-1 outline-none ring-1 ring-yellow-800 focus:ring-yellow-500"
          value={String(data.params.text ?? '')}
          onChange={(e) => onParam('text', e.target.value)}
        />
      </div>
    );
  }
  const rows = Math.max(schema.inputs.length, schema.outputs.length);
  const reserve = schema.output && schema.inputs.some((i) => i.type === 'IMAGE') ? 'output' : schema.category === 'sampling' ? 'preview' : null;
  const progress = run?.state === 'running' && run.total ? (run.step ?? 0) / run.total : run?.state === 'done' || run?.state === 'cached' ? 1 : 0;
  return (
    <div
      data-testid={`node-${id}`}
      data-node-type={data.type}
      data-state={run?.state ?? 'idle'}
      data-mode={data.mode ?? 'always'}
      className={`w-72 rounded-md bg-neutral-900/95 text-neutral-100 shadow-lg ring-1 ${data.mode && data.mode !== 'always' ? MODE_STYLE[data.mode] : ''} ${
        run?.state === 'error' ? 'ring-2 ring-red-500' : selected ? 'ring-2 ring-sky-400' : run?.state === 'running' ? 'ring-2 ring-sky-600' : 'ring-neutral-700'
      }`}
    >
      <div className="flex items-center gap-2 rounded-t-md bg-neutral-800 px-2 py-1">
        <span className="min-w-0 truncate text-sm font-semibold" title={`${schema.description}\n(${schema.id})`}>
          {data.title ?? schema.title}
        </span>
        <span className="shrink-0 text-[10px] text-neutral-500">#{id}</span>
        {data.mode && data.mode !== 'always' && (
          <span data-testid={`node-mode-${id}`} className="shrink-0 rounded bg-neutral-700 px-1 text-[10px] uppercase">{data.mode}</span>
        )}
        {run && (
          <span data-testid={`node-state-${id}`} className={`ml-auto rounded px-1.5 text-[10px] uppercase ${STATE_STYLE[run.state]}`}>
            {run.state === 'running' && run.total ? `${run.step}/${run.total}` : run.state}
          </span>
        )}
      </div>
      <div className="h-1 bg-neutral-800">
        <div data-testid={`node-progress-${id}`} className="h-1 bg-sky-500 transition-[width]" style={{ width: `${Math.round(progress * 100)}%` }} />
      </div>
      <div className="py-1">
        {Array.from({ length: rows }, (_, i) => (
          <SocketRow key={i} nodeId={id} input={schema.inputs[i]} output={schema.outputs[i]} run={run} />
        ))}
      </div>
      {schema.params.length > 0 && (
        <div className="flex flex-col gap-1 px-2 pb-2 text-xs">
          {schema.params.map((p) => (
            <div key={p.name} className="relative">
              {!lowDetail && <WidgetSocket nodeId={id} spec={p} linked={linked.has(p.name)} />}
              {linked.has(p.name) ? (
                <div data-testid={`param-linked-${id}-${p.name}`} className="h-5 truncate rounded bg-neutral-800/60 px-1.5 italic text-neutral-400">
                  {p.label ?? p.name} ← linked
                </div>
              ) : lowDetail ? (
                <ParamSummary name={p.label ?? p.name} value={data.params[p.name]} tall={p.kind === 'text' && p.multiline === true} />
              ) : (
                <ParamWidget nodeId={id} spec={p} value={data.params[p.name]} invalid={run?.state === 'error' && run.input === p.name} onChange={(v) => onParam(p.name, v)} />
              )}
            </div>
          ))}
        </div>
      )}
      <NodeImages nodeId={id} reserve={reserve} />
      {warnings && warnings.length > 0 && (
        <div data-testid={`node-warning-${id}`} className="bg-amber-950 px-2 py-1 text-xs text-amber-200">
          {warnings.map((w, i) => (
            <p key={i}>{w}</p>
          ))}
        </div>
      )}
      {run?.state === 'error' && run.message && (
        <div data-testid={`node-error-${id}`} className="rounded-b-md bg-red-950 px-2 py-1 text-xs text-red-200">
          {run.message}
        </div>
      )}
    </div>
  );
}

export const LoomNode = memo(LoomNodeView);
