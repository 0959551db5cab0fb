export {
  KBPS_PER_MBPS,
  MIN_TOXIC_KBPS,
  intervalAt,
  repeatTrace,
  sliceTrace,
  toxiproxyRate,
  type RateInterval,
  type RateTrace,
} from './trace.js';
export { TraceError } from './formats/problems.js';
export type { TraceFormat, TraceParseOptions } from './formats/types.js';
export { MAHIMAHI_PACKET_BYTES } from './formats/mahimahi.js';
export { formatRates } from './formats/rates.js';
export {
  TRACE_FORMATS,
  TRACE_FORMAT_NAMES,
  guessFormat,
  parseTrace,
  readTraceFile,
  type ReadTraceOptions,
  type TraceFormatName,
} from './formats/registry.js';
export { binnedRates, traceStats, type TraceStats } from './stats.js';
export { replayDuration, replaySteps, type ReplayStep, type TraceReplaySpec } from './schedule.js';
export { HOLD_LATENCY_MS, holdName } from './toxic-writer.js';
export { startTraceReplay, type AppliedStep, type TraceReplay, type TraceReplayOptions } from './replay.js';
export { formatProbe, probeTrace, type ProbeOptions, type ProbeResult, type ProbeRow } from './probe.js';
export {
  fitGilbertElliott,
  generateGilbertElliott,
  gilbertElliottSchema,
  stationary,
  type GilbertElliott,
  type GilbertElliottInput,
} from './gilbert-elliott.js';
export { TRACE_PRESETS, TRACE_PRESET_NAMES, type TracePreset, type TracePresetName } from './presets.js';
