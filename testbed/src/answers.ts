/**
 * The answers axis of a scenario: named answer settings, each a map task -> `FORM[:COMPRESS]` (how the cloud
 * answers that task: the transport's answer forms and the codec's lossless stages), swept like the request
 * codecs and passed to the edge as its `--answer` flags and to `plan` as the same flags. An empty map is the
 * cloud's defaults (segmentation as a class map with deflate, dense and detection outputs in f32).
 */
import { z } from 'zod';
import { COMPRESSIONS } from '@mtl-split/codec';
import type { EdgeRunSpec } from '@mtl-split/edge/spec';
import { ANSWER_FORMS, FORMS_OF_KIND } from '@mtl-split/transport';
import { TestbedError } from './errors.js';

/** How the edge asks for one task's answer (the edge's run setting `answers`, by task). */
export type AnswerCodecs = NonNullable<EdgeRunSpec['answers']>;

/** One named answer setting, parsed. */
export interface AnswerSetting {
  name: string;
  /** By task: form and lossless stage (absent: the form's default stage). Empty: the cloud's defaults. */
  codecs: AnswerCodecs;
}

/** The answer setting a scenario without `answers` runs: the cloud's defaults. */
export const DEFAULT_ANSWERS: AnswerSetting[] = [{ name: 'default', codecs: {} }];

const VALID = `FORM[:COMPRESS], FORM one of ${ANSWER_FORMS.join(', ')}, COMPRESS one of ${COMPRESSIONS.join(', ')}`;

/** `FORM[:COMPRESS]` as the edge's answer codec; undefined when malformed. */
export function parseAnswerCodec(v: string): { form: string; compress?: string } | undefined {
  const [form, compress, ...rest] = v.split(':');
  if (rest.length || !(ANSWER_FORMS as readonly string[]).includes(form ?? '')) return undefined;
  if (compress !== undefined && !(COMPRESSIONS as readonly string[]).includes(compress)) return undefined;
  return { form: form!, ...(compress !== undefined ? { compress } : {}) };
}

const AnswerCodecString = z.string().superRefine((v, ctx) => {
  if (parseAnswerCodec(v) === undefined)
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} is not an answer codec (valid: ${VALID})` });
});

/** A scenario file's `answers` entry: `{ "name": "compact", "forms": { "depth": "f16", "segmentation": "classes:zstd" } }`. */
export const AnswerSettingSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    /** Task -> FORM[:COMPRESS]; {} = the cloud's defaults. */
    forms: z.record(z.string().min(1), AnswerCodecString).default({}),
  })
  .strict();

/** The parsed settings of a scenario's `answers` (names checked unique: one line naming the field). */
export function answerSettings(raw: z.infer<typeof AnswerSettingSchema>[] | undefined, where: string): AnswerSetting[] {
  if (!raw) return DEFAULT_ANSWERS;
  const names = raw.map((a) => a.name);
  const dup = names.findIndex((n, i) => names.indexOf(n) !== i);
  if (dup >= 0) throw new TestbedError(`${where}: field "answers.${dup}.name": "${names[dup]}" is used twice`);
  return raw.map((a) => ({
    name: a.name,
    codecs: Object.fromEntries(Object.entries(a.forms).map(([task, v]) => [task, parseAnswerCodec(v)!])),
  }));
}

/** `FORM[:COMPRESS]` of an edge answer codec. */
export const codecLabel = (c: { form: string; compress?: string }): string => `${c.form}${c.compress ? `:${c.compress}` : ''}`;

/** `depth=f16 segmentation=classes:zstd`, or `server defaults`. */
export function settingLabel(a: AnswerSetting): string {
  const parts = Object.entries(a.codecs).map(([t, c]) => `${t}=${codecLabel(c)}`);
  return parts.length ? parts.join(' ') : 'server defaults';
}

/**
 * Checks every setting against a bundle's tasks (names, and forms valid for each task's kind): one line
 * naming the field, the task's kind and its valid forms. `only` limits the check to tasks the bundle has
 * (a single-task bundle is asked only for its own task).
 */
export function checkAnswers(
  settings: readonly AnswerSetting[],
  tasks: readonly { name: string; kind?: keyof typeof FORMS_OF_KIND }[],
  where: string,
): void {
  settings.forEach((a, i) => {
    for (const [task, c] of Object.entries(a.codecs)) {
      const field = `field "answers.${i}.forms.${task}"`;
      const t = tasks.find((x) => x.name === task);
      if (!t) throw new TestbedError(`${where}: ${field}: unknown task "${task}" (valid: ${tasks.map((x) => x.name).join(', ')})`);
      const kind = t.kind ?? 'classification';
      const valid = FORMS_OF_KIND[kind] as readonly string[];
      if (!valid.includes(c.form))
        throw new TestbedError(`${where}: ${field}: "${c.form}" is not a form of task "${task}" (${kind}; valid: ${valid.join(', ')})`);
    }
  });
}

/** A setting restricted to the tasks a bundle has (a single-task network answers its own task only). */
export function answersFor(a: AnswerSetting, tasks: readonly string[]): AnswerCodecs {
  return Object.fromEntries(Object.entries(a.codecs).filter(([t]) => tasks.includes(t)));
}

/** The edge's / plan's `--answer` flags of a setting. */
export function answerFlags(codecs: AnswerCodecs): string[] {
  return Object.entries(codecs).flatMap(([t, c]) => ['--answer', `${t}=${codecLabel(c)}`]);
}
