import type { DType } from '../tensor';

/** What the restricted unpickler can produce. Tuples and lists are both arrays. */
export type PyValue = null | boolean | number | bigint | string | Uint8Array | PyValue[] | PyDict | PyObject;
export type PyKey = string | number | bigint | boolean | null;
export type PyDict = Map<PyKey, PyValue>;
export type PyObject = GlobalRef | StorageRef | TensorSpec | InertObject | NumpyDtype;

/** A name from the allowlist, held on the stack until REDUCE/NEWOBJ uses it. */
export class GlobalRef {
  constructor(readonly qualified: string) {}
}

/** A torch storage named by a persistent id: the zip member `data/<key>`. */
export class StorageRef {
  constructor(
    readonly dtype: DType,
    readonly key: string,
    readonly numel: number,
  ) {}
}

/** A tensor as torch's `_rebuild_tensor_v2` describes it: a strided view of a storage (offsets in elements). */
export class TensorSpec {
  constructor(
    readonly storage: StorageRef,
    readonly storageOffset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {}
}

/** An allowlisted training-state class (e.g. a Lightning callback): only its attribute record is kept. */
export class InertObject {
  readonly state: PyDict = new Map();
  constructor(readonly className: string) {}
}

export class NumpyDtype {
  byteOrder = '<';
  constructor(readonly code: string) {}
}
