/**
 * How one request's total time splits into stages. The edge reads performance.now() at four marks:
 * start, edge half done, frame encoded, answer back (or the send failed); the cloud's answer carries its
 * own decode and compute times. Every stage but `network` is measured; `network` is what the round trip
 * leaves once the cloud's work is taken out (transit and queueing), so edge + encode + network + cloud +
 * decode = total whenever the clocks agree (never negative: a cloud figure longer than the round trip
 * counts the network as 0).
 */

/** Milliseconds of one answer: edge half, encode, network (round trip less the cloud's work), cloud, decode, local (fallback or edge-only), total. */
export interface AnswerTimings {
  edge: number;
  encode: number;
  network: number;
  cloud: number;
  decode: number;
  local: number;
  total: number;
}

/** performance.now() of one request: its start, the edge half done, the frame encoded, the answer (or the failure) back. */
export interface RequestMarks {
  start: number;
  edgeDone: number;
  encoded: number;
  back: number;
}

/** A cloud answer's own figures, ms. */
export interface CloudWork {
  computeMs: number;
  decodeMs: number;
}

const NONE: AnswerTimings = { edge: 0, encode: 0, network: 0, cloud: 0, decode: 0, local: 0, total: 0 };

/** A request the cloud answered. */
export function cloudStages(m: RequestMarks, cloud: CloudWork): AnswerTimings {
  const network = Math.max(0, m.back - m.encoded - cloud.computeMs - cloud.decodeMs);
  return {
    ...NONE,
    edge: m.edgeDone - m.start,
    encode: m.encoded - m.edgeDone,
    network,
    cloud: cloud.computeMs,
    decode: cloud.decodeMs,
    total: m.back - m.start,
  };
}

/** A request the cloud did not answer, finished here: network = the time lost on the link, local = the cloud half run here (ending at `localDone`). */
export function fallbackStages(m: RequestMarks, localDone: number): AnswerTimings {
  return {
    ...NONE,
    edge: m.edgeDone - m.start,
    encode: m.encoded - m.edgeDone,
    network: m.back - m.encoded,
    local: localDone - m.back,
    total: localDone - m.start,
  };
}

/** The whole network here (edge-only): all of it local. */
export function localStages(totalMs: number): AnswerTimings {
  return { ...NONE, local: totalMs, total: totalMs };
}
