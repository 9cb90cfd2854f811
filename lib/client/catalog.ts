import { WebhookClientConfigError, WebhookSendError } from '../errors';
import { checkWebhookClassList, resolveWebhookList } from '../metadata';
import type { WebhookDefinition } from '../metadata';

/** The client's webhooks: by name, and by payload class for `send()`. */
export class WebhookCatalog {
  private readonly byName = new Map<string, WebhookDefinition>();
  private readonly byPayload = new Map<Function, WebhookDefinition[]>();

  constructor(classes: unknown) {
    const list = checkWebhookClassList(
      classes,
      'new WebhookClient({ webhooks })',
      (code, message) => new WebhookClientConfigError(code, message),
    );
    for (const definition of resolveWebhookList(list)) {
      this.byName.set(definition.name, definition);
      this.byPayload.set(definition.payload, [...(this.byPayload.get(definition.payload) ?? []), definition]);
    }
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  get(name: string): WebhookDefinition | undefined {
    return this.byName.get(name);
  }

  /** The webhook that a payload instance is sent as; `event` picks one when its class serves several. */
  resolve(payload: unknown, event: string | undefined): WebhookDefinition {
    if (typeof payload !== 'object' || payload === null) {
      throw new WebhookSendError(
        'unknown-payload',
        `send() takes an instance of a payload class (${this.payloadNames()}), got ${payload === null ? 'null' : typeof payload}.`,
      );
    }
    // The class is read from the prototype: an own `constructor` key (a database row, parsed JSON) names nothing.
    const prototype: unknown = Object.getPrototypeOf(payload);
    if (prototype === null || prototype === Object.prototype) {
      const [example] = [...this.byPayload.keys()].map((type) => type.name);
      throw new WebhookSendError(
        'unknown-payload',
        `send() got a plain object, not an instance of ${this.byPayload.size === 1 ? 'the payload class' : 'one of the payload classes'} ` +
          `(${this.payloadNames()}). Create an instance of the class it stands for, e.g. plainToInstance(${example}, data) or Object.assign(new ${example}(), data).`,
      );
    }
    const cls = (prototype as { constructor: Function }).constructor;
    const candidates = this.byPayload.get(cls);
    if (!candidates) {
      throw new WebhookSendError(
        'unknown-payload',
        `send() got an instance of ${cls.name}, which is not a payload of this client's webhooks (${this.payloadNames()}). ` +
          `Add ${cls.name} (or the catalog class that declares it) to the client's webhooks.`,
      );
    }
    if (event !== undefined) {
      const chosen = candidates.find((definition) => definition.name === event);
      if (!chosen) {
        throw new WebhookSendError(
          'event-mismatch',
          `send(…, { event: '${event}' }): ${cls.name} is the payload of ${candidates.map((d) => `'${d.name}'`).join(', ')}, not of '${event}'.`,
        );
      }
      return chosen;
    }
    if (candidates.length > 1) {
      throw new WebhookSendError(
        'ambiguous-payload',
        `${cls.name} is the payload of several webhooks (${candidates.map((d) => `'${d.name}'`).join(', ')}); ` +
          `say which: client.send(event, { event: '${candidates[0]?.name}' }).`,
      );
    }
    return candidates[0] as WebhookDefinition;
  }

  private payloadNames(): string {
    return [...this.byPayload.keys()].map((cls) => cls.name).join(', ');
  }
}
