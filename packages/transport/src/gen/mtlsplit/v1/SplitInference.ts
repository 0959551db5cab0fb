// Original file: proto/split_inference.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { DescribeRequest as _mtlsplit_v1_DescribeRequest, DescribeRequest__Output as _mtlsplit_v1_DescribeRequest__Output } from '../../mtlsplit/v1/DescribeRequest.js';
import type { DescribeResponse as _mtlsplit_v1_DescribeResponse, DescribeResponse__Output as _mtlsplit_v1_DescribeResponse__Output } from '../../mtlsplit/v1/DescribeResponse.js';
import type { InferRequest as _mtlsplit_v1_InferRequest, InferRequest__Output as _mtlsplit_v1_InferRequest__Output } from '../../mtlsplit/v1/InferRequest.js';
import type { InferResponse as _mtlsplit_v1_InferResponse, InferResponse__Output as _mtlsplit_v1_InferResponse__Output } from '../../mtlsplit/v1/InferResponse.js';

export interface SplitInferenceClient extends grpc.Client {
  /**
   * What this server serves: bundle id, tasks, split points with their tensor shapes, codecs, limits.
   */
  Describe(argument: _mtlsplit_v1_DescribeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mtlsplit_v1_DescribeResponse__Output>): grpc.ClientUnaryCall;
  Describe(argument: _mtlsplit_v1_DescribeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mtlsplit_v1_DescribeResponse__Output>): grpc.ClientUnaryCall;
  Describe(argument: _mtlsplit_v1_DescribeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mtlsplit_v1_DescribeResponse__Output>): grpc.ClientUnaryCall;
  Describe(argument: _mtlsplit_v1_DescribeRequest, callback: grpc.requestCallback<_mtlsplit_v1_DescribeResponse__Output>): grpc.ClientUnaryCall;
  /**
   * What this server serves: bundle id, tasks, split points with their tensor shapes, codecs, limits.
   */
  describe(argument: _mtlsplit_v1_DescribeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mtlsplit_v1_DescribeResponse__Output>): grpc.ClientUnaryCall;
  describe(argument: _mtlsplit_v1_DescribeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mtlsplit_v1_DescribeResponse__Output>): grpc.ClientUnaryCall;
  describe(argument: _mtlsplit_v1_DescribeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mtlsplit_v1_DescribeResponse__Output>): grpc.ClientUnaryCall;
  describe(argument: _mtlsplit_v1_DescribeRequest, callback: grpc.requestCallback<_mtlsplit_v1_DescribeResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * One frame in, one answer out.
   */
  Infer(argument: _mtlsplit_v1_InferRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mtlsplit_v1_InferResponse__Output>): grpc.ClientUnaryCall;
  Infer(argument: _mtlsplit_v1_InferRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mtlsplit_v1_InferResponse__Output>): grpc.ClientUnaryCall;
  Infer(argument: _mtlsplit_v1_InferRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mtlsplit_v1_InferResponse__Output>): grpc.ClientUnaryCall;
  Infer(argument: _mtlsplit_v1_InferRequest, callback: grpc.requestCallback<_mtlsplit_v1_InferResponse__Output>): grpc.ClientUnaryCall;
  /**
   * One frame in, one answer out.
   */
  infer(argument: _mtlsplit_v1_InferRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mtlsplit_v1_InferResponse__Output>): grpc.ClientUnaryCall;
  infer(argument: _mtlsplit_v1_InferRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mtlsplit_v1_InferResponse__Output>): grpc.ClientUnaryCall;
  infer(argument: _mtlsplit_v1_InferRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mtlsplit_v1_InferResponse__Output>): grpc.ClientUnaryCall;
  infer(argument: _mtlsplit_v1_InferRequest, callback: grpc.requestCallback<_mtlsplit_v1_InferResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * A stream of frames; answers come back in request order, one per request. An error on one request is
   * returned in that answer's `error` and does not end the stream. The server stops reading while
   * `max_stream_inflight` requests of the stream are unanswered (HTTP/2 flow control then holds the client).
   */
  InferStream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_mtlsplit_v1_InferRequest, _mtlsplit_v1_InferResponse__Output>;
  InferStream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_mtlsplit_v1_InferRequest, _mtlsplit_v1_InferResponse__Output>;
  /**
   * A stream of frames; answers come back in request order, one per request. An error on one request is
   * returned in that answer's `error` and does not end the stream. The server stops reading while
   * `max_stream_inflight` requests of the stream are unanswered (HTTP/2 flow control then holds the client).
   */
  inferStream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_mtlsplit_v1_InferRequest, _mtlsplit_v1_InferResponse__Output>;
  inferStream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_mtlsplit_v1_InferRequest, _mtlsplit_v1_InferResponse__Output>;
  
}

export interface SplitInferenceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * What this server serves: bundle id, tasks, split points with their tensor shapes, codecs, limits.
   */
  Describe: grpc.handleUnaryCall<_mtlsplit_v1_DescribeRequest__Output, _mtlsplit_v1_DescribeResponse>;
  
  /**
   * One frame in, one answer out.
   */
  Infer: grpc.handleUnaryCall<_mtlsplit_v1_InferRequest__Output, _mtlsplit_v1_InferResponse>;
  
  /**
   * A stream of frames; answers come back in request order, one per request. An error on one request is
   * returned in that answer's `error` and does not end the stream. The server stops reading while
   * `max_stream_inflight` requests of the stream are unanswered (HTTP/2 flow control then holds the client).
   */
  InferStream: grpc.handleBidiStreamingCall<_mtlsplit_v1_InferRequest__Output, _mtlsplit_v1_InferResponse>;
  
}

export interface SplitInferenceDefinition extends grpc.ServiceDefinition {
  Describe: MethodDefinition<_mtlsplit_v1_DescribeRequest, _mtlsplit_v1_DescribeResponse, _mtlsplit_v1_DescribeRequest__Output, _mtlsplit_v1_DescribeResponse__Output>
  Infer: MethodDefinition<_mtlsplit_v1_InferRequest, _mtlsplit_v1_InferResponse, _mtlsplit_v1_InferRequest__Output, _mtlsplit_v1_InferResponse__Output>
  InferStream: MethodDefinition<_mtlsplit_v1_InferRequest, _mtlsplit_v1_InferResponse, _mtlsplit_v1_InferRequest__Output, _mtlsplit_v1_InferResponse__Output>
}
