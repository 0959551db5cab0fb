import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** A change to the compiled Vega spec, for what Vega-Lite cannot say (e.g. how a legend draws its symbols). */
export type VegaPatch = (spec: vega.Spec) => void;

/** Render a Vega-Lite spec to an SVG string (headless, no canvas needed). */
export async function renderSvg(spec: TopLevelSpec, patch?: VegaPatch): Promise<string> {
  const compiled = compile(spec).spec;
  patch?.(compiled);
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
