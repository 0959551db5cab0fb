/**
 * The one latency model of a split request (one sample), used by the testbed's predictions, `plan` and the
 * edge's `--split auto`:
 *
 *   total = edge half + encode + up bytes / up bandwidth + round trip + overhead
 *         + decode + cloud half + down bytes / down bandwidth
 *
 * and the whole network on the edge (`edge-only`) costs its compute alone. Bandwidths are in KB/s with
 * 1 KB = 1000 bytes, so bytes / KB/s is milliseconds; jitter averages out. Each caller supplies the costs
 * it knows (measured in a cell, measured once by `plan`, or running estimates of the edge).
 */

/** One request's costs at one split point. */
export interface RequestCosts {
  /** The edge half's compute, ms. */
  edgeMs: number;
  /** Encoding the tensor into a frame, ms. */
  encodeMs: number;
  /** Decoding the frame in the cloud, ms. */
  decodeMs: number;
  /** The cloud half's compute (with the task heads), ms. */
  cloudMs: number;
  /** Frame bytes sent up. */
  upBytes: number;
  /**
   * Answer bytes sent down: the answer's wire bytes for the requested tasks and answer forms (a dense map can
   * be as large as the input). Measure them as the request's are: `answerWireBytes` of @mtl-split/transport
   * (the server's own answer on a real cloud-half output, serialized and framed), or count them on the wire.
   */
  downBytes: number;
}

/** The link as the model sees it. */
export interface LinkModel {
  /** Round-trip latency, ms. */
  rttMs: number;
  /** Bandwidth up, KB/s (1 KB = 1000 bytes); Infinity: bytes cost nothing. */
  upKBps: number;
  /** Bandwidth down, KB/s; Infinity: bytes cost nothing. */
  downKBps: number;
  /** Fixed cost of one request on its way (gRPC, proxies), ms; default 0. */
  overheadMs?: number;
}

/** The predicted latency of one request, by part, ms. */
export interface LatencyPrediction {
  edgeMs: number;
  encodeMs: number;
  upMs: number;
  rttMs: number;
  overheadMs: number;
  decodeMs: number;
  cloudMs: number;
  downMs: number;
  /** edge + encode + decode + cloud. */
  computeMs: number;
  /** up + down. */
  transferMs: number;
  totalMs: number;
}

/** Milliseconds to send `bytes` at `kBps` KB/s (1 KB/s = 1 byte/ms); 0 for no bytes. */
export function transferMs(bytes: number, kBps: number): number {
  return bytes === 0 ? 0 : bytes / kBps;
}

/** A request split between the edge and the cloud: the model above. */
export function predictSplit(c: RequestCosts, link: LinkModel): LatencyPrediction {
  const upMs = transferMs(c.upBytes, link.upKBps);
  const downMs = transferMs(c.downBytes, link.downKBps);
  const overheadMs = link.overheadMs ?? 0;
  const computeMs = c.edgeMs + c.encodeMs + c.decodeMs + c.cloudMs;
  const transfer = upMs + downMs;
  const totalMs = computeMs + transfer + link.rttMs + overheadMs;
  return {
    edgeMs: c.edgeMs,
    encodeMs: c.encodeMs,
    upMs,
    rttMs: link.rttMs,
    overheadMs,
    decodeMs: c.decodeMs,
    cloudMs: c.cloudMs,
    downMs,
    computeMs,
    transferMs: transfer,
    totalMs,
  };
}

/** The whole network on the edge device (`edge-only`): its compute, nothing on the link. */
export function predictEdgeOnly(wholeMs: number): LatencyPrediction {
  return {
    edgeMs: wholeMs,
    encodeMs: 0,
    upMs: 0,
    rttMs: 0,
    overheadMs: 0,
    decodeMs: 0,
    cloudMs: 0,
    downMs: 0,
    computeMs: wholeMs,
    transferMs: 0,
    totalMs: wholeMs,
  };
}
