// Preloaded with `node --import` after tsx: records every module URL resolved through the ESM loader (a hook
// on its thread posts each one to this thread) and, at exit, prints them and whether TensorFlow.js's engine
// exists (tfjs-core creates globalThis._tfengine when it is evaluated) as one line `IMPORT-RECORD <json>` (read it with importRecord of ../testing.ts).
import { writeSync } from 'node:fs';
import { register } from 'node:module';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';

const { port1, port2 } = new MessageChannel();
port1.unref();
register(new URL('./hook.mjs', import.meta.url), { data: { port: port2 }, transferList: [port2] });

process.on('exit', () => {
  const urls = [];
  for (let m = receiveMessageOnPort(port1); m; m = receiveMessageOnPort(port1)) urls.push(m.message);
  writeSync(1, `IMPORT-RECORD ${JSON.stringify({ urls, tfEngine: globalThis._tfengine !== undefined })}\n`);
});
