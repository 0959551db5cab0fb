/**
 * The report's view of the answers axis: with more than one answer setting, every figure, table and winner
 * that goes by codec goes by codec and answer setting, labelled `CODEC / ANSWER` (results.json keeps the two
 * apart: `codec` and `answer`). With one setting the results are shown as they are.
 */
import type { Results } from '../results.js';

/** `int8 / compact`: a codec and answer setting as the report names them. */
export const codecAnswerLabel = (codec: string, answer: string): string => `${codec} / ${answer}`;

/** A label as part of a file name (`int8 / compact` -> `int8_compact`). */
export const fileSafe = (label: string): string => label.replace(/[^A-Za-z0-9_.-]+/g, '_');

/** The results with `codec` relabelled `CODEC / ANSWER` everywhere when the scenario swept several answer settings. */
export function answersView(r: Results): Results {
  const names = (r.scenario.answers ?? []).map((a) => a.name);
  if (names.length <= 1) return r;
  const relabel = <T extends { codec: string; answer?: string }>(x: T): T =>
    x.answer === undefined ? x : { ...x, codec: codecAnswerLabel(x.codec, x.answer) };
  return {
    ...r,
    scenario: { ...r.scenario, codecs: r.scenario.codecs.flatMap((c) => names.map((a) => codecAnswerLabel(c, a))) },
    cells: r.cells.map(relabel),
    baseline: r.baseline.map(relabel),
    winners: r.winners.map(relabel),
    ...(r.notMeasured ? { notMeasured: r.notMeasured.map(relabel) } : {}),
    ...(r.plan ? { plan: r.plan.map(relabel) } : {}),
  };
}
