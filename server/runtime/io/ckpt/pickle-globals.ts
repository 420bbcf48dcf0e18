import type { DType } from '../tensor';
import { CheckpointFormatError } from './errors';
import { GlobalRef, InertObject, NumpyDtype, StorageRef, TensorSpec, type PyDict, type PyValue } from './pickle-values';

/** torch storage classes, referenced by persistent ids (never called). */
export const STORAGE_DTYPES: Record<string, DType> = {
  'torch.DoubleStorage': 'F64',
  'torch.FloatStorage': 'F32',
  'torch.HalfStorage': 'F16',
  'torch.BFloat16Storage': 'BF16',
  'torch.LongStorage': 'I64',
  'torch.IntStorage': 'I32',
  'torch.ShortStorage': 'I16',
  'torch.CharStorage': 'I8',
  'torch.ByteStorage': 'U8',
  'torch.BoolStorage': 'BOOL',
};

/**
 * Training-state classes that real checkpoints carry. NEWOBJ/REDUCE with no arguments and BUILD
 * only ever make an attribute record of them: no code of theirs is involved.
 */
export const INERT_CLASSES = new Set([
  'pytorch_lightning.callbacks.model_checkpoint.ModelCheckpoint',
  'pytorch_lightning.callbacks.early_stopping.EarlyStopping',
  'pytorch_lightning.callbacks.lr_monitor.LearningRateMonitor',
  'lightning.pytorch.callbacks.model_checkpoint.ModelCheckpoint',
  'lightning.pytorch.callbacks.early_stopping.EarlyStopping',
  'lightning.pytorch.callbacks.lr_monitor.LearningRateMonitor',
  'torch.optim.lr_scheduler.LambdaLR',
]);

/** dict subclasses whose instances are rebuilt as plain dicts. */
export const DICT_CLASSES = new Set([
  'collections.OrderedDict',
  'pytorch_lightning.utilities.parsing.AttributeDict',
  'lightning.fabric.utilities.data.AttributeDict',
]);

/** Tensor classes accepted as the type argument of torch._tensor._rebuild_from_type_v2. */
const TENSOR_TYPES = new Set(['torch.Tensor', 'torch.nn.parameter.Parameter']);

/** Python 2 module names that protocol-2 pickles write, for error messages. */
const PY3_MODULE: Record<string, string> = { __builtin__: 'builtins', copy_reg: 'copyreg', commands: 'subprocess' };

export function isAllowedGlobal(qualified: string): boolean {
  return (
    qualified in CALLABLES ||
    qualified in STORAGE_DTYPES ||
    INERT_CLASSES.has(qualified) ||
    DICT_CLASSES.has(qualified) ||
    TENSOR_TYPES.has(qualified) ||
    qualified === 'numpy.dtype'
  );
}

export function py3Name(module: string, name: string): string {
  const m = PY3_MODULE[module];
  return m ? `${module}.${name} (${m}.${name})` : `${module}.${name}`;
}

function bad(msg: string): never {
  throw new CheckpointFormatError(`pickle: ${msg}`);
}

function int(v: PyValue, what: string): number {
  if (typeof v === 'bigint') v = Number(v);
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) return bad(`${what} is not a non-negative integer`);
  return v;
}

function ints(v: PyValue, what: string): number[] {
  if (!Array.isArray(v)) return bad(`${what} is not a tuple`);
  return v.map((x) => int(x, what));
}

function rebuildTensor(args: PyValue[]): TensorSpec {
  const [storage, offset, size, stride] = args;
  if (!(storage instanceof StorageRef)) return bad('_rebuild_tensor_v2: first argument is not a storage');
  return new TensorSpec(storage, int(offset, 'storage offset'), ints(size, 'size'), ints(stride, 'stride'));
}

/** numpy scalar bytes -> number, by the dtype's kind and size (little-endian unless the dtype says '>') */
function numpyScalar(args: PyValue[]): number | bigint | boolean {
  const [dtype, raw] = args;
  if (!(dtype instanceof NumpyDtype) || !(raw instanceof Uint8Array)) return bad('numpy scalar: unexpected arguments');
  const m = /^([fiub])(\d+)$/.exec(dtype.code);
  if (!m) return bad(`numpy scalar of dtype "${dtype.code}" is not supported`);
  const size = Number(m[2]);
  if (raw.length !== size) return bad(`numpy scalar of dtype "${dtype.code}" has ${raw.length} bytes`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const le = dtype.byteOrder !== '>';
  const kind = m[1];
  if (kind === 'b') return raw[0] !== 0;
  if (kind === 'f' && size === 8) return view.getFloat64(0, le);
  if (kind === 'f' && size === 4) return view.getFloat32(0, le);
  if (kind === 'i' && size === 8) return narrow(view.getBigInt64(0, le));
  if (kind === 'u' && size === 8) return narrow(view.getBigUint64(0, le));
  if (kind === 'i' && size === 4) return view.getInt32(0, le);
  if (kind === 'u' && size === 4) return view.getUint32(0, le);
  if (kind === 'i' && size === 2) return view.getInt16(0, le);
  if (kind === 'u' && size === 2) return view.getUint16(0, le);
  if (kind === 'i' && size === 1) return view.getInt8(0);
  if (kind === 'u' && size === 1) return view.getUint8(0);
  return bad(`numpy scalar of dtype "${dtype.code}" is not supported`);
}

function narrow(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** The only functions REDUCE may "call". Each just builds data from its arguments. */
export const CALLABLES: Record<string, (args: PyValue[]) => PyValue> = {
  'collections.OrderedDict': (args) => (args.length === 0 ? new Map() : bad('OrderedDict with arguments')),
  'torch._utils._rebuild_tensor_v2': rebuildTensor,
  'torch._utils._rebuild_tensor': rebuildTensor,
  'torch._utils._rebuild_parameter': (args) => (args[0] instanceof TensorSpec ? args[0] : bad('_rebuild_parameter: not a tensor')),
  'torch._tensor._rebuild_from_type_v2': (args) => {
    const [fn, type, inner] = args;
    if (!(fn instanceof GlobalRef) || !(type instanceof GlobalRef) || !Array.isArray(inner))
      return bad('_rebuild_from_type_v2: unexpected arguments');
    if (fn.qualified !== 'torch._utils._rebuild_tensor_v2' || !TENSOR_TYPES.has(type.qualified))
      return bad(`_rebuild_from_type_v2 of ${fn.qualified}/${type.qualified}`);
    return rebuildTensor(inner);
  },
  'torch.Size': (args) => (Array.isArray(args[0]) ? ints(args[0], 'torch.Size') : bad('torch.Size without a tuple')),
  'numpy.core.multiarray.scalar': numpyScalar,
  'numpy._core.multiarray.scalar': numpyScalar,
  'numpy.dtype': (args) => (typeof args[0] === 'string' ? new NumpyDtype(args[0]) : bad('numpy.dtype without a code')),
  // protocol 2 stores bytes as latin-1 text run through _codecs.encode
  '_codecs.encode': (args) => {
    const [text, encoding] = args;
    if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) return bad('_codecs.encode other than latin1');
    return Uint8Array.from(text, (c) => {
      const code = c.charCodeAt(0);
      return code <= 0xff ? code : bad('_codecs.encode: character outside latin-1');
    });
  },
};

/** NEWOBJ / no-argument REDUCE of an allowlisted class. */
export function instantiate(cls: GlobalRef, args: PyValue[]): PyValue {
  if (args.length !== 0) return bad(`${cls.qualified} constructed with arguments`);
  if (DICT_CLASSES.has(cls.qualified)) return new Map();
  if (INERT_CLASSES.has(cls.qualified)) return new InertObject(cls.qualified);
  return bad(`${cls.qualified} cannot be instantiated`);
}

/** BUILD: attribute state goes into the record; nothing is called. */
export function build(target: PyValue, state: PyValue): void {
  if (target instanceof NumpyDtype) {
    if (Array.isArray(state) && typeof state[1] === 'string') target.byteOrder = state[1];
    return;
  }
  const dest: PyDict | undefined = target instanceof InertObject ? target.state : target instanceof Map ? target : undefined;
  if (!dest) bad('BUILD on an object that has no attribute state');
  // state is a dict, or (dict | None, slots dict) as object.__reduce_ex__ writes it
  const parts = Array.isArray(state) && state.length === 2 ? state : [state];
  for (const part of parts) {
    if (part === null) continue;
    if (!(part instanceof Map)) bad('BUILD state is not a dict');
    for (const [k, v] of part) dest.set(k, v);
  }
}
