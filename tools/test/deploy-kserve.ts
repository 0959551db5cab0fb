/**
 * What is checked of KServe's InferenceService (no npm package ships its CRD schema or a class for it):
 * the Kubernetes parts it embeds with kubernetes-models' classes (ObjectMeta, ContainerPort,
 * ResourceRequirements), and the KServe fields this project uses with a strict zod schema written from
 * KServe's v1beta1 API reference (InferenceService -> spec.predictor -> model). Any field outside that
 * schema is refused, so a typo cannot pass; fields KServe has but we do not use are refused too.
 */
import { z } from 'zod';
import { ObjectMeta } from '@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta';
import { ContainerPort } from 'kubernetes-models/v1/ContainerPort';
import { ResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import type { ManifestDoc } from './deploy-manifests.js';

/** A zod schema that passes a value to a kubernetes-models class's validate() and reports its complaint. */
const kubernetes = (Cls: new (data: never) => { validate(): void }) =>
  z.unknown().superRefine((v, ctx) => {
    try {
      new Cls(structuredClone(v) as never).validate();
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `${Cls.name}: ${err instanceof Error ? err.message : String(err)}` });
    }
  });

const modelSpec = z
  .object({
    modelFormat: z.object({ name: z.string().min(1), version: z.string().optional() }).strict(),
    runtime: z.string().min(1).optional(),
    protocolVersion: z.enum(['v1', 'v2', 'grpc-v1', 'grpc-v2']).optional(),
    storageUri: z
      .string()
      .regex(/^(pvc|s3|gs|https?|hdfs|webhdfs|oci):\/\/\S+$/, 'a storage URI (pvc://, s3://, gs://, https://, oci://...)'),
    ports: z.array(kubernetes(ContainerPort)).optional(),
    resources: kubernetes(ResourceRequirements).optional(),
    args: z.array(z.string()).optional(),
  })
  .strict();

export const inferenceServiceSchema = z
  .object({
    apiVersion: z.literal('serving.kserve.io/v1beta1'),
    kind: z.literal('InferenceService'),
    metadata: kubernetes(ObjectMeta),
    spec: z
      .object({
        predictor: z
          .object({
            minReplicas: z.number().int().min(0).optional(),
            maxReplicas: z.number().int().min(1).optional(),
            model: modelSpec,
          })
          .strict(),
      })
      .strict(),
  })
  .strict();

export type InferenceService = z.infer<typeof inferenceServiceSchema>;

/** Validates an InferenceService document; throws naming the file and the first problem's path. */
export function validateInferenceService(doc: ManifestDoc): InferenceService {
  const r = inferenceServiceSchema.safeParse(doc.body);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new Error(`${doc.file} (InferenceService): ${issue.path.join('.')}: ${issue.message}`);
}
