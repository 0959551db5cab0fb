/**
 * What a run needs before its first request, shared by the CLI's `runEdge` and the worker: the samples
 * (a dataset's test split, or --inputs) and the cloud's replicas, connected and checked with Describe
 * (same bundle, the split points, the codec).
 */
import { isDenseDataset, loadDataset, type Dataset } from '@mtl-split/data';
import type { Manifest, SplitNetwork } from '@mtl-split/model/infer';
import { parseTargets, type SplitClient, type ClientSecurity, type RemoteDescription } from '@mtl-split/transport';
import { cloudUnreachable } from './cloud-link.js';
import { edgeChannel, replicaClients } from './edge-client.js';
import { protocolClients } from './oip-link.js';
import { EdgeError, asEdgeError } from './edge-error.js';
import { neverReachable } from './misconfig.js';
import { inputsSource } from './inputs.js';
import { DENSE_LABELS, type SampleSource } from './samples.js';
import type { EdgeRunSpec } from './spec.js';
import { errorText } from './error-text.js';

/** The settings a run's preparation reads, and the credentials that travel beside them. */
export type PrepareSpec = Pick<
  EdgeRunSpec,
  'cloud' | 'codec' | 'dataset' | 'inputs' | 'n' | 'deadlineMs' | 'retries' | 'busyPoll' | 'fallback' | 'tasks' | 'protocol'
> & { security?: ClientSecurity };

/** Warnings of the preparation (a replica serving another bundle, a cloud not reachable yet). */
export type WarningHook = (message: string) => void;

function datasetFor(name: string, manifest: Manifest, net: SplitNetwork, n: number): Dataset {
  const opts = manifest.dataset?.name === name ? { ...manifest.dataset.options } : {};
  const ds = loadDataset(name, opts);
  const want = net.input.shape;
  if (ds.inputShape.join(',') !== want.join(',')) {
    throw new EdgeError(`dataset '${name}' has input shape [${ds.inputShape.join(',')}], model '${net.id}' expects [${want.join(',')}]`);
  }
  const dense = isDenseDataset(ds) ? Object.keys(DENSE_LABELS) : [];
  for (const t of net.tasks) {
    if (!ds.tasks.some((d) => d.name === t.name) && !dense.includes(t.name))
      throw new EdgeError(`dataset '${name}' has no task '${t.name}' of model '${net.id}'`);
  }
  if (n > ds.size('test')) throw new EdgeError(`-n ${n} exceeds the ${ds.size('test')} samples of the ${name} test split`);
  return ds;
}

/** The samples of a run: a dataset's test split, or --inputs (random, image files, a labelled test set) for any bundle. */
export async function sampleSource(o: PrepareSpec, manifest: Manifest, net: SplitNetwork): Promise<SampleSource> {
  try {
    if (o.inputs === undefined && !manifest.dataset) {
      throw new EdgeError(
        `bundle '${net.id}' has no dataset (it was imported): give --inputs random or --inputs DIR (PNG/JPEG files or a labelled test set), or NAME=SOURCE per input`,
      );
    }
    if (o.inputs === undefined) {
      const normals = net.tasks.find((t) => t.name === 'normals')?.outputs[0];
      const name = o.dataset ?? manifest.dataset!.name;
      return { kind: 'dataset', dataset: datasetFor(name, manifest, net, o.n), channelsFirst: normals?.layout !== 'NHWC' };
    }
    return await inputsSource(o.inputs, net, o.n);
  } catch (err) {
    throw asEdgeError(err);
  }
}

/**
 * One channel per replica of `o.cloud`, each described at start (`describeReplicas`) and checked to serve
 * every split point of `used` (those not 'edge-only') and the codec. The caller closes the clients.
 */
export async function connectCloud(
  o: PrepareSpec,
  net: SplitNetwork,
  used: readonly string[],
  onWarning?: WarningHook,
): Promise<SplitClient[]> {
  if (!o.cloud) throw new EdgeError('--cloud HOST:PORT is required unless --split edge-only');
  let replicas: SplitClient[];
  try {
    replicas = protocolClients(o, net, await replicaClients(o.cloud, edgeChannel(o, o.security)));
  } catch (err) {
    throw asEdgeError(err);
  }
  try {
    const d = await describeReplicas(o, net, replicas, onWarning);
    if (d) {
      for (const s of used) if (!d.splitPoints.some((p) => p.name === s)) throw new EdgeError(`cloud does not serve split point '${s}'`);
      if (!d.codecs.includes(o.codec)) throw new EdgeError(`cloud does not decode codec '${o.codec}' (offers ${d.codecs.join(', ')})`);
    }
    return replicas;
  } catch (err) {
    for (const r of replicas) r.close();
    throw err;
  }
}

/**
 * Describes every replica at start: the description of one serving this edge's bundle, or undefined when
 * none could be reached and the fallback is local (the edge starts, answering locally until one answers).
 * Replicas serving another bundle are named in a warning and left to fail on their own; when every
 * reachable one does, or none is reachable without a local fallback, it throws.
 */
async function describeReplicas(
  o: PrepareSpec,
  bundle: SplitNetwork,
  replicas: SplitClient[],
  onWarning?: WarningHook,
): Promise<RemoteDescription | undefined> {
  const where = (c: SplitClient) => c.target.replace(/^ipv[46]:/, '');
  const said = await Promise.all(
    replicas.map((c) =>
      c.describe({ deadlineMs: Math.max(o.deadlineMs, 5000) }).then(
        (d) => ({ c, d }),
        (err: unknown) => ({ c, err }),
      ),
    ),
  );
  const good = said.find((r) => 'd' in r && r.d.bundleId === bundle.id);
  const wrong = said.filter((r): r is { c: SplitClient; d: RemoteDescription } => 'd' in r && r.d.bundleId !== bundle.id);
  const failed = said.filter((r): r is { c: SplitClient; err: unknown } => 'err' in r);
  const mismatch = (r: { c: SplitClient; d: RemoteDescription }) =>
    `cloud at ${where(r.c)} serves bundle '${r.d.bundleId}', this edge has '${bundle.id}'`;
  if (!good && wrong.length) throw new EdgeError(mismatch(wrong[0]));
  for (const r of wrong) onWarning?.(`${mismatch(r)}: its answers will be refused`);
  const why = errorText;
  // not an outage but a configuration that can never work (TLS): fail now, not answer locally for ever
  const addresses = parseTargets(o.cloud ?? '');
  for (const { c, err } of failed) {
    const never = await neverReachable(err, addresses[replicas.indexOf(c)], o.security?.tls !== undefined);
    if (never) throw new EdgeError(never);
  }
  for (const { c, err } of failed) {
    // with local fallback an unreachable cloud is no reason not to answer: start, and answer locally
    // until the cloud does (its bundle is checked on connection and on every answer)
    if (o.fallback !== 'local' || !cloudUnreachable(err)) throw new EdgeError(`cannot describe cloud at ${where(c)}: ${why(err)}`);
    onWarning?.(
      `cannot reach the cloud at ${where(c)} (${why(err)}): ${good ? 'using the other replicas' : 'answering locally'} until it answers`,
    );
  }
  return good && 'd' in good ? good.d : undefined;
}
