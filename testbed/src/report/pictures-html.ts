import type { Results } from '../results.js';

function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** An <img> of a picture: inline as a data URI when its bytes are given (a self-contained page), else the file. */
function img(file: string, alt: string, pngs: ReadonlyMap<string, Buffer>): string {
  const b = pngs.get(file);
  const src = b ? `data:image/png;base64,${b.toString('base64')}` : file;
  return `<img class="strip" src="${esc(src)}" alt="${esc(alt)}">`;
}

/** The pictures of a dense bundle's answers: the inputs and labels, then one strip per split point and codec. */
export function picturesSection(r: Results, pngs: ReadonlyMap<string, Buffer>): string {
  const p = r.pictures;
  if (!p?.strips.length) return '';
  const ref = p.reference.file
    ? `<tr><th>inputs and labels</th><td>–</td><td>${esc(p.reference.panels.join(', '))}</td><td class="pic">${img(p.reference.file, 'inputs and labels', pngs)}</td></tr>`
    : '';
  const rows = p.strips
    .map(
      (s) =>
        `<tr><th>${esc(s.split)}</th><td>${esc(s.codec)}${s.answers ? `, dense answers ${esc(s.answers)}` : ''}</td><td>${esc(p.panels.join(', '))}</td><td class="pic">${img(s.file, `answers at ${s.split} with ${s.codec}`, pngs)}</td></tr>`,
    )
    .join('\n');
  return `<h3>Pictures of the answers</h3>
<p>The first ${p.samples} samples (one row each) as the cloud answered them at each split point and codec (edge-only: the whole network on the edge, nothing encoded; "dense answers f16/int8": the dense tasks' answers sent back in that lossy form, request in f32), so what a lossy codec does to the class maps and dense outputs can be seen. Class maps in the dataset's palette, scalar maps (depth) through viridis on one range shared by every strip (dark near/low, yellow far/high), normals as RGB ((n + 1) / 2).</p>
<style>td.pic{text-align:left}</style>
<table class="pictures"><thead><tr><th>split point</th><th>codec</th><th>panels, left to right</th><th>pictures</th></tr></thead><tbody>
${ref}
${rows}
</tbody></table>`;
}
