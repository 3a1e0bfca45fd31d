/** TensorProto decoding: raw and typed fields, float16 conversion, malformed sizes. */
import { describe, expect, it } from 'vitest';
import { onnx } from '../frontend/onnx-proto.js';
import { tensorFromProto, tensorToProto } from '../frontend/onnx-tensor.js';
import { Tensor, floatToHalfBits } from '../compiler/tensor.js';

const T = onnx.TensorProto.DataType;

describe('TensorProto decoding', () => {
  it('reads typed fields of every supported kind', () => {
    expect(tensorFromProto({ dataType: T.FLOAT, dims: [2], floatData: [1.5, -2] }, 't').toArray()).toEqual([1.5, -2]);
    expect(tensorFromProto({ dataType: T.INT64, dims: [2], int64Data: [7, -9] }, 't').toArray()).toEqual([7, -9]);
    expect(tensorFromProto({ dataType: T.INT8, dims: [2], int32Data: [-128, 127] }, 't').toArray()).toEqual([-128, 127]);
    expect(tensorFromProto({ dataType: T.BOOL, dims: [3], int32Data: [1, 0, 1] }, 't').toArray()).toEqual([1, 0, 1]);
    expect(tensorFromProto({ dataType: T.DOUBLE, dims: [1], doubleData: [0.1] }, 't').toArray()).toEqual([0.1]);
    // float16 in int32_data holds bit patterns
    const half = tensorFromProto({ dataType: T.FLOAT16, dims: [2], int32Data: [floatToHalfBits(0.5), floatToHalfBits(-3)] }, 't');
    expect(half.dtype).toBe('float16');
    expect(half.toArray()).toEqual([0.5, -3]);
  });

  it('round-trips raw data for every element type', () => {
    const cases: [Tensor['dtype'], number[]][] = [
      ['float32', [1.25, -0.5]], ['float16', [0.333251953125, 65504]], ['float64', [Math.PI, -1e300]],
      ['int64', [2 ** 40, -3]], ['int32', [-(2 ** 31), 5]], ['int16', [-300, 300]], ['int8', [-1, 100]],
      ['uint8', [0, 255]], ['uint16', [65535, 1]], ['uint32', [2 ** 32 - 1, 0]], ['bool', [1, 0]],
    ];
    for (const [dtype, values] of cases) {
      const proto = tensorToProto(Tensor.from(dtype, [2], values), 'x');
      const back = tensorFromProto(onnx.TensorProto.decode(onnx.TensorProto.encode(proto).finish()), 'x');
      expect(back.dtype).toBe(dtype);
      expect(back.toArray()).toEqual(values);
    }
  });

  it('names the tensor when raw data does not match the shape', () => {
    expect(() => tensorFromProto({ dataType: T.FLOAT, dims: [3], rawData: new Uint8Array(8) }, "initializer 'w'"))
      .toThrow(/initializer 'w' has 8 bytes of raw data, shape \[3\] of float32 needs 12/);
  });

  it('names unsupported element types', () => {
    expect(() => tensorFromProto({ dataType: T.STRING, dims: [1] }, "initializer 's'")).toThrow(/initializer 's' has element type STRING/);
    expect(() => tensorFromProto({ dataType: T.BFLOAT16, dims: [1] }, "initializer 'b'")).toThrow(/BFLOAT16/);
  });

  it('keeps raw weights lazy until read', () => {
    const proto = tensorToProto(Tensor.from('float32', [4], [1, 2, 3, 4]), 'w');
    const t = tensorFromProto(proto, 'w');
    expect(t.loaded).toBe(false);
    expect(t.toArray()).toEqual([1, 2, 3, 4]);
    expect(t.loaded).toBe(true);
  });
});
