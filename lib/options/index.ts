/*
 * The one options policy: every options object refuses unknown keys with a did-you-mean, and numbers and
 * durations are checked by one set of rules. Each caller names where it is and which error it throws.
 */
export {
  checkKnownKeys,
  checkOptionsObject,
  countOf,
  describe,
  durationMs,
  MAX_DURATION_MS,
  oneOf,
  positiveInteger,
  seconds,
} from './option-checks';
export type { OptionFailure, OptionScope } from './option-checks';
export { didYouMean } from './did-you-mean';
