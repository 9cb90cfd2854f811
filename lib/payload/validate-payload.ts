import { validate } from 'class-validator';
import type { ValidationError } from 'class-validator';
import { WebhookValidationError } from '../errors';
import type { ValidationIssue } from '../errors';

/**
 * Runs class-validator on a payload instance and throws a `WebhookValidationError` listing every failing
 * property path. `forbidUnknownValues` makes a non-instance (a plain object) fail instead of passing empty.
 */
export async function validatePayload(payload: object, context: string, consequence: string): Promise<void> {
  const errors = await validate(payload, { forbidUnknownValues: true });
  if (errors.length > 0) {
    throw new WebhookValidationError(payload.constructor.name, flatten(errors, ''), context, consequence);
  }
}

function flatten(errors: readonly ValidationError[], prefix: string): ValidationIssue[] {
  return errors.flatMap((error) => {
    const path = join(prefix, error.property);
    const own: ValidationIssue[] = error.constraints ? [{ path, constraints: { ...error.constraints } }] : [];
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

/** `lines` + `2` → `lines[2]`; `customer` + `name` → `customer.name`. */
function join(prefix: string, property: string): string {
  if (property === undefined || property === '') return prefix;
  if (/^\d+$/.test(property)) return `${prefix}[${property}]`;
  return prefix ? `${prefix}.${property}` : property;
}
