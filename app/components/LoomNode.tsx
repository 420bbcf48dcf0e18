'use client';
import { memo, useCallback } from 'react';
import { Handle, Position, useStore, type NodeProps, type ReactFlowState } from '@xyflow/react';
import type { InputSpec, OutputSpec, ParamValue } from '@/nodes/schemas';
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

function LoomNodeView({ id, data, selected }: NodeProps<LoomNodeType>) {
  const schema = useTemplateStore((s) => s.byId[data.type]);
  const run = useRunStore((s) => s.nodes[id]);
  const warnings = useRunStore((s) => s.warnings[id]);
  const setParam = useGraphStore((s) => s.setParam);
  const lowDetail = useStore(lowDetailSelector);
  const onParam = useCallback((name: string, v: ParamValue) => setParam(id, name, v), [id, setParam]);

  if (!schema) {
    return (
      <div data-testid={`node-${id}`} className="w-64 rounded-md bg-red-950 p-2 text-xs ring-2 ring-red-600">
        Unknown node type <b>{data.type}</b> ({id})
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
      className={`w-72 rounded-md bg-neutral-900/95 text-neutral-100 shadow-lg ring-1 ${
        run?.state === 'error' ? 'ring-2 ring-red-500' : selected ? 'ring-2 ring-sky-400' : run?.state === 'running' ? 'ring-2 ring-sky-600' : 'ring-neutral-700'
      }`}
    >
      <div className="flex items-center gap-2 rounded-t-md bg-neutral-800 px-2 py-1">
        <span className="truncate text-sm font-semibold" title={schema.description}>
          {schema.title}
        </span>
        <span className="truncate text-[10px] text-neutral-500">#{id}</span>
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
          {schema.params.map((p) =>
            lowDetail ? (
              <ParamSummary key={p.name} name={p.label ?? p.name} value={data.params[p.name]} tall={p.kind === 'text' && p.multiline === true} />
            ) : (
            <ParamWidget
              key={p.name}
              nodeId={id}
              spec={p}
              value={data.params[p.name]}
              invalid={run?.state === 'error' && run.input === p.name}
              onChange={(v) => onParam(p.name, v)}
            />
            ),
          )}
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
