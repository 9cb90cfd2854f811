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
