import type { GilbertElliottInput } from './gilbert-elliott.js';

export interface TracePreset {
  description: string;
  /** How the parameters were obtained (a fit command, or "set by hand" and why). */
  origin: string;
  params: GilbertElliottInput;
}

/**
 * Named Gilbert-Elliott parameter sets, the models of the project's own traces (testbed/traces/). The
 * fitted ones come from `npm run trace -w @mtl-split/link -- fit <file> --threshold <Mbit/s>` on the public
 * traces in ../shared/traces (rounded); the statistics they reproduce are in the link README.
 */
export const TRACE_PRESETS = {
  'lte-drive-up': {
    description: 'LTE uplink while driving: about 1 Mbit/s, with fades and outages (9% of seconds at zero)',
    origin: 'fit mahimahi/ATT-LTE-driving.up --threshold 0.5',
    params: {
      pGoodToBad: 0.0626,
      pBadToGood: 0.2347,
      good: { medianMbps: 1.006, sigma: 0.2 },
      bad: { medianMbps: 0.1419, sigma: 1.138 },
      zeroInBad: 0.4393,
      maxMbps: 1.296,
    },
  },
  '3g-commute': {
    description: '3G (HSDPA) while commuting by car: 1-3 Mbit/s with dips to about 0.6 Mbit/s, no outage',
    origin: 'fit norway-hsdpa/norway_car_1 --threshold 1',
    params: {
      pGoodToBad: 0.0821,
      pBadToGood: 0.1882,
      good: { medianMbps: 1.806, sigma: 0.379 },
      bad: { medianMbps: 0.6488, sigma: 0.35 },
      zeroInBad: 0,
      maxMbps: 4.17,
    },
  },
  swing: {
    description: 'a test link: 2-s steps between about 4 and 0.4 Mbit/s, sometimes nothing, so every change is visible',
    origin: 'set by hand: rates a decade apart and states that change every few steps, for the replay probe test',
    params: {
      stepS: 2,
      pGoodToBad: 0.4,
      pBadToGood: 0.5,
      good: { medianMbps: 4, sigma: 0.1 },
      bad: { medianMbps: 0.4, sigma: 0.1 },
      zeroInBad: 0.25,
    },
  },
} as const satisfies Record<string, TracePreset>;

export type TracePresetName = keyof typeof TRACE_PRESETS;
export const TRACE_PRESET_NAMES = Object.keys(TRACE_PRESETS) as TracePresetName[];
