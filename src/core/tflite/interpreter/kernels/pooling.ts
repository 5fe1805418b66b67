/** AVERAGE_POOL_2D and MAX_POOL_2D, int8 (reference_integer_ops pooling arithmetic). */
import { quantizedActivationRange } from '../activation.ts';
import { expectType, type OpContext, type PreparedOp } from '../context.ts';
import { leadingPadding, outputSize, type Padding } from '../padding.ts';

export interface PoolInt8Args {
  batches: number;
  inH: number;
  inW: number;
  channels: number;
  outH: number;
  outW: number;
  filterH: number;
  filterW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  actMin: number;
  actMax: number;
  input: Int8Array;
  output: Int8Array;
}

export function averagePoolInt8(a: PoolInt8Args): void {
  const { batches, inH, inW, channels, outH, outW, filterH, filterW, strideH, strideW, padH, padW, actMin, actMax, input, output } = a;
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * strideH - padH;
      const fyStart = Math.max(0, -y0);
      const fyEnd = Math.min(filterH, inH - y0);
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * strideW - padW;
        const fxStart = Math.max(0, -x0);
        const fxEnd = Math.min(filterW, inW - x0);
        const count = (fyEnd - fyStart) * (fxEnd - fxStart);
        const outBase = ((b * outH + oy) * outW + ox) * channels;
        for (let c = 0; c < channels; c++) {
          let acc = 0;
          for (let fy = fyStart; fy < fyEnd; fy++) {
            for (let fx = fxStart; fx < fxEnd; fx++) acc += input[((b * inH + y0 + fy) * inW + x0 + fx) * channels + c]!;
          }
          // Integer division truncating toward zero after rounding half away from zero.
          let v = count === 0 ? 0 : acc > 0 ? Math.trunc((acc + (count >> 1)) / count) : Math.trunc((acc - (count >> 1)) / count);
          v = v < actMin ? actMin : v > actMax ? actMax : v;
          output[outBase + c] = v;
        }
      }
    }
  }
}

/**
 * The maximum over each window, clamped to the activation range; an empty
 * window gives -128 (clamped), as the reference's initial value. Channels are
 * the inner loop so that each tap reads a contiguous run.
 */
export function maxPoolInt8(a: PoolInt8Args): void {
  const { batches, inH, inW, channels, outH, outW, filterH, filterW, strideH, strideW, padH, padW, actMin, actMax, input, output } = a;
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * strideH - padH;
      const fyStart = Math.max(0, -y0);
      const fyEnd = Math.min(filterH, inH - y0);
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * strideW - padW;
        const fxStart = Math.max(0, -x0);
        const fxEnd = Math.min(filterW, inW - x0);
        const outBase = ((b * outH + oy) * outW + ox) * channels;
        const outEnd = outBase + channels;
        let first = true;
        for (let fy = fyStart; fy < fyEnd; fy++) {
          for (let fx = fxStart; fx < fxEnd; fx++) {
            let i = ((b * inH + y0 + fy) * inW + x0 + fx) * channels;
            if (first) {
              for (let o = outBase; o < outEnd; o++, i++) output[o] = input[i]!;
              first = false;
              continue;
            }
            for (let o = outBase; o < outEnd; o++, i++) {
              const v = input[i]!;
              const m = output[o]!;
              output[o] = v > m ? v : m;
            }
          }
        }
        if (first) for (let o = outBase; o < outEnd; o++) output[o] = -128;
        if (actMin > -128 || actMax < 127) {
          for (let o = outBase; o < outEnd; o++) {
            const v = output[o]!;
            output[o] = v < actMin ? actMin : v > actMax ? actMax : v;
          }
        }
      }
    }
  }
}

function preparePool(ctx: OpContext, kernel: (a: PoolInt8Args) => void): PreparedOp {
  const input = ctx.input(0);
  const output = ctx.output(0);
  if (input.type !== 'int8' || output.type !== 'int8') ctx.fail(`only int8 pooling is supported (input is ${input.type})`);
  if (input.shape.length !== 4 || output.shape.length !== 4) ctx.fail('input and output must be 4-D (NHWC)');
  if (Math.abs(input.scale - output.scale) > 1e-6 || input.zeroPoint !== output.zeroPoint) ctx.fail('input and output quantization must be equal for int8 pooling');
  const [batches, inH, inW, channels] = input.shape as [number, number, number, number];
  const [, outH, outW] = output.shape as [number, number, number];
  const padding = ctx.option<Padding>('padding', 'SAME');
  const strideH = ctx.option('strideH', 1);
  const strideW = ctx.option('strideW', 1);
  const filterH = ctx.option('filterHeight', 1);
  const filterW = ctx.option('filterWidth', 1);
  if (outputSize(padding, inH, filterH, strideH, 1) !== outH || outputSize(padding, inW, filterW, strideW, 1) !== outW) {
    ctx.fail(`output shape [${output.shape.join(', ')}] disagrees with the pooling window and ${padding} padding`);
  }
  const range = quantizedActivationRange(ctx.option<string>('fusedActivationFunction', 'NONE'), 'int8', output.scale, output.zeroPoint);
  const args: PoolInt8Args = {
    batches,
    inH,
    inW,
    channels,
    outH,
    outW,
    filterH,
    filterW,
    strideH,
    strideW,
    padH: leadingPadding(inH, filterH, strideH, 1, outH),
    padW: leadingPadding(inW, filterW, strideW, 1, outW),
    actMin: range.min,
    actMax: range.max,
    input: expectType(ctx, input, 'int8', 'input'),
    output: expectType(ctx, output, 'int8', 'output'),
  };
  return () => kernel(args);
}

export const prepareAveragePool2D = (ctx: OpContext): PreparedOp => preparePool(ctx, averagePoolInt8);
export const prepareMaxPool2D = (ctx: OpContext): PreparedOp => preparePool(ctx, maxPoolInt8);
