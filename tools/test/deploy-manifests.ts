/**
 * The manifests in deploy/, parsed with the `yaml` package, and the kubernetes-models class of each
 * Kubernetes kind they use. KServe's InferenceService has no class there: kserve.ts checks it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Service } from 'kubernetes-models/v1/Service';
import { ROOT } from '@mtl-split/cli/testing';

export const DEPLOY = join(ROOT, 'deploy');

/** One YAML document of a manifest file, as plain JSON data. */
export interface ManifestDoc {
  file: string;
  apiVersion: string;
  kind: string;
  body: Record<string, unknown>;
}

interface Validatable {
  validate(): void;
}

/** apiVersion + kind -> a kubernetes-models constructor whose instances validate against the Kubernetes schema. */
export const KUBERNETES_CLASSES: Record<string, new (data: never) => Validatable> = {
  'apps/v1 Deployment': Deployment,
  'v1 Service': Service,
  'autoscaling/v2 HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'v1 PersistentVolumeClaim': PersistentVolumeClaim,
};

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** Every document of every .yaml file under deploy/; throws on a YAML syntax error, naming the file. */
export function loadManifests(): ManifestDoc[] {
  return yamlFiles(DEPLOY).flatMap((path) => {
    const file = relative(ROOT, path);
    return parseAllDocuments(readFileSync(path, 'utf8')).map((d) => {
      if (d.errors.length > 0) throw new Error(`${file}: ${d.errors[0].message}`);
      const body = d.toJS() as Record<string, unknown>;
      return { file, apiVersion: String(body.apiVersion), kind: String(body.kind), body };
    });
  });
}

/** Validates a Kubernetes document with its kubernetes-models class; throws naming the file and the schema's complaint. */
export function validateKubernetes(doc: ManifestDoc): void {
  const Cls = KUBERNETES_CLASSES[`${doc.apiVersion} ${doc.kind}`];
  if (!Cls) throw new Error(`${doc.file}: no kubernetes-models class for ${doc.apiVersion} ${doc.kind}`);
  try {
    new Cls(structuredClone(doc.body) as never).validate();
  } catch (err) {
    throw new Error(`${doc.file} (${doc.kind}): ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The one document of this kind; throws when there are none or several. */
export function only(docs: readonly ManifestDoc[], kind: string): ManifestDoc {
  const hits = docs.filter((d) => d.kind === kind);
  if (hits.length !== 1) throw new Error(`deploy/: expected one ${kind}, found ${hits.length}`);
  return hits[0];
}
