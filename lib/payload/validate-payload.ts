import { validate } from 'class-validator';
import type { ValidationError } from 'class-validator';
import { WebhookValidationError } from '../errors';
import type { ValidationIssue } from '../errors';

/**
 * Runs class-validator on a payload instance and throws a `WebhookValidationError` listing every failing
 * property path; a validator that throws is reported as one issue. `forbidUnknownValues` makes a
 * non-instance (a plain object) fail instead of passing empty.
 */
export async function validatePayload(payload: object, context: string, consequence: string): Promise<void> {
  let errors: ValidationError[];
  try {
    errors = await validate(payload, { forbidUnknownValues: true });
  } catch (error) {
    // A custom constraint that throws (on a hostile body, say) is a failed validation, not a crash.
    const message = error instanceof Error ? error.message : String(error);
    throw new WebhookValidationError(
      payload.constructor.name,
      [{ path: '', constraints: { validator: `a validator threw: ${message}` } }],
      context,
      consequence,
    );
  }
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
