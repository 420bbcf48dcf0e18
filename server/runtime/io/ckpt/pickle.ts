import { CheckpointFormatError, UnsafePickleError } from './errors';
import { CALLABLES, STORAGE_DTYPES, build, instantiate, isAllowedGlobal, py3Name } from './pickle-globals';
import { GlobalRef, StorageRef, type PyDict, type PyKey, type PyValue } from './pickle-values';

const MARK = Symbol('mark');
type Slot = PyValue | typeof MARK;

export interface UnpickleOptions {
  /**
   * Bytes the reader may materialise (strings, bytes, integers, 8 per stack/container slot):
   * a backstop against pickles that expand. Default DEFAULT_PICKLE_BUDGET.
   */
  maxBytes?: number;
  /** checked between slices of opcodes by unpickleAsync */
  signal?: AbortSignal;
}

export const DEFAULT_PICKLE_BUDGET = 512 * 1024 * 1024;
/** opcodes per slice before unpickleAsync yields to the event loop and checks the signal */
const SLICE_OPS = 1 << 16;
/** tuple dict keys are serialised to strings; these bound that (a key shared many times must not explode) */
const MAX_KEY_DEPTH = 8;
const MAX_KEY_CHARS = 4096;

type Step = { done: true; value: PyValue } | { done: false };

/**
 * A restricted unpickler for what torch.save writes. It interprets opcodes into plain data; globals
 * outside the allowlist are refused when they are named (GLOBAL / STACK_GLOBAL), so no later opcode
 * can use them. Nothing is imported or executed: "calls" are table lookups that build data.
 * Work is linear in the input (LONG opcodes included) and bounded by `maxBytes`.
 */
export function unpickle(bytes: Uint8Array, source: string, opts: UnpickleOptions = {}): PyValue {
  const step = machine(bytes, source, opts);
  for (;;) {
    const r = step(Infinity);
    if (r.done) return r.value;
  }
}

/** unpickle in slices, yielding to the event loop between them so a cancel (AbortSignal) is seen. */
export async function unpickleAsync(bytes: Uint8Array, source: string, opts: UnpickleOptions = {}): Promise<PyValue> {
  const step = machine(bytes, source, opts);
  for (;;) {
    opts.signal?.throwIfAborted();
    const r = step(SLICE_OPS);
    if (r.done) return r.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

function machine(bytes: Uint8Array, source: string, opts: UnpickleOptions): (maxOps: number) => Step {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: Slot[] = [];
  const memo = new Map<number, PyValue>();
  const budget = opts.maxBytes ?? DEFAULT_PICKLE_BUDGET;
  let spent = 0;
  let pos = 0;

  const fail = (msg: string): never => {
    throw new CheckpointFormatError(`${source}: pickle: ${msg} (at byte ${pos})`);
  };
  const need = (n: number) => {
    if (pos + n > buf.length) fail('unexpected end of data');
  };
  const charge = (n: number) => {
    spent += n;
    if (spent > budget) fail(`the pickle expands past the reader's ${budget}-byte budget`);
  };
  const push = (v: Slot) => {
    charge(8);
    stack.push(v);
  };
  const u8 = () => {
    need(1);
    return buf[pos++];
  };
  const u16 = () => {
    need(2);
    pos += 2;
    return buf.readUInt16LE(pos - 2);
  };
  const u32 = () => {
    need(4);
    pos += 4;
    return buf.readUInt32LE(pos - 4);
  };
  const u64 = () => {
    need(8);
    const v = buf.readBigUInt64LE(pos);
    pos += 8;
    return v > BigInt(buf.length) ? fail(`length ${v} exceeds the data`) : Number(v);
  };
  const take = (n: number) => {
    need(n);
    pos += n;
    return buf.subarray(pos - n, pos);
  };
  const line = () => {
    const end = buf.indexOf(0x0a, pos);
    if (end < 0) fail('unterminated line');
    const s = buf.toString('utf8', pos, end);
    pos = end + 1;
    return s;
  };
  const bytesOf = (raw: Uint8Array) => {
    charge(raw.length);
    return Uint8Array.from(raw);
  };
  const pop = (): PyValue => {
    const v = stack.pop();
    if (v === undefined) return fail('stack underflow');
    if (v === MARK) return fail('unexpected mark');
    return v;
  };
  const top = (): PyValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) return fail('stack underflow');
    return v;
  };
  const popMark = (): PyValue[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) fail('no mark on the stack');
    const items = stack.splice(i) as PyValue[];
    items.shift();
    return items;
  };
  const key = (k: PyValue): PyKey => {
    if (k === null || typeof k === 'string' || typeof k === 'number' || typeof k === 'bigint' || typeof k === 'boolean') return k;
    // old Lightning keys `callbacks` by the callback's class
    if (k instanceof GlobalRef) return k.qualified;
    if (Array.isArray(k)) return tupleKey(k);
    return fail('unsupported dict key type');
  };
  /** JSON-like text of a tuple key, refusing deep or huge keys (a shared sub-tuple must not blow up) */
  const tupleKey = (k: PyValue[]): string => {
    let out = '';
    const walk = (v: PyValue, depth: number) => {
      if (depth > MAX_KEY_DEPTH) fail('dict key nested too deeply');
      if (out.length > MAX_KEY_CHARS) fail('dict key too large');
      if (Array.isArray(v)) {
        out += '[';
        v.forEach((x, i) => {
          if (i) out += ',';
          walk(x, depth + 1);
        });
        out += ']';
      } else if (typeof v === 'bigint') out += v.toString();
      else if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out += JSON.stringify(v);
      else fail('unsupported dict key type');
    };
    walk(k, 1);
    charge(out.length);
    return out;
  };
  const setItems = (d: PyValue, kv: PyValue[]) => {
    if (!(d instanceof Map)) return fail('SETITEM(S) on a non-dict');
    if (kv.length % 2) fail('odd number of items for SETITEMS');
    for (let i = 0; i < kv.length; i += 2) (d as PyDict).set(key(kv[i]), kv[i + 1]);
  };
  const resolveGlobal = (module: string, name: string): GlobalRef => {
    const qualified = `${module}.${name}`;
    if (qualified === 'torch.storage._load_from_bytes') {
      throw new UnsafePickleError(qualified, `${source}: refused global torch.storage._load_from_bytes (it would run torch.load on embedded bytes)`);
    }
    if (!isAllowedGlobal(qualified)) {
      throw new UnsafePickleError(
        qualified,
        `${source}: refused unsafe global ${py3Name(module, name)}: a checkpoint only needs tensors and plain data`,
      );
    }
    return new GlobalRef(qualified);
  };
  // two's complement little-endian, converted through hex: linear (a byte-by-byte shift is quadratic)
  const long = (raw: Uint8Array): number | bigint => {
    if (raw.length === 0) return 0;
    charge(raw.length);
    let v = BigInt(`0x${Buffer.from(raw).reverse().toString('hex')}`);
    if (raw[raw.length - 1] & 0x80) v -= 1n << BigInt(raw.length * 8);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const text = (raw: Uint8Array) => {
    charge(raw.length * 2);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      return fail('string is not valid UTF-8');
    }
  };

  return (maxOps: number): Step => {
    for (let ops = 0; ops < maxOps; ops++) {
      const op = u8();
      switch (op) {
        case 0x80: // PROTO
          if (u8() > 5) fail('unsupported pickle protocol');
          break;
        case 0x95: // FRAME: framing is only a read-ahead hint
          u64();
          break;
        case 0x2e: // STOP
          if (stack.length !== 1) fail(`STOP with ${stack.length} items on the stack`);
          return { done: true, value: pop() };
        case 0x28: // MARK
          push(MARK);
          break;
        case 0x30: // POP
          stack.length ? stack.pop() : fail('stack underflow');
          break;
        case 0x31: // POP_MARK
          popMark();
          break;
        case 0x32: // DUP
          push(top());
          break;
        case 0x7d: // EMPTY_DICT
          push(new Map());
          break;
        case 0x5d: // EMPTY_LIST
        case 0x29: // EMPTY_TUPLE
        case 0x8f: // EMPTY_SET
          push([]);
          break;
        case 0x4e: // NONE
          push(null);
          break;
        case 0x88: // NEWTRUE
          push(true);
          break;
        case 0x89: // NEWFALSE
          push(false);
          break;
        case 0x4a: // BININT
          need(4);
          push(buf.readInt32LE(pos));
          pos += 4;
          break;
        case 0x4b: // BININT1
          push(u8());
          break;
        case 0x4d: // BININT2
          push(u16());
          break;
        case 0x8a: // LONG1
          push(long(take(u8())));
          break;
        case 0x8b: // LONG4
          push(long(take(u32())));
          break;
        case 0x47: // BINFLOAT (big-endian)
          need(8);
          push(buf.readDoubleBE(pos));
          pos += 8;
          break;
        case 0x58: // BINUNICODE
          push(text(take(u32())));
          break;
        case 0x8c: // SHORT_BINUNICODE
          push(text(take(u8())));
          break;
        case 0x8d: // BINUNICODE8
          push(text(take(u64())));
          break;
        case 0x42: // BINBYTES
          push(bytesOf(take(u32())));
          break;
        case 0x43: // SHORT_BINBYTES
          push(bytesOf(take(u8())));
          break;
        case 0x8e: // BINBYTES8
          push(bytesOf(take(u64())));
          break;
        case 0x85: // TUPLE1
          push([pop()]);
          break;
        case 0x86: {
          // TUPLE2
          const b = pop();
          push([pop(), b]);
          break;
        }
        case 0x87: {
          // TUPLE3
          const c = pop();
          const b = pop();
          push([pop(), b, c]);
          break;
        }
        case 0x74: // TUPLE
        case 0x6c: // LIST
        case 0x91: // FROZENSET
          push(popMark());
          break;
        case 0x64: {
          // DICT
          const d: PyDict = new Map();
          setItems(d, popMark());
          push(d);
          break;
        }
        case 0x61: {
          // APPEND
          const v = pop();
          const list = top();
          if (!Array.isArray(list)) fail('APPEND to a non-list');
          (list as PyValue[]).push(v);
          break;
        }
        case 0x65: // APPENDS
        case 0x90: {
          // ADDITEMS
          const items = popMark();
          const list = top();
          if (!Array.isArray(list)) fail('APPENDS to a non-list');
          charge(8 * items.length);
          for (const v of items) (list as PyValue[]).push(v);
          break;
        }
        case 0x73: {
          // SETITEM
          const v = pop();
          const k = pop();
          setItems(top(), [k, v]);
          break;
        }
        case 0x75: {
          // SETITEMS
          const kv = popMark();
          setItems(top(), kv);
          break;
        }
        case 0x71: // BINPUT
          memo.set(u8(), top());
          break;
        case 0x72: // LONG_BINPUT
          memo.set(u32(), top());
          break;
        case 0x94: // MEMOIZE
          memo.set(memo.size, top());
          break;
        case 0x68: // BINGET
        case 0x6a: {
          // LONG_BINGET
          const i = op === 0x68 ? u8() : u32();
          if (!memo.has(i)) fail(`memo key ${i} missing`);
          push(memo.get(i)!);
          break;
        }
        case 0x63: {
          // GLOBAL
          const module = line();
          const name = line();
          push(resolveGlobal(module, name));
          break;
        }
        case 0x93: {
          // STACK_GLOBAL
          const name = pop();
          const module = pop();
          if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
          push(resolveGlobal(module as string, name as string));
          break;
        }
        case 0x52: {
          // REDUCE
          const args = pop();
          const fn = pop();
          if (!(fn instanceof GlobalRef)) return fail('REDUCE on something that is not an allowed global');
          if (!Array.isArray(args)) return fail('REDUCE arguments are not a tuple');
          const call = CALLABLES[fn.qualified];
          push(call ? call(args) : instantiate(fn, args));
          break;
        }
        case 0x81: {
          // NEWOBJ
          const args = pop();
          const cls = pop();
          if (!(cls instanceof GlobalRef) || !Array.isArray(args)) return fail('NEWOBJ on something that is not an allowed class');
          push(instantiate(cls, args));
          break;
        }
        case 0x62: {
          // BUILD
          const state = pop();
          build(top(), state);
          break;
        }
        case 0x51: {
          // BINPERSID: torch's ('storage', storage_type, key, location, numel)
          const pid = pop();
          if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5) return fail('unsupported persistent id');
          const [, type, k, , n] = pid;
          if (!(type instanceof GlobalRef) || !(type.qualified in STORAGE_DTYPES)) return fail('persistent id without a storage type');
          if (typeof k !== 'string' || typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) return fail('malformed storage id');
          push(new StorageRef(STORAGE_DTYPES[type.qualified], k, n));
          break;
        }
        default:
          fail(`unsupported opcode 0x${op.toString(16).padStart(2, '0')}`);
      }
    }
    return { done: false };
  };
}
