/**
 * deploy/: every Kubernetes document validates against the Kubernetes schemas (kubernetes-models), the
 * InferenceService against what deploy-kserve.ts checks, the pieces fit together (labels, ports, names,
 * the cloud's own flags), and the real cloud started with the Deployment's arguments answers the gRPC
 * health checks its probes make.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, spawnTs, waitForLog, type Spawned } from '@mtl-split/cli/testing';
import { parseCloudArgs } from '@mtl-split/cloud';
import { SERVICE_NAME, SplitClient } from '@mtl-split/transport';
import { validateInferenceService } from './deploy-kserve.js';
import { KUBERNETES_CLASSES, loadManifests, only, validateKubernetes, type ManifestDoc } from './deploy-manifests.js';

interface Probe {
  grpc?: { port: number; service?: string };
}
interface ContainerSpec {
  args: string[];
  ports: { name: string; containerPort: number }[];
  readinessProbe: Probe;
  livenessProbe: Probe;
  startupProbe: Probe;
  volumeMounts: { name: string; mountPath: string }[];
}

const docs = loadManifests();
const deployment = only(docs, 'Deployment');
const pod = (
  deployment.body as {
    spec: {
      template: {
        metadata: { labels: Record<string, string> };
        spec: { containers: ContainerSpec[]; volumes: { name: string; persistentVolumeClaim?: { claimName: string } }[] };
      };
    };
  }
).spec.template;
const container = pod.spec.containers[0];
const portOf = (name: string): number => {
  const p = container.ports.find((x) => x.name === name);
  if (!p) throw new Error(`deploy: the cloud container has no port named '${name}'`);
  return p.containerPort;
};

/** The per-pod metric the queue-depth HPA scales on. */
function queueMetric(): string | undefined {
  const hpas = docs
    .filter((d) => d.kind === 'HorizontalPodAutoscaler')
    .map((d) => d.body as { spec: { metrics: { pods?: { metric: { name: string } } }[] } });
  return hpas.flatMap((h) => h.spec.metrics).find((m) => m.pods)?.pods?.metric.name;
}

let cloud: Spawned | undefined;
afterAll(() => {
  cloud?.child.kill('SIGTERM');
});

describe('deploy/ manifests', () => {
  it('every Kubernetes document validates against its kubernetes-models schema', () => {
    const kinds = docs.map((d) => d.kind).sort();
    expect(kinds).toEqual([
      'Deployment',
      'HorizontalPodAutoscaler',
      'HorizontalPodAutoscaler',
      'InferenceService',
      'PersistentVolumeClaim',
      'Service',
    ]);
    for (const d of docs.filter((x) => x.kind !== 'InferenceService')) {
      expect(Object.keys(KUBERNETES_CLASSES)).toContain(`${d.apiVersion} ${d.kind}`);
      expect(() => validateKubernetes(d)).not.toThrow();
    }
  });

  it("the validation is live: a broken document is refused with the schema's complaint", () => {
    const broken: ManifestDoc = structuredClone(deployment);
    (broken.body as { spec: { template: { spec: { containers: { readinessProbe: Probe }[] } } } }).spec.template.spec.containers[0]
      .readinessProbe.grpc!.port = 'grpc' as unknown as number;
    expect(() => validateKubernetes(broken)).toThrow(/readinessProbe\/grpc\/port must be integer/);
    const hpa = structuredClone(docs.find((d) => d.kind === 'HorizontalPodAutoscaler')!);
    delete (hpa.body.spec as Record<string, unknown>).scaleTargetRef;
    expect(() => validateKubernetes(hpa)).toThrow(/scaleTargetRef/);
  });

  it('the InferenceService: Triton runtime, gRPC Open Inference Protocol, the exported repository on the models volume', () => {
    const isvc = validateInferenceService(only(docs, 'InferenceService'));
    expect(isvc.spec.predictor.model.modelFormat.name).toBe('triton');
    expect(isvc.spec.predictor.model.protocolVersion).toBe('grpc-v2');
    const claim = pod.spec.volumes.find((v) => v.persistentVolumeClaim)?.persistentVolumeClaim?.claimName;
    expect(isvc.spec.predictor.model.storageUri).toBe(`pvc://${claim}/triton`);
    const typo = structuredClone(only(docs, 'InferenceService'));
    (typo.body.spec as { predictor: { model: Record<string, unknown> } }).predictor.model.storageURI = 'pvc://x/y';
    expect(() => validateInferenceService(typo)).toThrow(/InferenceService/);
  });

  it("the pieces fit: Service and HPA find the Deployment, probes ask the cloud's health service, the flags are the cloud's own", () => {
    const service = only(docs, 'Service').body as {
      spec: { selector: Record<string, string>; ports: { name: string; port: number; targetPort: string }[] };
    };
    for (const [k, v] of Object.entries(service.spec.selector)) expect(pod.metadata.labels[k]).toBe(v);
    for (const p of service.spec.ports) expect(portOf(p.targetPort)).toBe(p.port);
    // cloud-hpa.yaml (CPU) and cloud-hpa-queue.yaml (CPU + in-flight requests) are alternatives: one name, one target
    const hpas = docs
      .filter((d) => d.kind === 'HorizontalPodAutoscaler')
      .map((d) => d.body as { metadata: { name: string }; spec: { scaleTargetRef: { kind: string; name: string } } });
    for (const hpa of hpas) {
      expect(hpa.metadata.name).toBe(hpas[0].metadata.name);
      expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: (deployment.body.metadata as { name: string }).name });
    }
    expect(queueMetric()).toBe('mtl_split_inflight_requests');
    const pvc = only(docs, 'PersistentVolumeClaim').body.metadata as { name: string };
    expect(pod.spec.volumes.map((v) => v.persistentVolumeClaim?.claimName)).toContain(pvc.name);
    const flags = parseCloudArgs(container.args);
    expect(flags).toMatchObject({ host: '0.0.0.0', port: portOf('grpc'), metricsHost: '0.0.0.0', metricsPort: portOf('metrics') });
    expect(flags.model.startsWith(`${container.volumeMounts.find((m) => m.name === 'models')!.mountPath}/`)).toBe(true);
    expect(container.readinessProbe.grpc).toEqual({ port: portOf('grpc'), service: SERVICE_NAME });
    for (const p of [container.livenessProbe, container.startupProbe]) expect(p.grpc).toEqual({ port: portOf('grpc') });
  });

  it("the cloud started with the Deployment's arguments answers its probes (SERVING for the service and the server) and exports the HPA's metric", async () => {
    // the same arguments, on loopback with free ports and the committed bundle in place of the volume's
    const local: Record<string, string> = {
      '--model': join(ROOT, 'models/multimnist-resnet'),
      '--host': '127.0.0.1',
      '--port': '0',
      '--metrics-host': '127.0.0.1',
      '--metrics-port': '0',
    };
    const args = container.args.map((a, i) => local[container.args[i - 1]] ?? a);
    cloud = spawnTs('apps/cloud/src/main.ts', args);
    const listening = await waitForLog(cloud, 'listening', 60_000);
    const client = await SplitClient.connect(`127.0.0.1:${String(listening.port)}`);
    try {
      expect(await client.health(5_000, container.readinessProbe.grpc!.service)).toBe('SERVING');
      expect(await client.health(5_000, '')).toBe('SERVING');
    } finally {
      client.close();
    }
    const text = await (
      await fetch(`http://127.0.0.1:${String(listening.metricsPort)}/metrics`, { signal: AbortSignal.timeout(5_000) })
    ).text();
    expect(text).toMatch(new RegExp(`^${queueMetric()} \\d+$`, 'm'));
  }, 90_000);
});
