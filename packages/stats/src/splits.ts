/**
 * The vocabulary of split choices, besides a bundle's own split points (`--split`, scenarios, plans,
 * results): the one place these names are spelled.
 */

/** The whole network on the edge device: nothing is sent. */
export const EDGE_ONLY = 'edge-only';
/** Every candidate at run time, the chooser picking the one predicted fastest (apps/edge `--split auto`). */
export const AUTO = 'auto';
/** Every split point of the bundle, one after another. */
export const ALL = 'all';
/** The command line's name of the split point that sends the input (all compute in the cloud). */
export const CLOUD_ONLY = 'cloud-only';
/** The split point before the first layer: the one `cloud-only` names. */
export const INPUT_POINT = 'input';

/** `--split` values that are not a split point of the bundle. */
export const SPLIT_CHOICES = [ALL, AUTO, EDGE_ONLY, CLOUD_ONLY] as const;
export type SplitChoice = (typeof SPLIT_CHOICES)[number];

/** Names a bundle's split point may not take: the choices above and the input point's own name. */
export const RESERVED_SPLIT_NAMES: readonly string[] = [INPUT_POINT, ...SPLIT_CHOICES];

/** Whether a `--split` value is one of the choices above rather than a split point. */
export function isSplitChoice(value: string): value is SplitChoice {
  return (SPLIT_CHOICES as readonly string[]).includes(value);
}
