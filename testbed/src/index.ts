export { TestbedError } from './errors.js';
export {
  ProfileSchema,
  loadProfile,
  loadProfileFile,
  listProfiles,
  profileToxics,
  profileReferenceMs,
  type Profile,
} from './profiles.js';
export type { ToxicSpec } from '@mtl-split/link';
export { DeviceSchema, loadDevice, loadDeviceFile, listDevices, THIS_MACHINE, type Device } from './devices.js';
export { ScenarioSchema, loadScenario, listScenarios, CODECS, type Scenario, type ScenarioFile } from './scenario.js';
export { predictLatency, errorPct, winners, extremeProfiles } from './analytic.js';
export { Supervisor, waitForLine, type Child, type SpawnOptions } from './supervisor.js';
export { openLink, type LinkControl, type LinkProxy } from './link.js';
export { probeLink, startProbeServer, type LinkMeasurement, type ProbeServer } from './probe.js';
export { startRelay, type ByteCounter } from './relay.js';
export { runExperiment, type ExperimentOptions } from './runner.js';
export { writeReport } from './report/index.js';
export type * from './results.js';
