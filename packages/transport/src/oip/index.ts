export { addOipService } from './service.js';
export { OIP_PROTO_PATH, OIP_SERVICE_NAME, loadOipDefinition, loadOipProto } from './proto.js';
export { OIP_FORMS, DATATYPE_BYTES, oipModelName, formInputs, channelGroups, safeName } from './forms.js';
export type { OipForm, OipDatatype, FormInput } from './forms.js';
export { MODEL_VERSION, modelOutputs, catalogOf } from './catalog.js';
export type { ServedModel, ModelOutput, Catalog } from './catalog.js';
export { OIP_SERVER_NAME, OIP_PLATFORM, modelMetadata } from './status-calls.js';
export type { OipModelMetadata, TensorMetadata } from './status-calls.js';
export { OipClient } from './client.js';
export { bytesAs, encodeInputs, inferRequest, readOutputs, responseBytes } from './encode.js';
// what an OIP client needs to give raw outputs the answers SplitInference gives (class maps, default codings)
export { channelAxisOf, classMap } from '../tensor-answers.js';
export { defaultCoding } from '../answer-plan.js';
export type { OipTarget } from './encode.js';
