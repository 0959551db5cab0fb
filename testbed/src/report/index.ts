import fs from 'node:fs';
import path from 'node:path';
import { TestbedError, formatIssues } from '../errors.js';
import { ResultsSpreadSchema, type Results } from '../results.js';
import { answersView } from './answers-view.js';
import { resultsCsv } from './csv.js';
import { reportHtml } from './html.js';
import { allPlots } from './plots.js';
import { renderSvg } from './render.js';

/** Write results.json, results.csv, report.html and the plots (SVG) into `dir` (created if missing). */
export async function writeReport(r: Results, dir: string): Promise<{ files: string[] }> {
  const checked = ResultsSpreadSchema.safeParse(r);
  if (!checked.success) throw new TestbedError(`results: ${formatIssues(checked.error.issues)}`);
  fs.mkdirSync(dir, { recursive: true });
  // figures and tables by codec and answer setting; results.json and results.csv keep the two apart
  const view = answersView(r);
  const plots = allPlots(view);
  // the pictures (written by the sweep into the same folder), inlined so the page stands alone
  const pngs = new Map<string, Buffer>();
  for (const f of [r.pictures?.reference.file, ...(r.pictures?.strips ?? []).map((s) => s.file)]) {
    if (f && fs.existsSync(path.join(dir, f))) pngs.set(f, fs.readFileSync(path.join(dir, f)));
  }
  const files: string[] = [];
  const svgs = new Map<string, string>();
  for (const p of plots) {
    const svg = await renderSvg(p.spec, p.patch);
    svgs.set(p.file, svg);
    fs.writeFileSync(path.join(dir, p.file), svg);
    files.push(p.file);
  }
  fs.writeFileSync(path.join(dir, 'results.json'), JSON.stringify(r, null, 2) + '\n');
  fs.writeFileSync(path.join(dir, 'results.csv'), resultsCsv(r.cells));
  fs.writeFileSync(path.join(dir, 'report.html'), reportHtml(view, plots, svgs, pngs));
  files.push('results.json', 'results.csv', 'report.html');
  return { files };
}

export { allPlots, type PlotSpec } from './plots.js';
export { renderSvg } from './render.js';
export { resultsCsv } from './csv.js';
export { reportHtml } from './html.js';
