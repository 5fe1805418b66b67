/**
 * RESHAPE, SQUEEZE, EXPAND_DIMS: the same bytes under another shape. The
 * output has its own place in the arena (as in TensorFlow Lite Micro), so the
 * bytes are copied; a constant input is copied once per run too, which keeps
 * the arena the only mutable state.
 */
import { type OpContext, type PreparedOp } from '../context.ts';
import { elementCount } from '../../tensor_size.ts';

export function prepareReshape(ctx: OpContext): PreparedOp {
  const input = ctx.input(0);
  const output = ctx.output(0);
  if (input.type !== output.type) ctx.fail(`input is ${input.type} but output is ${output.type}`);
  if (elementCount(input.shape) !== elementCount(output.shape)) {
    ctx.fail(`cannot reshape [${input.shape.join(', ')}] (${elementCount(input.shape)} elements) to [${output.shape.join(', ')}]`);
  }
  const from = input.data;
  const to = output.data;
  if (from.buffer === to.buffer && from.byteOffset === to.byteOffset) return () => {};
  return () => (to as Int8Array).set(from as Int8Array);
}
