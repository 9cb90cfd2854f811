import type { WebhookClientEvents } from './client-events';

/** The client's own events other than `error`, which only `report` emits. */
export type SettlementEventName = Exclude<keyof WebhookClientEvents, 'error'>;

/** How the parts of a client tell its users what happened, without being the EventEmitter themselves. */
export interface ClientSignals {
  /** Emits an event; a listener that throws is reported, never thrown into the delivery path. */
  emit<K extends SettlementEventName>(name: K, ...args: WebhookClientEvents[K]): void;
  /** Logs a failure that is not fatal and emits it as an `error` event when someone listens. */
  report(error: unknown, what: string): void;
  /** Whether anyone listens to `attempt` or `delivered`, the events of every successful delivery. */
  hasDeliveryListeners(): boolean;
  /** Whether anyone listens to this event: an event nobody hears is not built (it is on every attempt's path). */
  listens(name: SettlementEventName): boolean;
}
