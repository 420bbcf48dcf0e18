import protobuf from 'protobufjs';

/**
 * The subset of onnx.proto (field numbers from onnx/onnx.proto, IR version 8) that the builder emits,
 * declared through protobufjs reflection so no generated code or extra dependency is needed.
 */
const descriptor = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            ir_version: { id: 1, type: 'int64' },
            producer_name: { id: 2, type: 'string' },
            producer_version: { id: 3, type: 'string' },
            domain: { id: 4, type: 'string' },
            model_version: { id: 5, type: 'int64' },
            doc_string: { id: 6, type: 'string' },
            graph: { id: 7, type: 'GraphProto' },
            opset_import: { id: 8, rule: 'repeated', type: 'OperatorSetIdProto' },
            metadata_props: { id: 14, rule: 'repeated', type: 'StringStringEntryProto' },
          },
        },
        OperatorSetIdProto: { fields: { domain: { id: 1, type: 'string' }, version: { id: 2, type: 'int64' } } },
        StringStringEntryProto: { fields: { key: { id: 1, type: 'string' }, value: { id: 2, type: 'string' } } },
        GraphProto: {
          fields: {
            node: { id: 1, rule: 'repeated', type: 'NodeProto' },
            name: { id: 2, type: 'string' },
            initializer: { id: 5, rule: 'repeated', type: 'TensorProto' },
            doc_string: { id: 10, type: 'string' },
            input: { id: 11, rule: 'repeated', type: 'ValueInfoProto' },
            output: { id: 12, rule: 'repeated', type: 'ValueInfoProto' },
            value_info: { id: 13, rule: 'repeated', type: 'ValueInfoProto' },
          },
        },
        NodeProto: {
          fields: {
            input: { id: 1, rule: 'repeated', type: 'string' },
            output: { id: 2, rule: 'repeated', type: 'string' },
            name: { id: 3, type: 'string' },
            op_type: { id: 4, type: 'string' },
            attribute: { id: 5, rule: 'repeated', type: 'AttributeProto' },
            doc_string: { id: 6, type: 'string' },
            domain: { id: 7, type: 'string' },
          },
        },
        AttributeProto: {
          fields: {
            name: { id: 1, type: 'string' },
            f: { id: 2, type: 'float' },
            i: { id: 3, type: 'int64' },
            s: { id: 4, type: 'bytes' },
            t: { id: 5, type: 'TensorProto' },
            floats: { id: 7, rule: 'repeated', type: 'float' },
            ints: { id: 8, rule: 'repeated', type: 'int64' },
            strings: { id: 9, rule: 'repeated', type: 'bytes' },
            type: { id: 20, type: 'int32' },
          },
        },
        ValueInfoProto: { fields: { name: { id: 1, type: 'string' }, type: { id: 2, type: 'TypeProto' } } },
        TypeProto: {
          fields: { tensor_type: { id: 1, type: 'TypeProtoTensor' } },
        },
        TypeProtoTensor: {
          fields: { elem_type: { id: 1, type: 'int32' }, shape: { id: 2, type: 'TensorShapeProto' } },
        },
        TensorShapeProto: { fields: { dim: { id: 1, rule: 'repeated', type: 'Dimension' } } },
        Dimension: { fields: { dim_value: { id: 1, type: 'int64' }, dim_param: { id: 2, type: 'string' } } },
        TensorProto: {
          fields: {
            dims: { id: 1, rule: 'repeated', type: 'int64' },
            data_type: { id: 2, type: 'int32' },
            float_data: { id: 4, rule: 'repeated', type: 'float' },
            int32_data: { id: 5, rule: 'repeated', type: 'int32' },
            int64_data: { id: 7, rule: 'repeated', type: 'int64' },
            name: { id: 8, type: 'string' },
            raw_data: { id: 9, type: 'bytes' },
            doc_string: { id: 12, type: 'string' },
            external_data: { id: 13, rule: 'repeated', type: 'StringStringEntryProto' },
            data_location: { id: 14, type: 'int32' },
          },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(descriptor);
export const ModelProto = root.lookupType('onnx.ModelProto');

/** onnx.TensorProto.DataType values used here. */
export const TensorDataType = { float32: 1, uint8: 2, int32: 6, int64: 7, bool: 9, float16: 10 } as const;
export type ElemType = keyof typeof TensorDataType;

/** onnx.AttributeProto.AttributeType */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 17;
export const MS_OPSET = 1;
