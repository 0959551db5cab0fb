import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AnswerCodec as _mtlsplit_v1_AnswerCodec, AnswerCodec__Output as _mtlsplit_v1_AnswerCodec__Output } from './mtlsplit/v1/AnswerCodec.js';
import type { DescribeRequest as _mtlsplit_v1_DescribeRequest, DescribeRequest__Output as _mtlsplit_v1_DescribeRequest__Output } from './mtlsplit/v1/DescribeRequest.js';
import type { DescribeResponse as _mtlsplit_v1_DescribeResponse, DescribeResponse__Output as _mtlsplit_v1_DescribeResponse__Output } from './mtlsplit/v1/DescribeResponse.js';
import type { InferRequest as _mtlsplit_v1_InferRequest, InferRequest__Output as _mtlsplit_v1_InferRequest__Output } from './mtlsplit/v1/InferRequest.js';
import type { InferResponse as _mtlsplit_v1_InferResponse, InferResponse__Output as _mtlsplit_v1_InferResponse__Output } from './mtlsplit/v1/InferResponse.js';
import type { InputInfo as _mtlsplit_v1_InputInfo, InputInfo__Output as _mtlsplit_v1_InputInfo__Output } from './mtlsplit/v1/InputInfo.js';
import type { Limits as _mtlsplit_v1_Limits, Limits__Output as _mtlsplit_v1_Limits__Output } from './mtlsplit/v1/Limits.js';
import type { RequestError as _mtlsplit_v1_RequestError, RequestError__Output as _mtlsplit_v1_RequestError__Output } from './mtlsplit/v1/RequestError.js';
import type { SplitInferenceClient as _mtlsplit_v1_SplitInferenceClient, SplitInferenceDefinition as _mtlsplit_v1_SplitInferenceDefinition } from './mtlsplit/v1/SplitInference.js';
import type { SplitPointInfo as _mtlsplit_v1_SplitPointInfo, SplitPointInfo__Output as _mtlsplit_v1_SplitPointInfo__Output } from './mtlsplit/v1/SplitPointInfo.js';
import type { TaskInfo as _mtlsplit_v1_TaskInfo, TaskInfo__Output as _mtlsplit_v1_TaskInfo__Output } from './mtlsplit/v1/TaskInfo.js';
import type { TaskResult as _mtlsplit_v1_TaskResult, TaskResult__Output as _mtlsplit_v1_TaskResult__Output } from './mtlsplit/v1/TaskResult.js';
import type { TensorAnswer as _mtlsplit_v1_TensorAnswer, TensorAnswer__Output as _mtlsplit_v1_TensorAnswer__Output } from './mtlsplit/v1/TensorAnswer.js';
import type { TensorInfo as _mtlsplit_v1_TensorInfo, TensorInfo__Output as _mtlsplit_v1_TensorInfo__Output } from './mtlsplit/v1/TensorInfo.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  mtlsplit: {
    v1: {
      AnswerCodec: MessageTypeDefinition<_mtlsplit_v1_AnswerCodec, _mtlsplit_v1_AnswerCodec__Output>
      DescribeRequest: MessageTypeDefinition<_mtlsplit_v1_DescribeRequest, _mtlsplit_v1_DescribeRequest__Output>
      DescribeResponse: MessageTypeDefinition<_mtlsplit_v1_DescribeResponse, _mtlsplit_v1_DescribeResponse__Output>
      InferRequest: MessageTypeDefinition<_mtlsplit_v1_InferRequest, _mtlsplit_v1_InferRequest__Output>
      InferResponse: MessageTypeDefinition<_mtlsplit_v1_InferResponse, _mtlsplit_v1_InferResponse__Output>
      InputInfo: MessageTypeDefinition<_mtlsplit_v1_InputInfo, _mtlsplit_v1_InputInfo__Output>
      Limits: MessageTypeDefinition<_mtlsplit_v1_Limits, _mtlsplit_v1_Limits__Output>
      RequestError: MessageTypeDefinition<_mtlsplit_v1_RequestError, _mtlsplit_v1_RequestError__Output>
      SplitInference: SubtypeConstructor<typeof grpc.Client, _mtlsplit_v1_SplitInferenceClient> & { service: _mtlsplit_v1_SplitInferenceDefinition }
      SplitPointInfo: MessageTypeDefinition<_mtlsplit_v1_SplitPointInfo, _mtlsplit_v1_SplitPointInfo__Output>
      TaskInfo: MessageTypeDefinition<_mtlsplit_v1_TaskInfo, _mtlsplit_v1_TaskInfo__Output>
      TaskResult: MessageTypeDefinition<_mtlsplit_v1_TaskResult, _mtlsplit_v1_TaskResult__Output>
      TensorAnswer: MessageTypeDefinition<_mtlsplit_v1_TensorAnswer, _mtlsplit_v1_TensorAnswer__Output>
      TensorInfo: MessageTypeDefinition<_mtlsplit_v1_TensorInfo, _mtlsplit_v1_TensorInfo__Output>
    }
  }
}

