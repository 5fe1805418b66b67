import type { Model } from '../../src/core/tflite/model.ts';

/**
 * One int8 FULLY_CONNECTED layer, built by hand:
 *   input  [1,4] int8 scale 0.5  zero point 3
 *   weights[2,4] int8 scale 0.25 zero point 0
 *   bias   [2]   int32 scale 0.125 (= 0.5 × 0.25)
 *   output [1,2] int8 scale 1    zero point -5
 */
export function fullyConnectedModel(): Model {
  const weights = new Int8Array([1, 2, 3, 4, -3, 0, 5, -7]);
  const bias = new Int32Array([9, 2]);
  const q = (scale: number, zeroPoint: number) => ({ scale: [scale], zeroPoint: [zeroPoint], quantizedDimension: 0 });
  return {
    version: 3,
    description: 'hand-built FC',
    operatorCodes: [{ builtin: 'FULLY_CONNECTED', builtinCode: 9, version: 4 }],
    buffers: [new Uint8Array(0), new Uint8Array(weights.buffer), new Uint8Array(bias.buffer)],
    subgraphs: [
      {
        name: 'main',
        tensors: [
          { name: 'x', shape: [1, 4], type: 'int8', buffer: 0, quantization: q(0.5, 3), isVariable: false },
          { name: 'w', shape: [2, 4], type: 'int8', buffer: 1, quantization: q(0.25, 0), isVariable: false },
          { name: 'b', shape: [2], type: 'int32', buffer: 2, quantization: q(0.125, 0), isVariable: false },
          { name: 'y', shape: [1, 2], type: 'int8', buffer: 0, quantization: q(1, -5), isVariable: false },
        ],
        inputs: [0],
        outputs: [3],
        operators: [
          {
            opcodeIndex: 0,
            inputs: [0, 1, 2],
            outputs: [3],
            options: {
              type: 'FullyConnectedOptions',
              fusedActivationFunction: 'NONE',
              weightsFormat: 'DEFAULT',
              keepNumDims: false,
              asymmetricQuantizeInputs: false,
              quantizedBiasType: 'float32',
            },
          },
        ],
      },
    ],
    metadata: [],
    signatureDefs: [],
  };
}
