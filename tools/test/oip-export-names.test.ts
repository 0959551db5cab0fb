import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readManifest } from '@mtl-split/model';
import { catalogOf, formInputs, OIP_FORMS, oipModelName } from '@mtl-split/transport';
import { describe, expect, it } from 'vitest';
import { tritonModelName } from '../src/export/triton-repo.js';
import { TENSOR_FORMS, wireInputs } from '../src/export/wire-forms.js';

// One contract, two writers: the Triton export (tools, above the transport) and our cloud's OIP service
// (packages/transport/src/oip) must name every model and its inputs alike, or an edge with --protocol oip
// works against one and not the other.

const ROOT = join(import.meta.dirname, '..', '..');

describe('the Triton export and the OIP service agree', () => {
  it('on forms, model names and inputs for every split point of every committed bundle, and on odd point names', () => {
    expect([...TENSOR_FORMS]).toEqual([...OIP_FORMS]);
    const bundles = readdirSync(join(ROOT, 'models'));
    expect(bundles.length).toBeGreaterThan(0);
    for (const bundle of bundles) {
      const m = readManifest(join(ROOT, 'models', bundle));
      const catalog = catalogOf({
        bundleId: m.id,
        tasks: m.tasks,
        splitPoints: m.splitPoints.map((p) => ({ name: p.name, shape: p.shape })),
      });
      for (const p of m.splitPoints) {
        for (const form of TENSOR_FORMS) {
          const name = tritonModelName(m.id, p.name, form);
          expect(name).toBe(oipModelName(m.id, p.name, form));
          const exported = wireInputs({ point: p.name, shape: p.shape, form }).map((i) => [i.name, i.dataType, i.dims]);
          expect(exported).toEqual(formInputs(p.name, p.shape, form).map((i) => [i.name, `TYPE_${i.datatype}`, i.dims]));
          expect(catalog.get(name)?.inputs.map((i) => [i.name, `TYPE_${i.datatype}`, i.dims])).toEqual(exported);
        }
      }
    }
    expect(tritonModelName('my bundle', '/layer1/Relu', 'int8')).toBe(oipModelName('my bundle', '/layer1/Relu', 'int8'));
  });
});
