/**
 * Can TensorFlow Lite Micro run this model? Checks what makes TFLM refuse a
 * model or run it badly on a microcontroller: operators it has no kernel
 * for, dynamic shapes (TFLM plans memory once, ahead of time), float
 * operators inside an int8 graph (slow soft-float on most MCUs, and a sign
 * the quantization did not cover the whole graph), and tensor types it
 * cannot hold.
 */
import type { Model } from './model.ts';

/**
 * Builtin operators registered by tflite-micro's MicroMutableOpResolver
 * (tensorflow/lite/micro/micro_mutable_op_resolver.h, 2025).
 */
export const TFLM_BUILTIN_OPS: ReadonlySet<string> = new Set([
  'ABS', 'ADD', 'ADD_N', 'ARG_MAX', 'ARG_MIN', 'ASSIGN_VARIABLE', 'AVERAGE_POOL_2D', 'BATCH_MATMUL', 'BATCH_TO_SPACE_ND',
  'BROADCAST_ARGS', 'BROADCAST_TO', 'CALL_ONCE', 'CAST', 'CEIL', 'CONCATENATION', 'CONV_2D', 'COS', 'CUMSUM',
  'DEPTH_TO_SPACE', 'DEPTHWISE_CONV_2D', 'DEQUANTIZE', 'DIV', 'EMBEDDING_LOOKUP', 'ELU', 'EQUAL', 'EXP', 'EXPAND_DIMS',
  'FILL', 'FLOOR', 'FLOOR_DIV', 'FLOOR_MOD', 'FULLY_CONNECTED', 'GATHER', 'GATHER_ND', 'GREATER', 'GREATER_EQUAL',
  'HARD_SWISH', 'IF', 'L2_NORMALIZATION', 'L2_POOL_2D', 'LEAKY_RELU', 'LESS', 'LESS_EQUAL', 'LOG', 'LOGICAL_AND',
  'LOGICAL_NOT', 'LOGICAL_OR', 'LOGISTIC', 'LOG_SOFTMAX', 'MAXIMUM', 'MAX_POOL_2D', 'MIRROR_PAD', 'MEAN', 'MINIMUM',
  'MUL', 'NEG', 'NOT_EQUAL', 'PACK', 'PAD', 'PADV2', 'PRELU', 'QUANTIZE', 'READ_VARIABLE', 'REDUCE_MAX', 'REDUCE_MIN',
  'RELU', 'RELU6', 'RESHAPE', 'RESIZE_BILINEAR', 'RESIZE_NEAREST_NEIGHBOR', 'REVERSE_V2', 'ROUND', 'RSQRT', 'SELECT_V2',
  'SHAPE', 'SIN', 'SLICE', 'SOFTMAX', 'SPACE_TO_BATCH_ND', 'SPACE_TO_DEPTH', 'SPLIT', 'SPLIT_V', 'SQUEEZE', 'SQRT',
  'SQUARE', 'SQUARED_DIFFERENCE', 'STRIDED_SLICE', 'SUB', 'SUM', 'SVDF', 'TANH', 'TRANSPOSE_CONV', 'TRANSPOSE',
  'UNPACK', 'UNIDIRECTIONAL_SEQUENCE_LSTM', 'VAR_HANDLE', 'WHILE', 'ZEROS_LIKE',
]);

/** Custom operators tflite-micro ships kernels for (registered by name). */
export const TFLM_CUSTOM_OPS: ReadonlySet<string> = new Set([
  'CIRCULAR_BUFFER', 'TFLite_Detection_PostProcess', 'ethos-u', 'SignalDelay', 'SignalEnergy', 'SignalFftAutoScale',
  'SignalFilterBank', 'SignalFilterBankLog', 'SignalFilterBankSquareRoot', 'SignalFilterBankSpectralSubtraction',
  'SignalFramer', 'SignalIrfft', 'SignalOverlapAdd', 'SignalPCAN', 'SignalRfft', 'SignalStacker', 'SignalWindow',
]);

/** Tensor types TFLM has no kernels or storage for (uint64 is fine: its signal ops use it). */
const TFLM_UNSUPPORTED_TYPES: ReadonlySet<string> = new Set(['string', 'complex64', 'complex128', 'float64', 'variant']);

const FLOAT_TYPES: ReadonlySet<string> = new Set(['float32', 'float16', 'float64']);

export interface TflmVerdict {
  runnable: boolean;
  /** 'int8' when activations are integer (int8/int16 quantized), 'float' when all float, 'mixed' otherwise. */
  graph: 'int8' | 'float' | 'mixed';
  /** Why TFLM cannot run it (empty when runnable). */
  reasons: string[];
  /** Things to know that do not stop it running (e.g. custom ops to register). */
  notes: string[];
}

export function tflmVerdict(model: Model): TflmVerdict {
  const reasons: string[] = [];
  const notes: string[] = [];
  let floatOps = 0;
  let integerOps = 0;
  const floatOpList: string[] = [];

  model.subgraphs.forEach((sg, s) => {
    sg.operators.forEach((op, o) => {
      const code = model.operatorCodes[op.opcodeIndex]!;
      const where = `subgraph ${s} operator ${o} (${code.builtin === 'CUSTOM' ? `custom ${code.customCode ?? '?'}` : code.builtin})`;
      if (code.builtin === 'CUSTOM') {
        if (code.customCode !== undefined && TFLM_CUSTOM_OPS.has(code.customCode)) {
          notes.push(`${where}: TFLM has this custom kernel; register it in the op resolver`);
        } else {
          reasons.push(`${where}: TFLM has no kernel for this custom operator`);
        }
      } else if (!TFLM_BUILTIN_OPS.has(code.builtin)) {
        reasons.push(`${where}: TFLM has no kernel for ${code.builtin}`);
      }
      // QUANTIZE and DEQUANTIZE sit at the float/integer border by design.
      if (code.builtin === 'QUANTIZE' || code.builtin === 'DEQUANTIZE') return;
      const touches = [...op.inputs, ...op.outputs].filter((t) => t >= 0).map((t) => sg.tensors[t]!);
      const activations = touches.filter((t) => t.buffer === 0 || (model.buffers[t.buffer]?.length ?? 0) === 0);
      if (activations.some((t) => FLOAT_TYPES.has(t.type))) {
        floatOps++;
        floatOpList.push(where);
      } else {
        integerOps++;
      }
    });
    // TFLM plans memory from the stored `shape` and ignores shape_signature. A dynamic batch (the
    // converter's default) is harmless since the stored shape has batch 1; any other dynamic
    // dimension means the stored shape is only a placeholder.
    const dynamic = sg.tensors.flatMap((t, i) => (t.shapeSignature?.slice(1).some((d) => d < 0) ? [`${i} "${t.name}" [${t.shapeSignature.join(', ')}]`] : []));
    if (dynamic.length > 0) {
      reasons.push(`subgraph ${s} has ${dynamic.length} tensor(s) with dynamic non-batch dimensions (${dynamic.slice(0, 3).join('; ')}${dynamic.length > 3 ? '; ...' : ''}); TFLM needs static shapes: convert with fixed input shapes`);
    }
    const dynamicBatch = sg.tensors.filter((t) => t.shapeSignature?.[0] === -1 && !t.shapeSignature.slice(1).some((d) => d < 0)).length;
    if (dynamicBatch > 0) notes.push(`subgraph ${s}: ${dynamicBatch} tensor(s) have a dynamic batch in their signature; TFLM uses the stored batch of ${sg.tensors.find((t) => t.shapeSignature?.[0] === -1)?.shape[0] ?? 1}`);
    sg.tensors.forEach((t, i) => {
      if (TFLM_UNSUPPORTED_TYPES.has(t.type)) reasons.push(`subgraph ${s} tensor ${i} "${t.name}" has type ${t.type}, which TFLM does not support`);
    });
  });

  const graph = floatOps === 0 ? 'int8' : integerOps === 0 ? 'float' : 'mixed';
  if (graph === 'mixed') {
    reasons.push(
      `float operators in an integer graph: ${floatOpList.join('; ')}. Quantize the whole graph (full-integer post-training quantization) so every operator runs in int8`,
    );
  }
  if (graph === 'float') notes.push('float graph: TFLM runs it, but slowly on MCUs without an FPU; the int8 model is the one to deploy');
  return { runnable: reasons.length === 0, graph, reasons, notes };
}
