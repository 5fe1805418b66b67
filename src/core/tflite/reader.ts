/**
 * readTflite: a .tflite file (TensorFlow Lite flatbuffer, schema version 3)
 * into the plain Model of model.ts. This is the trust boundary for model
 * files: see TRUST.md beside this file for what is validated and what is not.
 * Malformed input always ends in a HeadstartError with a stable TFLITE_* code.
 */
import { HeadstartError } from '../errors.ts';
import { FlatReader, type FlatTable } from './flat_reader.ts';
import type {
  BuiltinOptions,
  Metadata,
  Model,
  Operator,
  OperatorCode,
  QuantizationParams,
  SignatureDef,
  SignatureTensor,
  SubGraph,
  Tensor,
} from './model.ts';
import { builtinOperatorName } from './schema_operators.ts';
import { OPTIONS_BY_UNION_TYPE, SUBGRAPH_INDEX_KEYS, TENSOR_TYPES, type OptionsTable } from './schema_options.ts';
import { FIELD, TFLITE_FILE_IDENTIFIER, TFLITE_SCHEMA_VERSION } from './schema_fields.ts';
import { tensorByteLength } from './tensor_size.ts';

/** Largest element count a tensor may declare (TFLite sizes tensors with int32 byte counts). */
const MAX_TENSOR_ELEMENTS = 0x7fffffff;

/** Decoding work allowed per byte of file (plus a fixed allowance); real models use about one unit per byte or less. */
const WORK_PER_BYTE = 4;
const WORK_BASE = 100_000;

/** Which check a damaged file failed: TFLITE_CORRUPT errors carry it as `details.check` (the fuzz tests tally by it). */
export type TfliteCheck = 'truncated' | 'out-of-bounds' | 'string' | 'too-complex' | 'no-subgraph' | 'index' | 'enum' | 'shape' | 'buffer-size' | 'quantization' | 'metadata';

function corrupt(check: TfliteCheck, message: string, details: Record<string, unknown> = {}): HeadstartError {
  return new HeadstartError('TFLITE_CORRUPT', `the model file is invalid: ${message}. Re-export the model or check that it is a TensorFlow Lite file.`, { check, ...details });
}

function checkIndex(index: number, count: number, what: string, allowOmitted = false): void {
  if (allowOmitted && index === -1) return;
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw corrupt('index', `${what} is ${index} but only ${count} exist`, { index, count });
  }
}

/** Parses and validates a TensorFlow Lite flatbuffer. Never reads outside `bytes`; never returns a Model with a dangling index. */
export function readTflite(bytes: Uint8Array): Model {
  if (bytes.length < 8) {
    throw new HeadstartError(
      'TFLITE_CORRUPT',
      `the model file is ${bytes.length} bytes long, too short to be a TensorFlow Lite model: it is truncated or empty. Re-copy or re-export the model.`,
      { check: 'truncated' },
    );
  }
  const identifierBytes = bytes.subarray(4, 8);
  const identifier = String.fromCharCode(...identifierBytes);
  if (identifier !== TFLITE_FILE_IDENTIFIER) {
    // Shown as text only when it is printable ASCII: raw bytes could be terminal escapes.
    const printable = /^[\x20-\x7e]{4}$/.test(identifier);
    const hex = Array.from(identifierBytes, (b) => `0x${b.toString(16).padStart(2, '0')}`).join(' ');
    throw new HeadstartError(
      'NOT_TFLITE',
      `this is not a TensorFlow Lite model: bytes 4..7 are ${printable ? `"${identifier}"` : hex}, a .tflite file has "${TFLITE_FILE_IDENTIFIER}" there. Check the file path.`,
      { check: 'identifier', identifier: hex },
    );
  }
  const r = new FlatReader(bytes, WORK_PER_BYTE * bytes.length + WORK_BASE);
  const root = r.table(r.deref(0, 'root table reference'), 'Model');
  const F = FIELD.Model;

  const version = root.uint32(F.version, 0);
  if (version !== TFLITE_SCHEMA_VERSION) {
    throw new HeadstartError(
      'TFLITE_UNSUPPORTED',
      `the model uses TensorFlow Lite schema version ${version}; headstart reads version ${TFLITE_SCHEMA_VERSION}, what every converter since TensorFlow 1.x writes. Re-convert the model with a current converter.`,
      { check: 'schema-version', version },
    );
  }

  const buffers = root.tables(F.buffers, 'buffers').map((t) => readBuffer(t));
  const operatorCodes = root.tables(F.operatorCodes, 'operator_codes').map(readOperatorCode);
  const subgraphs = root.tables(F.subgraphs, 'subgraphs').map((t, i) => readSubGraph(t, i, buffers, operatorCodes.length));
  if (subgraphs.length === 0) throw corrupt('no-subgraph', 'it has no subgraph, so there is nothing to run');

  for (const [s, sg] of subgraphs.entries()) {
    for (const [o, op] of sg.operators.entries()) {
      for (const key of SUBGRAPH_INDEX_KEYS) {
        const v = op.options?.[key];
        if (typeof v === 'number') checkIndex(v, subgraphs.length, `subgraph ${s} operator ${o} option ${key}`);
      }
    }
  }

  const metadata: Metadata[] = root.tables(F.metadata, 'metadata').map((t, i) => {
    const m = { name: t.string(FIELD.Metadata.name, `metadata[${i}].name`) ?? '', buffer: t.uint32(FIELD.Metadata.buffer, 0) };
    checkIndex(m.buffer, buffers.length, `metadata "${m.name}" buffer`);
    return m;
  });

  const signatureDefs = root.tables(F.signatureDefs, 'signature_defs').map((t) => readSignatureDef(t, subgraphs));

  return {
    version,
    description: root.string(F.description, 'description') ?? '',
    operatorCodes,
    subgraphs,
    buffers,
    metadata,
    signatureDefs,
  };
}

/**
 * Buffer data, either inline or (for models over 2 GB) at an absolute
 * file offset given by `offset`/`size`, which the schema defines as valid only when offset > 1.
 */
function readBuffer(t: FlatTable): Uint8Array {
  const F = FIELD.Buffer;
  const offset = t.uint64(F.offset, 0);
  if (offset > 1) {
    const size = t.uint64(F.size, 0);
    t.reader.check(offset, size, 'external buffer');
    t.reader.spend(1 + size / 16);
    return t.reader.bytes.slice(offset, offset + size);
  }
  return t.bytes(F.data, 'buffer data') ?? new Uint8Array(0);
}

function readOperatorCode(t: FlatTable, index: number): OperatorCode {
  const F = FIELD.OperatorCode;
  // The schema's rule: the byte field holds codes below 127, the int32 field all codes; old writers fill only the byte.
  const code = Math.max(t.int8(F.deprecatedBuiltinCode, 0), t.int32(F.builtinCode, 0));
  if (code < 0) throw corrupt('enum', `operator code ${index} has the negative builtin code ${code}`, { index, code });
  const out: OperatorCode = { builtin: builtinOperatorName(code), builtinCode: code, version: t.int32(F.version, 1) };
  const custom = t.string(F.customCode, `operator_codes[${index}].custom_code`);
  if (custom !== undefined) out.customCode = custom;
  return out;
}

function readSubGraph(t: FlatTable, index: number, buffers: Uint8Array[], opcodeCount: number): SubGraph {
  const F = FIELD.SubGraph;
  const where = `subgraph ${index}`;
  const tensors = t.tables(F.tensors, 'tensors').map((tt, i) => readTensor(tt, `${where} tensor ${i}`, buffers));
  const n = tensors.length;
  const inputs = t.int32s(F.inputs, 'subgraph inputs') ?? [];
  const outputs = t.int32s(F.outputs, 'subgraph outputs') ?? [];
  inputs.forEach((x) => checkIndex(x, n, `${where} input tensor`));
  outputs.forEach((x) => checkIndex(x, n, `${where} output tensor`));
  const operators = t.tables(F.operators, 'operators').map((ot, i) => readOperator(ot, `${where} operator ${i}`, n, opcodeCount));
  return { name: t.string(F.name, 'subgraph name') ?? '', tensors, inputs, outputs, operators };
}

function readTensor(t: FlatTable, where: string, buffers: Uint8Array[]): Tensor {
  const F = FIELD.Tensor;
  const shape = t.int32s(F.shape, 'tensor shape') ?? [];
  let elements = 1;
  for (const d of shape) {
    if (d < 0) throw corrupt('shape', `${where} has the negative dimension ${d} in [${shape.join(', ')}]`);
    elements *= d;
  }
  if (elements > MAX_TENSOR_ELEMENTS) {
    throw corrupt('shape', `${where} has shape [${shape.join(', ')}], ${elements} elements, more than TensorFlow Lite can address`);
  }
  const typeCode = t.int8(F.type, 0);
  const type = TENSOR_TYPES[typeCode];
  if (type === undefined) throw corrupt('enum', `${where} has the unknown tensor type ${typeCode}`, { typeCode });
  const buffer = t.uint32(F.buffer, 0);
  checkIndex(buffer, buffers.length, `${where} buffer`);
  if (t.has(F.sparsity)) {
    throw new HeadstartError(
      'TFLITE_UNSUPPORTED',
      `${where} is stored sparse; headstart reads dense tensors only. Convert the model without sparsity (the default of the TensorFlow Lite converter).`,
      { check: 'sparsity' },
    );
  }
  const data = buffers[buffer]!;
  const expected = tensorByteLength(type, elements);
  if (data.length > 0 && expected !== undefined && data.length !== expected) {
    throw corrupt('buffer-size', `${where} (${type} [${shape.join(', ')}]) needs ${expected} bytes of constant data but buffer ${buffer} holds ${data.length}`);
  }

  const tensor: Tensor = { name: t.string(F.name, 'tensor name') ?? '', shape, type, buffer, isVariable: t.bool(F.isVariable, false) };
  const signature = t.int32s(F.shapeSignature, 'tensor shape_signature');
  if (signature !== undefined && !sameNumbers(signature, shape)) {
    if (signature.length !== shape.length || signature.some((d) => d < -1)) {
      throw corrupt('shape', `${where} has shape [${shape.join(', ')}] but shape signature [${signature.join(', ')}]`);
    }
    tensor.shapeSignature = signature;
  }
  const q = t.table(F.quantization, 'tensor quantization');
  if (q) {
    const quantization = readQuantization(q, where, shape);
    if (quantization) tensor.quantization = quantization;
  }
  return tensor;
}

function readQuantization(t: FlatTable, where: string, shape: number[]): QuantizationParams | undefined {
  const F = FIELD.QuantizationParameters;
  const scale = t.float32s(F.scale, 'quantization scale') ?? [];
  const zeroPoint = t.int64s(F.zeroPoint, 'quantization zero_point') ?? [];
  const min = t.float32s(F.min, 'quantization min');
  const max = t.float32s(F.max, 'quantization max');
  // Converters write an empty table on float tensors; that means "not quantized".
  if (scale.length === 0 && zeroPoint.length === 0 && !min?.length && !max?.length) return undefined;
  // A 1-D tensor has one axis to be per-channel along, whatever the file says: the official converter writes
  // depthwise biases with the filter's quantized_dimension (3), and the official runtime loads them.
  const written = t.int32(F.quantizedDimension, 0);
  const quantizedDimension = shape.length === 1 && scale.length > 1 && shape[0] === scale.length ? 0 : written;
  if (zeroPoint.length !== scale.length) {
    throw corrupt('quantization', `${where} has ${scale.length} scales but ${zeroPoint.length} zero points`);
  }
  if (scale.length > 1 && (quantizedDimension < 0 || quantizedDimension >= shape.length || shape[quantizedDimension] !== scale.length)) {
    throw corrupt(
      'quantization',
      `${where} has ${scale.length} per-channel scales along dimension ${quantizedDimension} of shape [${shape.join(', ')}]`,
    );
  }
  const out: QuantizationParams = { scale, zeroPoint, quantizedDimension };
  if (min?.length) out.min = min;
  if (max?.length) out.max = max;
  return out;
}

function readOperator(t: FlatTable, where: string, tensorCount: number, opcodeCount: number): Operator {
  const F = FIELD.Operator;
  const opcodeIndex = t.uint32(F.opcodeIndex, 0);
  checkIndex(opcodeIndex, opcodeCount, `${where} opcode index`);
  const inputs = t.int32s(F.inputs, 'operator inputs') ?? [];
  const outputs = t.int32s(F.outputs, 'operator outputs') ?? [];
  inputs.forEach((x) => checkIndex(x, tensorCount, `${where} input tensor`, true));
  outputs.forEach((x) => checkIndex(x, tensorCount, `${where} output tensor`));
  const op: Operator = { opcodeIndex, inputs, outputs };
  const intermediates = t.int32s(F.intermediates, 'operator intermediates');
  if (intermediates !== undefined) {
    intermediates.forEach((x) => checkIndex(x, tensorCount, `${where} intermediate tensor`));
    op.intermediates = intermediates;
  }
  const options = readBuiltinOptions(t, where);
  if (options) op.options = options;
  const custom = readCustomOptions(t);
  if (custom) op.customOptions = custom;
  return op;
}

function readCustomOptions(t: FlatTable): Uint8Array | undefined {
  const F = FIELD.Operator;
  const offset = t.uint64(F.largeCustomOptionsOffset, 0);
  if (offset > 1) {
    const size = t.uint64(F.largeCustomOptionsSize, 0);
    t.reader.check(offset, size, 'external custom options');
    t.reader.spend(1 + size / 16);
    return t.reader.bytes.slice(offset, offset + size);
  }
  return t.bytes(F.customOptions, 'custom options');
}

function readBuiltinOptions(t: FlatTable, where: string): BuiltinOptions | undefined {
  const F = FIELD.Operator;
  const unionType = t.uint8(F.builtinOptionsType, 0);
  if (unionType !== 0) {
    const spec = OPTIONS_BY_UNION_TYPE[unionType];
    if (!spec) return { type: `Unknown<${unionType}>` };
    return decodeOptions(spec, t.table(F.builtinOptions, spec.name), where);
  }
  // The second options union holds StableHLO ops only; headstart names it but does not decode it.
  const unionType2 = t.uint8(F.builtinOptions2Type, 0);
  if (unionType2 !== 0) return { type: `Unknown2<${unionType2}>` };
  return undefined;
}

/** Every field of the options table, defaults filled in, enums by name; absent vectors and strings stay absent. */
function decodeOptions(spec: OptionsTable, t: FlatTable | undefined, where: string): BuiltinOptions {
  const out: BuiltinOptions = { type: spec.name };
  for (const f of spec.fields) {
    const name = `${spec.name}.${f.key}`;
    switch (f.kind) {
      case 'int':
        out[f.key] = t ? t.int32(f.id, f.defaultValue as number) : f.defaultValue;
        break;
      case 'uint':
        out[f.key] = t ? t.uint32(f.id, f.defaultValue as number) : f.defaultValue;
        break;
      case 'long':
        out[f.key] = t ? t.int64(f.id, f.defaultValue as number) : f.defaultValue;
        break;
      case 'float':
        out[f.key] = t ? t.float32(f.id, f.defaultValue as number) : f.defaultValue;
        break;
      case 'bool':
        out[f.key] = t ? t.bool(f.id, f.defaultValue as boolean) : f.defaultValue;
        break;
      case 'enum': {
        const values = f.values!;
        const code = t ? t.uint8(f.id, values.indexOf(f.defaultValue as string)) : values.indexOf(f.defaultValue as string);
        const value = values[code];
        if (value === undefined) throw corrupt('enum', `${where} option ${name} has the unknown value ${code}`, { code });
        out[f.key] = value;
        break;
      }
      case 'string': {
        const s = t?.string(f.id, name);
        if (s !== undefined) out[f.key] = s;
        break;
      }
      case '[int]': {
        const v = t?.int32s(f.id, name);
        if (v !== undefined) out[f.key] = v;
        break;
      }
      case '[float]': {
        const v = t?.float32s(f.id, name);
        if (v !== undefined) out[f.key] = v;
        break;
      }
      case '[long]': {
        const v = t?.int64s(f.id, name);
        if (v !== undefined) out[f.key] = v;
        break;
      }
    }
  }
  return out;
}

function readSignatureDef(t: FlatTable, subgraphs: SubGraph[]): SignatureDef {
  const F = FIELD.SignatureDef;
  const signatureKey = t.string(F.signatureKey, 'signature_key') ?? '';
  const subgraphIndex = t.uint32(F.subgraphIndex, 0);
  checkIndex(subgraphIndex, subgraphs.length, `signature "${signatureKey}" subgraph`);
  const tensorCount = subgraphs[subgraphIndex]!.tensors.length;
  const readMaps = (id: number, side: string): SignatureTensor[] =>
    t.tables(id, `signature ${side}`).map((m) => {
      const entry = { name: m.string(FIELD.TensorMap.name, 'signature tensor name') ?? '', tensorIndex: m.uint32(FIELD.TensorMap.tensorIndex, 0) };
      checkIndex(entry.tensorIndex, tensorCount, `signature "${signatureKey}" ${side} "${entry.name}" tensor`);
      return entry;
    });
  return { signatureKey, subgraphIndex, inputs: readMaps(F.inputs, 'input'), outputs: readMaps(F.outputs, 'output') };
}

function sameNumbers(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Where each buffer's data lies in the file (offset −1 for an empty buffer): for alignment checks and `inspect`. */
export function readBufferLayout(bytes: Uint8Array): { offset: number; length: number }[] {
  const model = readTflite(bytes);
  const r = new FlatReader(bytes, WORK_PER_BYTE * bytes.length + WORK_BASE);
  const root = r.table(r.deref(0, 'root table reference'), 'Model');
  return root.tables(FIELD.Model.buffers, 'buffers').map((t, i) => {
    const external = t.uint64(FIELD.Buffer.offset, 0);
    if (external > 1) return { offset: external, length: model.buffers[i]!.length };
    const v = t.vector(FIELD.Buffer.data, 1, 'buffer data');
    return v && v.length > 0 ? { offset: v.start, length: v.length } : { offset: -1, length: 0 };
  });
}
