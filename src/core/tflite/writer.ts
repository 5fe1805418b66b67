/**
 * writeTflite: a Model into a TensorFlow Lite flatbuffer (schema version 3,
 * identifier "TFL3") with the `flatbuffers` Builder. Constant buffers are
 * 16-byte aligned (the schema's force_align, and what TFLite Micro needs to
 * use weights in place); operator codes fill both the deprecated byte and
 * the int32 code so old and new runtimes agree. The bytes written are read
 * back with readTflite before they are returned, so the writer can never
 * emit a file the reader (or a consumer relying on its checks) rejects.
 */
import { Builder } from 'flatbuffers';
import { HeadstartError, isHeadstartError } from '../errors.ts';
import type { BuiltinOptions, Model, Operator, OperatorCode, QuantizationParams, SignatureDef, SubGraph, Tensor } from './model.ts';
import { readTflite } from './reader.ts';
import { FIELD, TFLITE_FILE_IDENTIFIER, TFLITE_SCHEMA_VERSION } from './schema_fields.ts';
import { builtinOperatorCode, PLACEHOLDER_FOR_GREATER_OP_CODES } from './schema_operators.ts';
import { OPTIONS_BY_NAME, TENSOR_TYPES, type OptionField } from './schema_options.ts';

/** Alignment of constant data, from the schema's `force_align: 16` on Buffer.data. */
export const BUFFER_ALIGNMENT = 16;

type Offset = number;

function invalid(message: string): HeadstartError {
  return new HeadstartError('INTERNAL', `cannot write the model: ${message}`);
}

export function writeTflite(model: Model): Uint8Array {
  const dataBytes = model.buffers.reduce((n, b) => n + b.length + BUFFER_ALIGNMENT, 0);
  const b = new Builder(4096 + dataBytes);

  // Constant data first: the builder writes back to front, so it lands at the end of the file as converters place it.
  const buffers = model.buffers.map((data) => writeBuffer(b, data));
  const subgraphs = model.subgraphs.map((sg) => writeSubGraph(b, sg));
  const operatorCodes = model.operatorCodes.map((c) => writeOperatorCode(b, c));
  const metadata = model.metadata.map((m) => {
    const name = b.createString(m.name);
    b.startObject(FIELD.Metadata.count);
    b.addFieldOffset(FIELD.Metadata.name, name, 0);
    b.addFieldInt32(FIELD.Metadata.buffer, m.buffer, 0);
    return b.endObject();
  });
  const signatures = model.signatureDefs.map((s) => writeSignatureDef(b, s));
  const description = b.createString(model.description);

  const F = FIELD.Model;
  const vecOperatorCodes = offsetVector(b, operatorCodes);
  const vecSubgraphs = offsetVector(b, subgraphs);
  const vecBuffers = offsetVector(b, buffers);
  const vecMetadata = offsetVector(b, metadata);
  const vecSignatures = offsetVector(b, signatures);
  b.startObject(F.count);
  b.addFieldInt32(F.version, TFLITE_SCHEMA_VERSION, 0);
  b.addFieldOffset(F.operatorCodes, vecOperatorCodes, 0);
  b.addFieldOffset(F.subgraphs, vecSubgraphs, 0);
  b.addFieldOffset(F.description, description, 0);
  b.addFieldOffset(F.buffers, vecBuffers, 0);
  b.addFieldOffset(F.metadata, vecMetadata, 0);
  b.addFieldOffset(F.signatureDefs, vecSignatures, 0);
  b.finish(b.endObject(), TFLITE_FILE_IDENTIFIER);
  const bytes = b.asUint8Array().slice();

  try {
    readTflite(bytes);
  } catch (err) {
    if (isHeadstartError(err)) throw new HeadstartError('INTERNAL', `cannot write the model, it is inconsistent: ${err.message} [${err.code}]`, { ...err.details, readAs: err.code });
    throw err;
  }
  return bytes;
}

function offsetVector(b: Builder, offsets: Offset[]): Offset {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]!);
  return b.endVector();
}

function int32Vector(b: Builder, values: readonly number[]): Offset {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i]!);
  return b.endVector();
}

function float32Vector(b: Builder, values: readonly number[]): Offset {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addFloat32(values[i]!);
  return b.endVector();
}

/**
 * Vectors already written, by content: a flatbuffer may point at one vector
 * from many tables, and an int8 model repeats the same per-channel zero
 * points (all 0) and shapes tensor after tensor. Sharing them keeps the file
 * small (24 bytes a channel otherwise).
 */
type SharedVectors = Map<string, Offset>;

function shared(cache: SharedVectors, kind: string, values: readonly number[], write: () => Offset): Offset {
  const key = `${kind}:${values.join(',')}`;
  let offset = cache.get(key);
  if (offset === undefined) {
    offset = write();
    cache.set(key, offset);
  }
  return offset;
}

function int64Vector(b: Builder, values: readonly number[]): Offset {
  b.startVector(8, values.length, 8);
  for (let i = values.length - 1; i >= 0; i--) b.addInt64(BigInt(values[i]!));
  return b.endVector();
}

function writeBuffer(b: Builder, data: Uint8Array): Offset {
  let vec = 0;
  if (data.length > 0) {
    b.prep(BUFFER_ALIGNMENT, data.length);
    vec = b.createByteVector(data);
  }
  b.startObject(FIELD.Buffer.count);
  if (vec) b.addFieldOffset(FIELD.Buffer.data, vec, 0);
  return b.endObject();
}

function writeOperatorCode(b: Builder, c: OperatorCode): Offset {
  const F = FIELD.OperatorCode;
  const named = builtinOperatorCode(c.builtin);
  if (!Number.isInteger(c.builtinCode) || c.builtinCode < 0 || named !== c.builtinCode) {
    throw invalid(`operator code ${JSON.stringify(c.builtin)} has builtinCode ${c.builtinCode}, the schema says ${named ?? 'no such operator'}`);
  }
  const custom = c.customCode === undefined ? 0 : b.createString(c.customCode);
  b.startObject(F.count);
  b.addFieldInt8(F.deprecatedBuiltinCode, Math.min(c.builtinCode, PLACEHOLDER_FOR_GREATER_OP_CODES), 0);
  if (custom) b.addFieldOffset(F.customCode, custom, 0);
  b.addFieldInt32(F.version, c.version, 1);
  b.addFieldInt32(F.builtinCode, c.builtinCode, 0);
  return b.endObject();
}

function writeSubGraph(b: Builder, sg: SubGraph): Offset {
  const F = FIELD.SubGraph;
  const cache: SharedVectors = new Map();
  const tensors = offsetVector(b, sg.tensors.map((t) => writeTensor(b, t, cache)));
  const inputs = int32Vector(b, sg.inputs);
  const outputs = int32Vector(b, sg.outputs);
  const operators = offsetVector(b, sg.operators.map((op, i) => writeOperator(b, op, i)));
  const name = b.createString(sg.name);
  b.startObject(F.count);
  b.addFieldOffset(F.tensors, tensors, 0);
  b.addFieldOffset(F.inputs, inputs, 0);
  b.addFieldOffset(F.outputs, outputs, 0);
  b.addFieldOffset(F.operators, operators, 0);
  b.addFieldOffset(F.name, name, 0);
  return b.endObject();
}

function writeTensor(b: Builder, t: Tensor, cache: SharedVectors): Offset {
  const F = FIELD.Tensor;
  const type = TENSOR_TYPES.indexOf(t.type);
  if (type < 0) throw invalid(`tensor ${JSON.stringify(t.name)} has the unknown type ${JSON.stringify(t.type)}`);
  const shape = shared(cache, 'i32', t.shape, () => int32Vector(b, t.shape));
  const name = b.createString(t.name);
  const quantization = t.quantization ? writeQuantization(b, t.quantization, cache) : 0;
  const signature = t.shapeSignature ? shared(cache, 'i32', t.shapeSignature, () => int32Vector(b, t.shapeSignature!)) : 0;
  b.startObject(F.count);
  b.addFieldOffset(F.shape, shape, 0);
  b.addFieldInt8(F.type, type, 0);
  b.addFieldInt32(F.buffer, t.buffer, 0);
  b.addFieldOffset(F.name, name, 0);
  if (quantization) b.addFieldOffset(F.quantization, quantization, 0);
  b.addFieldInt8(F.isVariable, t.isVariable ? 1 : 0, 0);
  if (signature) b.addFieldOffset(F.shapeSignature, signature, 0);
  // headstart writes every tensor with a known rank (a [] shape is a scalar).
  b.addFieldInt8(F.hasRank, 1, 0);
  return b.endObject();
}

function writeQuantization(b: Builder, q: QuantizationParams, cache: SharedVectors): Offset {
  const F = FIELD.QuantizationParameters;
  const min = q.min ? float32Vector(b, q.min) : 0;
  const max = q.max ? float32Vector(b, q.max) : 0;
  const scale = shared(cache, 'f32', q.scale, () => float32Vector(b, q.scale));
  const zeroPoint = shared(cache, 'i64', q.zeroPoint, () => int64Vector(b, q.zeroPoint));
  b.startObject(F.count);
  if (min) b.addFieldOffset(F.min, min, 0);
  if (max) b.addFieldOffset(F.max, max, 0);
  b.addFieldOffset(F.scale, scale, 0);
  b.addFieldOffset(F.zeroPoint, zeroPoint, 0);
  b.addFieldInt32(F.quantizedDimension, q.quantizedDimension, 0);
  return b.endObject();
}

function writeOperator(b: Builder, op: Operator, index: number): Offset {
  const F = FIELD.Operator;
  const inputs = int32Vector(b, op.inputs);
  const outputs = int32Vector(b, op.outputs);
  const intermediates = op.intermediates ? int32Vector(b, op.intermediates) : 0;
  const options = op.options ? writeOptions(b, op.options, index) : undefined;
  const custom = op.customOptions ? b.createByteVector(op.customOptions) : 0;
  b.startObject(F.count);
  b.addFieldInt32(F.opcodeIndex, op.opcodeIndex, 0);
  b.addFieldOffset(F.inputs, inputs, 0);
  b.addFieldOffset(F.outputs, outputs, 0);
  if (options) {
    b.addFieldInt8(F.builtinOptionsType, options.unionType, 0);
    b.addFieldOffset(F.builtinOptions, options.table, 0);
  }
  if (custom) b.addFieldOffset(F.customOptions, custom, 0);
  if (intermediates) b.addFieldOffset(F.intermediates, intermediates, 0);
  return b.endObject();
}

function writeOptions(b: Builder, options: BuiltinOptions, opIndex: number): { unionType: number; table: Offset } {
  const spec = OPTIONS_BY_NAME.get(options.type);
  if (!spec) {
    throw new HeadstartError(
      'INTERNAL',
      `cannot write operator ${opIndex}: its options table ${JSON.stringify(options.type)} is not one headstart can encode (it was read from a newer or unknown schema). Re-create the operator with known options.`,
    );
  }
  const where = `operator ${opIndex} ${spec.name}`;
  // Vectors and strings are written before the table that refers to them.
  const refs = new Map<number, Offset>();
  for (const f of spec.fields) {
    const v = options[f.key];
    if (v === undefined) continue;
    if (f.kind === 'string') refs.set(f.id, b.createString(expect(v, 'string', where, f)));
    else if (f.kind === '[int]') refs.set(f.id, int32Vector(b, numbers(v, where, f)));
    else if (f.kind === '[float]') refs.set(f.id, float32Vector(b, numbers(v, where, f)));
    else if (f.kind === '[long]') refs.set(f.id, int64Vector(b, numbers(v, where, f)));
  }
  const fieldCount = spec.fields.reduce((n, f) => Math.max(n, f.id + 1), 0);
  b.startObject(fieldCount);
  for (const f of spec.fields) {
    const ref = refs.get(f.id);
    if (ref !== undefined) {
      b.addFieldOffset(f.id, ref, 0);
      continue;
    }
    const v = options[f.key] ?? f.defaultValue;
    switch (f.kind) {
      case 'int':
      case 'uint':
        b.addFieldInt32(f.id, expect(v, 'number', where, f), f.defaultValue as number);
        break;
      case 'long':
        b.addFieldInt64(f.id, BigInt(expect(v, 'number', where, f)), BigInt(f.defaultValue as number));
        break;
      case 'float':
        b.addFieldFloat32(f.id, expect(v, 'number', where, f), f.defaultValue as number);
        break;
      case 'bool':
        b.addFieldInt8(f.id, expect(v, 'boolean', where, f) ? 1 : 0, f.defaultValue ? 1 : 0);
        break;
      case 'enum': {
        const code = f.values!.indexOf(expect(v, 'string', where, f));
        if (code < 0) throw invalid(`${where} option ${f.key} is ${JSON.stringify(v)}, expected one of ${f.values!.join(', ')}`);
        b.addFieldInt8(f.id, code, f.values!.indexOf(f.defaultValue as string));
        break;
      }
    }
  }
  return { unionType: spec.unionType, table: b.endObject() };
}

function expect<K extends 'number' | 'string' | 'boolean'>(
  v: unknown,
  kind: K,
  where: string,
  f: OptionField,
): K extends 'number' ? number : K extends 'string' ? string : boolean {
  if (typeof v !== kind || (kind === 'number' && !Number.isFinite(v as number) && f.kind !== 'float')) {
    throw invalid(`${where} option ${f.key} is ${JSON.stringify(v)}, expected a ${kind}`);
  }
  return v as never;
}

function numbers(v: unknown, where: string, f: OptionField): number[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number')) throw invalid(`${where} option ${f.key} must be an array of numbers`);
  return v as number[];
}

function writeSignatureDef(b: Builder, s: SignatureDef): Offset {
  const F = FIELD.SignatureDef;
  const maps = (entries: SignatureDef['inputs']): Offset =>
    offsetVector(
      b,
      entries.map((e) => {
        const name = b.createString(e.name);
        b.startObject(FIELD.TensorMap.count);
        b.addFieldOffset(FIELD.TensorMap.name, name, 0);
        b.addFieldInt32(FIELD.TensorMap.tensorIndex, e.tensorIndex, 0);
        return b.endObject();
      }),
    );
  const inputs = maps(s.inputs);
  const outputs = maps(s.outputs);
  const key = b.createString(s.signatureKey);
  b.startObject(F.count);
  b.addFieldOffset(F.inputs, inputs, 0);
  b.addFieldOffset(F.outputs, outputs, 0);
  b.addFieldOffset(F.signatureKey, key, 0);
  b.addFieldInt32(F.subgraphIndex, s.subgraphIndex, 0);
  return b.endObject();
}
