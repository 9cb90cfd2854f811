import type { ClassConstructor } from 'class-transformer';
import { WebhookValidationError, WebhookVerificationError } from '../errors';
import type { ValidationIssue } from '../errors';
import type { WebhookDefinition } from '../metadata';
import { payloadFromBody } from '../payload';
import { envelopeType } from '../envelope';

/** A failing property of a body, with the webhook it was checked as. */
export interface MatchIssue extends ValidationIssue {
  /** The webhook name, e.g. `new-subscription`. */
  readonly webhook: string;
}

/** Which of a module's webhooks a verified body is. */
export interface WebhookMatch {
  /** The webhooks whose payload class the body validates as; empty when it validates as none. */
  readonly names: readonly string[];
  /** The webhooks it was checked as: the envelope's `type`, or every webhook of the module. */
  readonly candidates: readonly string[];
  /** When `names` is empty: why each candidate refused it. */
  readonly issues: readonly MatchIssue[];
  /** When `names` is empty and there were several candidates: the one with the fewest failing properties. */
  readonly closest?: string;
  /** A Standard Webhooks envelope whose `type` names none of the module's webhooks. */
  readonly unknownType?: string;
}

/**
 * Finds the webhooks a body is. An envelope (`{ type, data }`) whose `type` names one of them is checked
 * as that webhook only, on its `data`; anything else is checked as every webhook, since a plain body does
 * not say which it is. Each payload class is transformed and validated by `payloadFromBody`, as every
 * receiver does.
 */
export async function matchWebhook(definitions: readonly WebhookDefinition[], body: unknown): Promise<WebhookMatch> {
  const type = envelopeType(body);
  const named = definitions.filter((definition) => definition.name === type);
  const candidates = named.length > 0 ? named : definitions;
  const data = named.length > 0 ? (body as { data: unknown }).data : body;
  const names: string[] = [];
  const issues: MatchIssue[] = [];
  for (const [payload, webhooks] of byPayload(candidates)) {
    const problems = await validateAs(payload, data);
    if (problems.length === 0) names.push(...webhooks);
    else for (const webhook of webhooks) issues.push(...problems.map((issue) => ({ webhook, ...issue })));
  }
  const failing = (name: string): number => issues.filter((issue) => issue.webhook === name).length;
  const closest = candidates.map((definition) => definition.name).sort((a, b) => failing(a) - failing(b))[0];
  return {
    names,
    candidates: candidates.map((definition) => definition.name),
    issues: names.length > 0 ? [] : issues,
    ...(names.length === 0 && candidates.length > 1 && closest !== undefined ? { closest } : {}),
    ...(type !== undefined && named.length === 0 ? { unknownType: type } : {}),
  };
}

/** Webhooks that share a payload class are validated once. */
function byPayload(definitions: readonly WebhookDefinition[]): Map<Function, string[]> {
  const groups = new Map<Function, string[]>();
  for (const definition of definitions) {
    groups.set(definition.payload, [...(groups.get(definition.payload) ?? []), definition.name]);
  }
  return groups;
}

async function validateAs(payload: Function, data: unknown): Promise<readonly ValidationIssue[]> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return [
      { path: '', constraints: { isObject: `the body is not a JSON object, so it cannot be a ${payload.name}` } },
    ];
  }
  try {
    await payloadFromBody(payload as ClassConstructor<object>, data);
    return [];
  } catch (error) {
    if (error instanceof WebhookValidationError) return error.issues;
    if (error instanceof WebhookVerificationError) return [{ path: '', constraints: { [error.code]: error.message } }];
    throw error;
  }
}
