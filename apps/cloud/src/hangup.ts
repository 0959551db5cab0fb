// SIGHUP from the moment this module is evaluated (main.ts imports it first): Node's default for SIGHUP is to
// terminate, so a reload signal sent while the cloud starts (loading the engine and the bundle takes seconds)
// would kill it. Until main installs its handler, hangups are counted; main then reloads once for them.

let handler: (() => void) | undefined;
let early = 0;

process.on('SIGHUP', () => {
  if (handler) handler();
  else early++;
});

/** Route SIGHUP to `fn` from now on; returns how many arrived before (during start-up). */
export function onHangup(fn: () => void): number {
  handler = fn;
  const n = early;
  early = 0;
  return n;
}
