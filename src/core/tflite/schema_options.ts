/**
 * The BuiltinOptions union of TensorFlow Lite's schema.fbs, written as data:
 * one line per options table, in union order (union type 1 is the first
 * line), each field in declaration order so its position is its field id.
 * The reader and the writer both walk this one description, so they cannot
 * disagree about a field number.
 *
 * Field syntax: `name:kind` or `name:kind=default`. Kinds: int (int32),
 * uint (uint32), long (int64), float, bool, string, [int], [float], [long],
 * an enum name from ENUMS (stored as one byte), or `deprecated` for a slot
 * the schema retired (its id stays taken).
 */
import type { TensorType } from './model.ts';

export const TENSOR_TYPES: readonly TensorType[] = [
  'float32', 'float16', 'int32', 'uint8', 'int64', 'string', 'bool', 'int16', 'complex64', 'int8', 'float64',
  'complex128', 'uint64', 'resource', 'variant', 'uint32', 'uint16', 'int4',
];

/** Byte-sized enums used by option fields, value = index. */
export const ENUMS: Readonly<Record<string, readonly string[]>> = {
  Padding: ['SAME', 'VALID'],
  Activation: ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'TANH', 'SIGN_BIT'],
  TensorType: TENSOR_TYPES,
  WeightsFormat: ['DEFAULT', 'SHUFFLED4x16INT8'],
  LSTMKernelType: ['FULL', 'BASIC'],
  LSHProjectionType: ['UNKNOWN', 'SPARSE', 'DENSE'],
  CombinerType: ['SUM', 'MEAN', 'SQRTN'],
  MirrorPadMode: ['REFLECT', 'SYMMETRIC'],
};

const OPTIONS_SOURCE = `
Conv2DOptions padding:Padding stride_w:int stride_h:int fused_activation_function:Activation dilation_w_factor:int=1 dilation_h_factor:int=1 quantized_bias_type:TensorType
DepthwiseConv2DOptions padding:Padding stride_w:int stride_h:int depth_multiplier:int fused_activation_function:Activation dilation_w_factor:int=1 dilation_h_factor:int=1
ConcatEmbeddingsOptions num_channels:int num_columns_per_channel:[int] embedding_dim_per_channel:[int]
LSHProjectionOptions type:LSHProjectionType
Pool2DOptions padding:Padding stride_w:int stride_h:int filter_width:int filter_height:int fused_activation_function:Activation
SVDFOptions rank:int fused_activation_function:Activation asymmetric_quantize_inputs:bool
RNNOptions fused_activation_function:Activation asymmetric_quantize_inputs:bool
FullyConnectedOptions fused_activation_function:Activation weights_format:WeightsFormat keep_num_dims:bool asymmetric_quantize_inputs:bool quantized_bias_type:TensorType
SoftmaxOptions beta:float
ConcatenationOptions axis:int fused_activation_function:Activation
AddOptions fused_activation_function:Activation pot_scale_int16:bool=true
L2NormOptions fused_activation_function:Activation
LocalResponseNormalizationOptions radius:int bias:float alpha:float beta:float
LSTMOptions fused_activation_function:Activation cell_clip:float proj_clip:float kernel_type:LSTMKernelType asymmetric_quantize_inputs:bool
ResizeBilinearOptions new_height:deprecated new_width:deprecated align_corners:bool half_pixel_centers:bool
CallOptions subgraph:uint
ReshapeOptions new_shape:[int]
SkipGramOptions ngram_size:int max_skip_size:int include_all_ngrams:bool
SpaceToDepthOptions block_size:int
EmbeddingLookupSparseOptions combiner:CombinerType
MulOptions fused_activation_function:Activation
PadOptions
GatherOptions axis:int batch_dims:int
BatchToSpaceNDOptions
SpaceToBatchNDOptions
TransposeOptions
ReducerOptions keep_dims:bool
SubOptions fused_activation_function:Activation pot_scale_int16:bool=true
DivOptions fused_activation_function:Activation
SqueezeOptions squeeze_dims:[int]
SequenceRNNOptions time_major:bool fused_activation_function:Activation asymmetric_quantize_inputs:bool
StridedSliceOptions begin_mask:int end_mask:int ellipsis_mask:int new_axis_mask:int shrink_axis_mask:int offset:bool
ExpOptions
TopKV2Options
SplitOptions num_splits:int
LogSoftmaxOptions
CastOptions in_data_type:TensorType out_data_type:TensorType
DequantizeOptions
MaximumMinimumOptions
ArgMaxOptions output_type:TensorType
LessOptions
NegOptions
PadV2Options
GreaterOptions
GreaterEqualOptions
LessEqualOptions
SelectOptions
SliceOptions
TransposeConvOptions padding:Padding stride_w:int stride_h:int fused_activation_function:Activation quantized_bias_type:TensorType
SparseToDenseOptions validate_indices:bool
TileOptions
ExpandDimsOptions
EqualOptions
NotEqualOptions
ShapeOptions out_type:TensorType
PowOptions
ArgMinOptions output_type:TensorType
FakeQuantOptions min:float max:float num_bits:int narrow_range:bool
PackOptions values_count:int axis:int
LogicalOrOptions
OneHotOptions axis:int
LogicalAndOptions
LogicalNotOptions
UnpackOptions num:int axis:int
FloorDivOptions
SquareOptions
ZerosLikeOptions
FillOptions
BidirectionalSequenceLSTMOptions fused_activation_function:Activation cell_clip:float proj_clip:float merge_outputs:bool time_major:bool=true asymmetric_quantize_inputs:bool
BidirectionalSequenceRNNOptions time_major:bool fused_activation_function:Activation merge_outputs:bool asymmetric_quantize_inputs:bool
UnidirectionalSequenceLSTMOptions fused_activation_function:Activation cell_clip:float proj_clip:float time_major:bool asymmetric_quantize_inputs:bool diagonal_recurrent_tensors:bool
FloorModOptions
RangeOptions
ResizeNearestNeighborOptions align_corners:bool half_pixel_centers:bool
LeakyReluOptions alpha:float
SquaredDifferenceOptions
MirrorPadOptions mode:MirrorPadMode
AbsOptions
SplitVOptions num_splits:int
UniqueOptions idx_out_type:TensorType=int32
ReverseV2Options
AddNOptions
GatherNdOptions
CosOptions
WhereOptions
RankOptions
ReverseSequenceOptions seq_dim:int batch_dim:int
MatrixDiagOptions
QuantizeOptions
MatrixSetDiagOptions
HardSwishOptions
IfOptions then_subgraph_index:int else_subgraph_index:int
WhileOptions cond_subgraph_index:int body_subgraph_index:int
DepthToSpaceOptions block_size:int
NonMaxSuppressionV4Options
NonMaxSuppressionV5Options
ScatterNdOptions
SelectV2Options
DensifyOptions
SegmentSumOptions
BatchMatMulOptions adj_x:bool adj_y:bool asymmetric_quantize_inputs:bool
CumsumOptions exclusive:bool reverse:bool
CallOnceOptions init_subgraph_index:int
BroadcastToOptions
Rfft2dOptions
Conv3DOptions padding:Padding stride_d:int stride_w:int stride_h:int fused_activation_function:Activation dilation_d_factor:int=1 dilation_w_factor:int=1 dilation_h_factor:int=1
HashtableOptions table_id:int key_dtype:TensorType value_dtype:TensorType
HashtableFindOptions
HashtableImportOptions
HashtableSizeOptions
VarHandleOptions container:string shared_name:string
ReadVariableOptions
AssignVariableOptions
RandomOptions seed:long seed2:long
BucketizeOptions boundaries:[float]
GeluOptions approximate:bool
DynamicUpdateSliceOptions
UnsortedSegmentProdOptions
UnsortedSegmentMaxOptions
UnsortedSegmentMinOptions
UnsortedSegmentSumOptions
ATan2Options
SignOptions
BitcastOptions
BitwiseXorOptions
RightShiftOptions
`;

export type ScalarKind = 'int' | 'uint' | 'long' | 'float' | 'bool';
export type VectorKind = '[int]' | '[float]' | '[long]';

export interface OptionField {
  /** camelCase key in BuiltinOptions. */
  key: string;
  /** Field id in the table (position in the schema). */
  id: number;
  kind: ScalarKind | VectorKind | 'string' | 'enum';
  /** For kind 'enum': the value names, value = index. */
  values?: readonly string[];
  /** Default of a scalar or enum field (enum: the name). */
  defaultValue?: number | boolean | string;
}

export interface OptionsTable {
  name: string;
  /** Union type value in BuiltinOptions (1-based). */
  unionType: number;
  fields: OptionField[];
}

function camelCase(snake: string): string {
  return snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function parseField(spec: string, id: number): OptionField | undefined {
  const m = /^(\w+):([\w[\]]+)(?:=(\w+))?$/.exec(spec);
  if (!m) throw new Error(`schema_options: bad field spec ${spec}`);
  const [, name, kind, def] = m as unknown as [string, string, string, string | undefined];
  if (kind === 'deprecated') return undefined;
  const key = camelCase(name);
  if (kind in ENUMS) {
    const values = ENUMS[kind]!;
    return { key, id, kind: 'enum', values, defaultValue: def ?? values[0] };
  }
  switch (kind) {
    case 'int':
    case 'uint':
    case 'long':
    case 'float':
      return { key, id, kind, defaultValue: def === undefined ? 0 : Number(def) };
    case 'bool':
      return { key, id, kind, defaultValue: def === 'true' };
    case 'string':
    case '[int]':
    case '[float]':
    case '[long]':
      return { key, id, kind };
    default:
      throw new Error(`schema_options: unknown kind ${kind}`);
  }
}

function parseOptions(source: string): OptionsTable[] {
  return source
    .trim()
    .split('\n')
    .map((line, i) => {
      const [name, ...specs] = line.trim().split(/\s+/);
      const fields = specs.map(parseField).filter((f): f is OptionField => f !== undefined);
      return { name: name!, unionType: i + 1, fields };
    });
}

/** Options tables by union type (index 0 = NONE, unused). */
export const OPTIONS_BY_UNION_TYPE: readonly (OptionsTable | undefined)[] = [undefined, ...parseOptions(OPTIONS_SOURCE)];

export const OPTIONS_BY_NAME: ReadonlyMap<string, OptionsTable> = new Map(
  OPTIONS_BY_UNION_TYPE.filter((t): t is OptionsTable => t !== undefined).map((t) => [t.name, t]),
);

/** Option fields that index Model.subgraphs (checked by the reader). */
export const SUBGRAPH_INDEX_KEYS: readonly string[] = [
  'subgraph', 'thenSubgraphIndex', 'elseSubgraphIndex', 'condSubgraphIndex', 'bodySubgraphIndex', 'initSubgraphIndex',
];
