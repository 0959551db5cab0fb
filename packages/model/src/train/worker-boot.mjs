// Entry of a training worker thread: the project runs TypeScript through tsx without a build step, and a
// worker thread does not inherit the main thread's loader, so register tsx here, then load the worker.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
