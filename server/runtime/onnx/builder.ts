import { float32ToF16 } from '../io/dtype';
import { AttributeType, type ElemType, ModelProto, MS_OPSET, ONNX_IR_VERSION, ONNX_OPSET, TensorDataType } from './proto';

/** A symbolic tensor in a graph under construction. */
export interface Value {
  readonly name: string;
  readonly graph: Graph;
}

export type Dim = number | string;

/** Integers become INT/INTS attributes, other numbers FLOAT; wrap integral floats as `{ float: 1 }`. */
export type Attr = number | readonly number[] | string | { float: number } | { floats: readonly number[] };

/** The float type a graph computes in: fp32 on CPU, fp16 on GPU providers. */
export type FloatType = 'float32' | 'float16';

/** How an initializer's values are derived from the stored tensor. */
export type WeightTransform = 'none' | 'transpose';

/** An initializer whose bytes come from the weight provider, bound later as ONNX external data. */
export interface WeightUse {
  /** initializer name inside the graph */
  readonly onnxName: string;
  /** name in the weight provider (checkpoint key relative to the component) */
  readonly key: string;
  readonly dims: readonly number[];
  readonly transform: WeightTransform;
  /** element type of the initializer (the graph's compute type) */
  readonly dtype: FloatType;
}

/** Where the bytes of one initializer live, relative to the session's external-data folder. */
export interface ExternalLocation {
  readonly location: string;
  readonly offset: number;
  readonly length: number;
}

interface NodeRecord {
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, Attr>;
}

interface ConstRecord {
  name: string;
  type: ElemType;
  dims: readonly number[];
  raw: Uint8Array;
}

interface IoRecord {
  name: string;
  type: ElemType;
  dims: readonly Dim[];
}

/**
 * Tape-style ONNX graph builder: every `op` call appends a node and returns its outputs.
 * Checkpoint weights are declared with `weight()` and never enter the serialized proto.
 * `float` is the compute type: weights, `scalar()` and `fconst()` take it; graph inputs and outputs
 * stay fp32 at the API boundary and models cast with `compute()` / `fp32()`.
 */
export class Graph {
  private readonly nodes: NodeRecord[] = [];
  private readonly consts: ConstRecord[] = [];
  private readonly inputs: IoRecord[] = [];
  private readonly outputs: IoRecord[] = [];
  private readonly weightUses = new Map<string, WeightUse>();
  private counter = 0;
  private usesMsDomain = false;

  constructor(
    readonly name: string,
    readonly float: FloatType = 'float32',
  ) {}

  input(name: string, type: ElemType, dims: readonly Dim[]): Value {
    this.inputs.push({ name, type, dims });
    return { name, graph: this };
  }

  /** Marks `v` as a graph output, renamed to `name` through an Identity when given. */
  output(v: Value, name: string, type: ElemType = 'float32', dims: readonly Dim[] = []): void {
    const out = v.name === name ? v : this.op('Identity', [v], {}, name);
    this.outputs.push({ name: out.name, type, dims });
  }

  /**
   * A checkpoint tensor as an initializer. `dims` may differ from the stored shape when only a
   * view changes (same element count, e.g. a GroupNorm gamma [C] used as [C,1,1]).
   */
  weight(key: string, dims: readonly number[], transform: WeightTransform = 'none'): Value {
    const onnxName = `${key}${transform === 'none' ? '' : `::${transform}`}::[${dims.join(',')}]`;
    if (!this.weightUses.has(onnxName)) this.weightUses.set(onnxName, { onnxName, key, dims: [...dims], transform, dtype: this.float });
    return { name: onnxName, graph: this };
  }

  /** Small inline constants (shapes, frequencies, masks); never checkpoint weights. */
  constant(values: Float32Array | Int32Array | BigInt64Array | readonly number[], dims?: readonly number[], type?: ElemType): Value {
    let arr: Float32Array | Int32Array | BigInt64Array;
    let elem: ElemType;
    if (values instanceof Float32Array) {
      arr = values;
      elem = 'float32';
    } else if (values instanceof Int32Array) {
      arr = values;
      elem = 'int32';
    } else if (values instanceof BigInt64Array) {
      arr = values;
      elem = 'int64';
    } else if (type === 'float32') {
      arr = Float32Array.from(values);
      elem = 'float32';
    } else {
      arr = BigInt64Array.from(values, (v) => BigInt(v));
      elem = 'int64';
    }
    const name = `const_${this.counter++}`;
    this.consts.push({ name, type: elem, dims: dims ?? [arr.length], raw: new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength).slice() });
    return { name, graph: this };
  }

  /** int64 1-D constant, the type ONNX wants for shapes and axes. */
  ints(values: readonly number[]): Value {
    return this.constant(values, [values.length]);
  }

  /** A scalar in the compute type (for arithmetic with activations). */
  scalar(v: number): Value {
    return this.fconst([v], []);
  }

  /** A float constant in the compute type; `constant(Float32Array)` stays fp32 (Resize scales, fp32 islands). */
  fconst(values: Float32Array | readonly number[], dims?: readonly number[]): Value {
    const f32 = values instanceof Float32Array ? values : Float32Array.from(values);
    if (this.float === 'float32') return this.constant(f32, dims ?? [f32.length]);
    const half = float32ToF16(f32);
    const name = `const_${this.counter++}`;
    this.consts.push({
      name,
      type: 'float16',
      dims: dims ?? [f32.length],
      raw: new Uint8Array(half.buffer, half.byteOffset, half.byteLength).slice(),
    });
    return { name, graph: this };
  }

  /** fp32 → compute type (a no-op graph-wise in fp32 graphs). */
  compute(v: Value): Value {
    return this.float === 'float32' ? v : this.op('Cast', [v], { to: TensorDataType.float16 });
  }

  /** compute type → fp32, for graph outputs. */
  fp32(v: Value): Value {
    return this.float === 'float32' ? v : this.op('Cast', [v], { to: TensorDataType.float32 });
  }

  /** Appends one node and returns its single output (named `outName` when given). */
  op(opType: string, inputs: readonly (Value | null)[], attrs: Record<string, Attr> = {}, outName?: string): Value {
    return this.append(opType, '', inputs, attrs, [outName ?? this.fresh(opType)])[0];
  }

  /** @deprecated same as `op`; kept for server/runtime/checkpoint/lora/math/matmul.ts */
  op1(opType: string, inputs: readonly (Value | null)[], attrs: Record<string, Attr> = {}, outName?: string): Value {
    return this.op(opType, inputs, attrs, outName);
  }

  /** Appends one node with `nOutputs` outputs (Split, ...) or from another domain (com.microsoft). */
  opN(opType: string, inputs: readonly (Value | null)[], attrs: Record<string, Attr>, nOutputs: number, domain = ''): Value[] {
    return this.append(
      opType,
      domain,
      inputs,
      attrs,
      Array.from({ length: nOutputs }, () => this.fresh(opType)),
    );
  }

  private fresh(opType: string): string {
    return `${opType.toLowerCase()}_${this.counter++}`;
  }

  private append(opType: string, domain: string, inputs: readonly (Value | null)[], attrs: Record<string, Attr>, outputs: string[]): Value[] {
    for (const i of inputs) if (i && i.graph !== this) throw new Error(`${opType}: input ${i.name} belongs to another graph`);
    if (domain === 'com.microsoft') this.usesMsDomain = true;
    this.nodes.push({ opType, domain, inputs: inputs.map((i) => (i ? i.name : '')), outputs, attrs });
    return outputs.map((name) => ({ name, graph: this }));
  }

  /** Every checkpoint tensor the graph reads, in first-use order. */
  weights(): WeightUse[] {
    return [...this.weightUses.values()];
  }

  /** Serializes a ModelProto whose weights are external data at the given locations. */
  toModelProto(locations: ReadonlyMap<string, ExternalLocation>): Uint8Array {
    const initializer = [
      ...this.consts.map((c) => ({ name: c.name, dims: c.dims, data_type: TensorDataType[c.type], raw_data: c.raw })),
      ...this.weights().map((w) => {
        const loc = locations.get(w.onnxName);
        if (!loc) throw new Error(`graph ${this.name}: weight ${w.key} has no bound location`);
        return {
          name: w.onnxName,
          dims: w.dims,
          data_type: TensorDataType[w.dtype],
          data_location: 1,
          external_data: [
            { key: 'location', value: loc.location },
            { key: 'offset', value: String(loc.offset) },
            { key: 'length', value: String(loc.length) },
          ],
        };
      }),
    ];
    const valueInfo = (io: IoRecord) => ({
      name: io.name,
      type: {
        tensor_type: {
          elem_type: TensorDataType[io.type],
          shape: { dim: io.dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) },
        },
      },
    });
    const model = {
      ir_version: ONNX_IR_VERSION,
      producer_name: 'latent-loom',
      opset_import: [{ domain: '', version: ONNX_OPSET }, ...(this.usesMsDomain ? [{ domain: 'com.microsoft', version: MS_OPSET }] : [])],
      graph: {
        name: this.name,
        node: this.nodes.map((n, i) => ({
          name: `${n.opType}_${i}`,
          op_type: n.opType,
          domain: n.domain,
          input: n.inputs,
          output: n.outputs,
          attribute: Object.entries(n.attrs).map(([name, a]) => encodeAttr(name, a)),
        })),
        initializer,
        input: this.inputs.map(valueInfo),
        output: this.outputs.map((o) =>
          o.dims.length ? valueInfo(o) : { name: o.name, type: { tensor_type: { elem_type: TensorDataType[o.type] } } },
        ),
      },
    };
    const err = ModelProto.verify(model);
    if (err) throw new Error(`graph ${this.name}: invalid ModelProto: ${err}`);
    return ModelProto.encode(ModelProto.fromObject(model)).finish();
  }
}

function encodeAttr(name: string, a: Attr): Record<string, unknown> {
  if (typeof a === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(a) };
  if (typeof a === 'number') {
    return Number.isInteger(a) ? { name, type: AttributeType.INT, i: a } : { name, type: AttributeType.FLOAT, f: a };
  }
  if ('float' in a) return { name, type: AttributeType.FLOAT, f: a.float };
  if ('floats' in a) return { name, type: AttributeType.FLOATS, floats: [...a.floats] };
  const list = a as readonly number[];
  return list.every(Number.isInteger) ? { name, type: AttributeType.INTS, ints: [...list] } : { name, type: AttributeType.FLOATS, floats: [...list] };
}
