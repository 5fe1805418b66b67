/**
 * The in-memory form of a TensorFlow Lite model: what the reader returns, what
 * the writer serializes, what `inspect`, the arena planner and the TypeScript
 * interpreter consume. Plain data, no flatbuffer objects, so that every
 * consumer is independent of the generated code.
 *
 * Names follow TensorFlow Lite's schema.fbs (schema version 3), in camelCase.
 */

/** TensorType values of schema.fbs, by name. */
export type TensorType =
  | 'float32'
  | 'float16'
  | 'int32'
  | 'uint8'
  | 'int64'
  | 'string'
  | 'bool'
  | 'int16'
  | 'complex64'
  | 'int8'
  | 'float64'
  | 'complex128'
  | 'uint64'
  | 'resource'
  | 'variant'
  | 'uint32'
  | 'uint16'
  | 'int4';

export interface QuantizationParams {
  /** One entry per tensor (per-tensor) or per slice along quantizedDimension (per-channel). */
  scale: number[];
  zeroPoint: number[];
  quantizedDimension: number;
  min?: number[];
  max?: number[];
}

export interface Tensor {
  name: string;
  shape: number[];
  /** -1 marks a dynamic dimension; absent when equal to `shape`. */
  shapeSignature?: number[];
  type: TensorType;
  /** Index into Model.buffers; buffer 0 is the conventional empty buffer. */
  buffer: number;
  quantization?: QuantizationParams;
  isVariable: boolean;
}

/**
 * Builtin options of an operator, as a plain object whose keys are the
 * schema's field names in camelCase, with enum values given by name
 * (e.g. `{ padding: 'SAME', strideW: 1, strideH: 1, fusedActivationFunction: 'RELU' }`).
 * `type` names the options table (e.g. 'Conv2DOptions').
 */
export interface BuiltinOptions {
  type: string;
  [field: string]: unknown;
}

export interface OperatorCode {
  /** BuiltinOperator name, e.g. 'CONV_2D', or 'CUSTOM'. */
  builtin: string;
  /** The numeric BuiltinOperator value (the reader fills both). */
  builtinCode: number;
  customCode?: string;
  version: number;
}

export interface Operator {
  opcodeIndex: number;
  inputs: number[]; // -1 marks an omitted optional input
  outputs: number[];
  intermediates?: number[];
  options?: BuiltinOptions;
  customOptions?: Uint8Array;
}

export interface SubGraph {
  name: string;
  tensors: Tensor[];
  inputs: number[];
  outputs: number[];
  operators: Operator[];
}

export interface SignatureTensor {
  name: string;
  tensorIndex: number;
}

export interface SignatureDef {
  signatureKey: string;
  subgraphIndex: number;
  inputs: SignatureTensor[];
  outputs: SignatureTensor[];
}

export interface Metadata {
  name: string;
  buffer: number;
}

export interface Model {
  version: number;
  description: string;
  operatorCodes: OperatorCode[];
  subgraphs: SubGraph[];
  /** Buffer contents; an empty array for buffers with no data. */
  buffers: Uint8Array[];
  metadata: Metadata[];
  signatureDefs: SignatureDef[];
}
