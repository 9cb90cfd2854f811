import { validate } from 'class-validator';
import type { ValidationError } from 'class-validator';
import { WebhookAdminError } from '../../errors';
import { readClassProperties } from '../../facts';
import { instanceFromPlain } from '../../payload';
import { shapeOf } from '../../payload/payload-shape';
import type { AdminDto, AdminDtoName } from './dto/admin-dtos';
import { adminDtos } from './dto/admin-dtos';

/** One invalid field of a request: where (`url`, `events`, `query.limit`) and what is wrong. */
export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

/** A query string, as the adapters hand it over: a value per key, or several for a repeated key. */
export type AdminQuery = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * Whether a body of this DTO must be sent: it has a required field. Else it may be left out, and reads as
 * `{}`. Required as the schema generator says it (neither `@IsOptional` nor `@ValidateIf`), so the
 * document's `requestBody.required` says the same.
 */
export function bodyRequired(name: AdminDtoName): boolean {
  return readClassProperties(adminDtos()[name]).some((facts) => !facts.optional && !facts.conditional);
}

/**
 * The request body as an instance of its DTO class, checked by class-validator. A field the class does
 * not declare is refused, not dropped: a client that sends `owner`, or misspells `events`, learns it.
 * Throws `invalid-request` with one `details` entry per problem.
 */
export async function readBody<N extends AdminDtoName>(name: N, body: unknown): Promise<AdminDto<N>> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid(`The request body must be a JSON object (${adminDtos()[name].name}).`, []);
  }
  return readDto(name, body, '', 'The request body is invalid');
}

/**
 * The query string as an instance of its DTO class; `name` undefined for a route that takes none. Each
 * parameter is given at most once; values are strings, which the DTO converts (`limit`, `enabled`).
 */
export async function readQuery<N extends AdminDtoName>(
  name: N | undefined,
  query: AdminQuery,
): Promise<AdminDto<N> | undefined> {
  const values: Record<string, string> = {};
  const repeated: FieldProblem[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (typeof value === 'string') values[key] = value;
    else if (value.length === 1) values[key] = value[0] as string;
    else repeated.push({ path: `query.${key}`, message: `${key} is given ${value.length} times; give it once` });
  }
  if (repeated.length > 0) throw invalid('The query string is invalid', repeated);
  if (name === undefined) {
    const keys = Object.keys(values);
    if (keys.length === 0) return undefined;
    throw invalid(
      'The query string is invalid',
      keys.map((key) => ({
        path: `query.${key}`,
        message: `${key} is not a parameter of this route, which takes none`,
      })),
    );
  }
  return readDto(name, values, 'query.', 'The query string is invalid');
}

async function readDto<N extends AdminDtoName>(
  name: N,
  data: object,
  prefix: string,
  summary: string,
): Promise<AdminDto<N>> {
  const type = adminDtos()[name];
  const known = shapeOf(type).properties.map((property) => property.wireName);
  const unknown = Object.keys(data).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    throw invalid(
      summary,
      unknown.map((key) => ({
        path: `${prefix}${key}`,
        message: `${key} is not a field of ${type.name}; its fields are ${known.join(', ')}`,
      })),
    );
  }
  const instance = instanceFromPlain(type as new () => AdminDto<N>, data);
  const problems = flatten(await validate(instance, { forbidUnknownValues: true }), prefix);
  if (problems.length > 0) throw invalid(summary, problems);
  return instance;
}

function flatten(errors: readonly ValidationError[], prefix: string): FieldProblem[] {
  return errors.flatMap((error) => {
    const path = /^\d+$/.test(error.property)
      ? `${prefix.replace(/\.$/, '')}[${error.property}]`
      : prefix + error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ path, message }));
    return [...own, ...flatten(error.children ?? [], `${path}.`)];
  });
}

function invalid(summary: string, details: readonly FieldProblem[]): WebhookAdminError {
  const listed = details.map((detail) => `${detail.path}: ${detail.message}`).join('; ');
  return new WebhookAdminError('invalid-request', listed === '' ? summary : `${summary}: ${listed}.`, { details });
}
