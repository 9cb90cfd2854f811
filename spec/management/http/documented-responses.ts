import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { buildAdminOpenApi } from 'hookspec';
import type { OpenAPIObject, OperationObject, ResponseObject } from 'openapi3-ts/oas31';
import { expect } from 'vitest';
import { BASE } from './admin-servers';
import type { Reply } from './admin-servers';

/**
 * Checks real answers of the running API against what buildAdminOpenApi documents for them: the status
 * must be one the operation lists, with the content type it lists, and the body must validate (Ajv, JSON
 * Schema 2020-12, strict, formats checked) against the documented schema.
 */
export class DocumentedResponses {
  readonly document: OpenAPIObject = buildAdminOpenApi({ basePath: BASE });
  /** Every `METHOD path-template status` checked so far, to show what the run covered. */
  readonly checked = new Set<string>();
  private readonly ajv = new Ajv2020({ strict: true, allErrors: true });

  constructor() {
    addFormats(this.ajv);
    // The document's components, as one schema resource: their `#/components/schemas/…` refs resolve in it.
    this.ajv.addKeyword({ keyword: 'components' });
    this.ajv.addSchema({ $id: 'admin', components: this.document.components }, 'admin');
  }

  /** Asserts that `reply` is what the document says `method path` answers with its status. */
  check(method: string, path: string, reply: Reply): void {
    const [template, operation] = this.operationOf(method, BASE + (path.split('?')[0] as string));
    const key = `${method} ${template} ${reply.status}`;
    const response = operation.responses?.[String(reply.status)] as ResponseObject | undefined;
    expect(response, `${key} is not documented`).toBeDefined();
    const media = Object.entries(response?.content ?? {});
    if (media.length === 0) {
      expect(reply.text, `${key} is documented without a body`).toBe('');
    } else {
      const [type, { schema }] = media[0] as [string, { schema: { $ref: string } }];
      expect(reply.headers.get('content-type')?.split(';')[0]).toBe(type);
      const validate = this.ajv.getSchema(`admin${schema.$ref}`);
      if (validate === undefined) throw new Error(`no schema ${schema.$ref}`);
      expect(validate(reply.json) ? [] : validate.errors, `${key}: ${reply.text.slice(0, 300)}`).toEqual([]);
    }
    this.checked.add(key);
  }

  /** Whether the document has an operation for `method path` (relative to the API's base path). */
  documents(method: string, path: string): boolean {
    return this.find(method, BASE + (path.split('?')[0] as string)) !== undefined;
  }

  private operationOf(method: string, path: string): [string, OperationObject] {
    const found = this.find(method, path);
    if (found === undefined) throw new Error(`${method} ${path} is not in the document`);
    return found;
  }

  private find(method: string, path: string): [string, OperationObject] | undefined {
    for (const [template, item] of Object.entries(this.document.paths ?? {})) {
      const pattern = new RegExp(`^${template.replace('{id}', '[^/]+')}$`);
      const operation = (item as Record<string, OperationObject | undefined>)[method.toLowerCase()];
      if (pattern.test(path) && operation !== undefined) return [template, operation];
    }
    return undefined;
  }
}
