import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { CodecError } from '../errors.js';

/** Image file formats of the image codecs (sharp / libvips). */
export type ImageFormat = 'png' | 'jpeg' | 'webp';

export interface RawImage {
  pixels: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

interface Bridge {
  worker: Worker;
  port: MessagePort;
  flag: Int32Array;
}

let bridge: Bridge | null = null;
/** Longest wait for one image operation (a 224x224 image takes milliseconds). */
const TIMEOUT_MS = 30_000;

/**
 * sharp is asynchronous, the codec API synchronous (encode and decode run on the request path of
 * the edge and the cloud). One worker thread runs sharp; the caller blocks on a shared flag
 * (Atomics.wait) until it answers, then takes the answer with receiveMessageOnPort. The worker is
 * unref'd: it never keeps a process alive.
 */
function getBridge(): Bridge {
  if (bridge) return bridge;
  const { port1, port2 } = new MessageChannel();
  const shared = new SharedArrayBuffer(4);
  const worker = new Worker(new URL('./worker.mjs', import.meta.url), {
    workerData: { port: port2, flag: shared },
    transferList: [port2],
    execArgv: [],
  });
  worker.unref();
  port1.unref();
  worker.on('error', () => {
    bridge = null;
  });
  bridge = { worker, port: port1, flag: new Int32Array(shared) };
  return bridge;
}

type Answer =
  | { ok: true; bytes?: Uint8Array; pixels?: Uint8Array; width?: number; height?: number; channels?: number }
  | { ok: false; message: string };

function call(job: Record<string, unknown>, transfer: ArrayBuffer[]): Answer {
  const b = getBridge();
  Atomics.store(b.flag, 0, 0);
  b.port.postMessage(job, transfer);
  const r = Atomics.wait(b.flag, 0, 0, TIMEOUT_MS);
  const msg = receiveMessageOnPort(b.port);
  if (r === 'timed-out' || !msg) throw new CodecError('invalid-option', `image codec: sharp did not answer within ${TIMEOUT_MS / 1000} s`);
  return msg.message as Answer;
}

/** Encodes interleaved 8-bit pixels into an image file, synchronously. */
export function encodeImageSync(img: RawImage, format: ImageFormat, quality: number): Uint8Array {
  const pixels = img.pixels.slice(); // a copy the worker may own
  const a = call({ op: 'encode', pixels, width: img.width, height: img.height, channels: img.channels, format, quality }, [
    pixels.buffer as ArrayBuffer,
  ]);
  if (!a.ok) throw new CodecError('invalid-option', `image codec ${format}: ${a.message}`);
  return a.bytes!;
}

/** Decodes an image file into interleaved 8-bit pixels, synchronously; refuses more than maxPixels. */
export function decodeImageSync(bytes: Uint8Array, maxPixels: number): RawImage {
  const copy = bytes.slice();
  const a = call({ op: 'decode', bytes: copy, maxPixels }, [copy.buffer as ArrayBuffer]);
  if (!a.ok) throw new CodecError('corrupt-payload' as never, `image payload: ${a.message}`);
  return { pixels: a.pixels!, width: a.width!, height: a.height!, channels: a.channels! };
}
