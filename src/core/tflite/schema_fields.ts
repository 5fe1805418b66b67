/**
 * Field ids of the TensorFlow Lite schema (schema.fbs, version 3) tables
 * that are not builtin options. A field's id is its position in the table
 * declaration; a union takes two ids (its type byte, then its value).
 */
export const TFLITE_FILE_IDENTIFIER = 'TFL3';
export const TFLITE_SCHEMA_VERSION = 3;

export const FIELD = {
  Model: { version: 0, operatorCodes: 1, subgraphs: 2, description: 3, buffers: 4, metadataBuffer: 5, metadata: 6, signatureDefs: 7, count: 8 },
  OperatorCode: { deprecatedBuiltinCode: 0, customCode: 1, version: 2, builtinCode: 3, count: 4 },
  SubGraph: { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4, count: 5 },
  Tensor: {
    shape: 0, type: 1, buffer: 2, name: 3, quantization: 4, isVariable: 5, sparsity: 6, shapeSignature: 7, hasRank: 8, variantTensors: 9, count: 10,
  },
  QuantizationParameters: { min: 0, max: 1, scale: 2, zeroPoint: 3, detailsType: 4, details: 5, quantizedDimension: 6, count: 7 },
  Operator: {
    opcodeIndex: 0, inputs: 1, outputs: 2, builtinOptionsType: 3, builtinOptions: 4, customOptions: 5, customOptionsFormat: 6,
    mutatingVariableInputs: 7, intermediates: 8, largeCustomOptionsOffset: 9, largeCustomOptionsSize: 10, builtinOptions2Type: 11,
    builtinOptions2: 12, count: 13,
  },
  Buffer: { data: 0, offset: 1, size: 2, count: 3 },
  Metadata: { name: 0, buffer: 1, count: 2 },
  TensorMap: { name: 0, tensorIndex: 1, count: 2 },
  SignatureDef: { inputs: 0, outputs: 1, signatureKey: 2, deprecatedTag: 3, subgraphIndex: 4, count: 5 },
} as const;
