import * as grpc from '@grpc/grpc-js';
import { TransportError } from '../errors.js';
import { truncateField } from '../request-events.js';
import type { Served, ServingContext } from '../serving.js';
import { catalogOf, MODEL_VERSION, type ServedModel } from './catalog.js';

/** The installed model, or UNAVAILABLE while loading or draining. */
export function servedOrUnavailable(ctx: ServingContext): Served {
  const notReady = ctx.notReady();
  const served = ctx.served();
  if (notReady || !served) throw notReady ?? new TransportError(grpc.status.UNAVAILABLE, 'not serving');
  return served;
}

/** The served model of this name and version ('' = the only one); NOT_FOUND naming the valid ones. */
export function findModel(served: Served, name: string, version: string): ServedModel {
  const catalog = catalogOf(served.description);
  const model = catalog.get(name);
  if (!model) {
    throw new TransportError(
      grpc.status.NOT_FOUND,
      `unknown model '${truncateField(name)}': valid models are ${[...catalog.keys()].join(', ')}`,
    );
  }
  if (version !== '' && version !== MODEL_VERSION) {
    throw new TransportError(
      grpc.status.NOT_FOUND,
      `model '${model.name}' has no version '${truncateField(version)}': its only version is '${MODEL_VERSION}'`,
    );
  }
  return model;
}
