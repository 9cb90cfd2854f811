import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import type { OpenAPIObject } from 'openapi3-ts/oas31';
import { parse, stringify } from 'yaml';
import { CliError } from '../errors';
import { buildOpenApi } from '../openapi';
import { loadWebhookClasses } from './load-webhook-modules';
import type { EnvelopeMode } from '../envelope';

export interface DocumentOptions {
  base?: string;
  title?: string;
  version?: string;
  yaml?: boolean;
  /** How the client wraps bodies: `standard` documents the `{ type, timestamp, data }` envelope. */
  envelope?: EnvelopeMode;
}

/** Builds the document of the modules' webhooks and renders it as the exact text that is written. */
export async function renderDocument(
  modules: string[],
  out: string,
  options: DocumentOptions,
  cwd: string,
): Promise<{
  text: string;
  document: OpenAPIObject;
}> {
  const webhooks = await loadWebhookClasses(modules, cwd);
  const info = {
    ...(options.title !== undefined ? { title: options.title } : {}),
    ...(options.version !== undefined ? { version: options.version } : {}),
  };
  const document = buildOpenApi({
    webhooks,
    ...(options.envelope === 'standard' ? { envelope: 'standard' as const } : {}),
    ...(options.base !== undefined ? { document: readBaseDocument(options.base, cwd) } : {}),
    ...(Object.keys(info).length > 0 ? { info: info as { title: string; version: string } } : {}),
  });
  const yaml = options.yaml === true || ['.yaml', '.yml'].includes(extname(out));
  const text = yaml ? stringify(document, { aliasDuplicateObjects: false }) : `${JSON.stringify(document, null, 2)}\n`;
  return { text, document };
}

function readBaseDocument(path: string, cwd: string): OpenAPIObject {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, path), 'utf8');
  } catch (error) {
    throw new CliError('base-unreadable', `cannot read the base document ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let document: unknown;
  try {
    document = ['.yaml', '.yml'].includes(extname(path)) ? parse(text) : JSON.parse(text);
  } catch (error) {
    throw new CliError(
      'base-unreadable',
      `the base document ${path} is not valid ${['.yaml', '.yml'].includes(extname(path)) ? 'YAML' : 'JSON'}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (typeof document !== 'object' || document === null || typeof (document as OpenAPIObject).openapi !== 'string') {
    throw new CliError(
      'base-unreadable',
      `the base document ${path} is not an OpenAPI document (no 'openapi' version field).`,
    );
  }
  return document as OpenAPIObject;
}
