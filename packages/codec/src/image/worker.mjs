// Image worker of @mtl-split/codec: runs sharp (asynchronous) for a caller that waits synchronously
// (sharp-sync.ts). Each request is answered on `port`, then `flag` is set and notified.
import { parentPort, workerData } from 'node:worker_threads';
import sharp from 'sharp';

const { port, flag } = workerData;
const done = new Int32Array(flag);
sharp.concurrency(1);

async function run(job) {
  if (job.op === 'encode') {
    const img = sharp(Buffer.from(job.pixels.buffer, job.pixels.byteOffset, job.pixels.byteLength), {
      raw: { width: job.width, height: job.height, channels: job.channels },
    });
    const q = job.quality;
    const out =
      job.format === 'png'
        ? img.png({ compressionLevel: 6, adaptiveFiltering: false, palette: false })
        : job.format === 'jpeg'
          ? img.jpeg({ quality: q, chromaSubsampling: q >= 90 ? '4:4:4' : '4:2:0', mozjpeg: false })
          : img.webp({ quality: q, lossless: false, effort: 2 });
    const buf = await out.toBuffer();
    return { bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) };
  }
  const { data, info } = await sharp(Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength), {
    limitInputPixels: job.maxPixels,
  })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    pixels: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
    channels: info.channels,
  };
}

port.on('message', (job) => {
  run(job)
    .then(
      (r) => port.postMessage({ ok: true, ...r }),
      (e) => port.postMessage({ ok: false, message: e instanceof Error ? e.message : String(e) }),
    )
    .finally(() => {
      Atomics.store(done, 0, 1);
      Atomics.notify(done, 0);
    });
});
parentPort?.postMessage('ready');
