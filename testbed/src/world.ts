/**
 * The testbed's model of the world, shared with `npm run plan`: link profiles, device profiles and their
 * validation (one-line TestbedErrors naming the file and field), without the runner's heavy imports.
 */
export { TestbedError } from './errors.js';
export { ProfileSchema, loadProfile, loadProfileFile, listProfiles, profileReferenceMs, type Profile } from './profiles.js';
export { DeviceSchema, loadDevice, loadDeviceFile, listDevices, THIS_MACHINE, type Device } from './devices.js';
export { PROFILES_DIR, DEVICES_DIR } from './paths.js';
