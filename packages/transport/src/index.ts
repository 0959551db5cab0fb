export { SplitServer } from './server.js';
export type { ServerState } from './server.js';
export {
  DEFAULT_LIMITS,
  DEFAULT_RECEIVE_WINDOW,
  DEFAULT_CONNECTION_OPTIONS,
  DEFAULT_DRAIN_MS,
  DEFAULT_BUSY_POLL_MS,
} from './server-options.js';
export type { SplitServerOptions } from './server-options.js';
export { MAX_CLIENT_FIELD, truncateField } from './request-events.js';
export type { RequestEvent, ServedMethod } from './request-events.js';
export { SplitClient, InferStream } from './client.js';
export { BusyPoller } from './busy-poll.js';
export type { ClientOptions, InferOptions, InferAnswer, AnswerCodecOption, RequestFrames } from './client.js';
export type { BatchEvent } from './batcher.js';
export type { TaskAnswer, AnswerTensor } from './task-answers.js';
export { ANSWER_FORMS, FORMS_OF_KIND, MAX_MAP_CLASSES } from './answer-plan.js';
export type { AnswerForm } from './answer-plan.js';
export { answerWireBytes, framedBytes } from './answer-bytes.js';
export type { AnswerBytes, AnswerContext, AnswerRequest } from './answer-bytes.js';
export { TransportError, statusName, grpcCause } from './errors.js';
export { parseTargets, resolveTarget } from './targets.js';
export type { HostPort } from './targets.js';
export { PROTO_PATH, SERVICE_NAME, loadDefinition, loadProto } from './proto.js';
export * from './oip/index.js';
export { codecNames } from './frame.js';
export type {
  SplitExecutor,
  TensorExecutor,
  ProbabilityExecutor,
  ExecutorOutputs,
  SplitInput,
  TaskInfo,
  TaskKind,
  TensorInfo,
  RemoteSplitPoint,
  ModelDescription,
  TaskDescription,
  SplitPointDescription,
  RemoteDescription,
  ServerLimits,
  InputDescription,
} from './types.js';
export { DEFAULT_INPUT } from './types.js';
export { UNKNOWN_LIMITS } from './describe-wire.js';
export { status as GrpcStatus } from '@grpc/grpc-js';
export type { ConnectionStats } from './connections.js';
export type { PendingStats } from './pending-bytes.js';
export { TokenSet, FileCertificates, readClientSecurity, readFlagFile, parseTokens } from './security.js';
export type { ServerTlsFiles, ClientTls, ClientSecurity, ClientSecurityFiles } from './security.js';
