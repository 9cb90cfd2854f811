/*
 * One policy for every options object hookspec takes (the client, buildOpenApi, queues, receivers, the
 * Nest module, the decorators): unknown keys are refused with a did-you-mean, and numbers are checked by
 * one set of rules. Each caller says where it is (`new WebhookClient(options)`) and which error class its
 * users catch; the codes are always `unknown-option` and `invalid-option`.
 */
import { didYouMean } from './did-you-mean';

/** The longest timer Node can set, about 24.8 days: a longer duration would fire at once. */
export const MAX_DURATION_MS = 2 ** 31 - 1;

export type OptionFailure = 'unknown-option' | 'invalid-option';

/** Where the options are read, and how a failure is thrown there. */
export interface OptionScope {
  /** How the user wrote the call, e.g. `new WebhookClient(options)` or `webhookMiddleware(options)`. */
  readonly where: string;
  readonly fail: (code: OptionFailure, message: string) => Error;
}

/**
 * Checks that `options` is an object (or undefined, when `optional`) whose keys are all in `known`;
 * `example` is shown when it is not an object at all.
 */
export function checkOptionsObject(
  options: unknown,
  known: readonly string[],
  scope: OptionScope,
  example: string,
): asserts options is Record<string, unknown> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw scope.fail(
      'invalid-option',
      `${scope.where} needs an options object, e.g. ${example}; got ${describe(options)}.`,
    );
  }
  checkKnownKeys(options as Record<string, unknown>, known, scope);
}

/** Refuses keys outside `known`, naming the closest known key; a key set to undefined counts too. */
export function checkKnownKeys(options: Record<string, unknown>, known: readonly string[], scope: OptionScope): void {
  const unknown = Object.keys(options).filter((key) => !known.includes(key));
  if (unknown.length === 0) return;
  const parts = unknown.map((key) => {
    const guess = didYouMean(key, known);
    return guess === undefined ? `'${key}'` : `'${key}' (did you mean '${guess}'?)`;
  });
  throw scope.fail(
    'unknown-option',
    `${scope.where}: unknown option${unknown.length > 1 ? 's' : ''} ${parts.join(', ')}. ` +
      `Known options: ${known.join(', ')}.`,
  );
}

/** A duration in milliseconds: more than 0 (or at least 0 with `allowZero`) and at most 2^31−1. */
export function durationMs(
  value: unknown,
  fallback: number,
  name: string,
  scope: OptionScope,
  { allowZero = false }: { allowZero?: boolean } = {},
): number {
  if (value === undefined) return fallback;
  if (!(
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (allowZero ? value >= 0 : value > 0) &&
    value <= MAX_DURATION_MS
  )) {
    throw scope.fail(
      'invalid-option',
      `${scope.where}: ${name} must be a number of milliseconds ${allowZero ? 'from 0' : 'above 0'} up to ` +
        `${MAX_DURATION_MS} (about 24.8 days), got ${describe(value)}.`,
    );
  }
  return value;
}

/** A whole number above 0. */
export function positiveInteger(value: unknown, fallback: number, name: string, scope: OptionScope): number {
  if (value === undefined) return fallback;
  if (!(typeof value === 'number' && Number.isSafeInteger(value) && value > 0)) {
    throw scope.fail(
      'invalid-option',
      `${scope.where}: ${name} must be a whole number above 0, got ${describe(value)}.`,
    );
  }
  return value;
}

/** A whole number of 0 or more. */
export function countOf(value: unknown, fallback: number, name: string, scope: OptionScope): number {
  if (value === undefined) return fallback;
  if (!(typeof value === 'number' && Number.isSafeInteger(value) && value >= 0)) {
    throw scope.fail(
      'invalid-option',
      `${scope.where}: ${name} must be a whole number of 0 or more, got ${describe(value)}.`,
    );
  }
  return value;
}

/** A finite number of seconds, 0 or more (`Infinity` too with `allowInfinity`). */
export function seconds(
  value: unknown,
  fallback: number,
  name: string,
  scope: OptionScope,
  { allowInfinity = false, allowZero = true }: { allowInfinity?: boolean; allowZero?: boolean } = {},
): number {
  if (value === undefined) return fallback;
  const ok =
    typeof value === 'number' &&
    !Number.isNaN(value) &&
    (allowZero ? value >= 0 : value > 0) &&
    (Number.isFinite(value) || allowInfinity);
  if (!ok) {
    throw scope.fail(
      'invalid-option',
      `${scope.where}: ${name} must be a number of seconds ${allowZero ? 'from 0' : 'above 0'}` +
        `${allowInfinity ? ' (or Infinity)' : ''}, got ${describe(value)}.`,
    );
  }
  return value;
}

/** One of `choices`. */
export function oneOf<T extends string>(
  value: unknown,
  fallback: T,
  choices: readonly T[],
  name: string,
  scope: OptionScope,
): T {
  if (value === undefined) return fallback;
  if (!choices.includes(value as T)) {
    throw scope.fail(
      'invalid-option',
      `${scope.where}: ${name} must be ${choices.map((c) => `'${c}'`).join(' or ')}, got ${describe(value)}.`,
    );
  }
  return value as T;
}

/** A value as it may be shown in a message: never a long string, never a secret's content. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'undefined') return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return `a function (${value.name || 'anonymous'})`;
  return typeof value === 'object' ? 'an object' : typeof value;
}
