/**
 * The ONNX protobuf classes from onnx-proto. That package is CommonJS and
 * Node's ESM loader cannot see its named export, so it is required here once
 * and re-exported with the types every frontend module uses.
 */
import { createRequire } from 'node:module';
import type * as proto from 'onnx-proto';

export const onnx = (createRequire(import.meta.url)('onnx-proto') as typeof proto).onnx;

// eslint-disable-next-line @typescript-eslint/no-namespace
export namespace onnx {
  export type ModelProto = proto.onnx.ModelProto;
  export type TensorProto = proto.onnx.TensorProto;
  export type ITensorProto = proto.onnx.ITensorProto;
  export type IGraphProto = proto.onnx.IGraphProto;
  export type INodeProto = proto.onnx.INodeProto;
  export type IAttributeProto = proto.onnx.IAttributeProto;
  export type IValueInfoProto = proto.onnx.IValueInfoProto;
  export type IStringStringEntryProto = proto.onnx.IStringStringEntryProto;
}
