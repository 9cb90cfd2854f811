import { IsInt, IsString, Min } from 'class-validator';
import { Payload, Webhook } from '../../../lib';

/** The payload of every load-test webhook: the producer (the spec) and the load children share it. */
export class LoadEvent {
  @IsInt() @Min(0) n!: number;
  @IsString() note!: string;
}

/**
 * Twenty webhook names with one payload, so endpoints can subscribe to a share of the traffic with
 * `events`: load.00 … load.19.
 */
export class LoadWebhooks {
  @Webhook('load.00') e00(@Payload(LoadEvent) _event: LoadEvent): void {}
  @Webhook('load.01') e01(@Payload(LoadEvent) _event: LoadEvent): void {}
  @Webhook('load.02') e02(@Payload(LoadEvent) _event: LoadEvent): void {}
  @Webhook('load.03') e03(@Payload(LoadEvent) _event: LoadEvent): void {}
  @Webhook('load.04') e04(@Payload(LoadEvent) _event: LoadEvent): void {}
  @Webhook('load.05') e05(@Payload(LoadEvent) _event: LoadEvent): void {}
  @Webhook('load.06') e06(@Payload(LoadEvent) _event: LoadEvent): void {}
  @Webhook('load.07') e07(@Payload(LoadEvent) _event: LoadEvent): void {}
  @Webhook('load.08') e08(@Payload(LoadEvent) _event: LoadEvent): void {}
  @Webhook('load.09') e09(@Payload(LoadEvent) _event: LoadEvent): void {}
  @Webhook('load.10') e10(@Payload(LoadEvent) _event: LoadEvent): void {}
  @Webhook('load.11') e11(@Payload(LoadEvent) _event: LoadEvent): void {}
  @Webhook('load.12') e12(@Payload(LoadEvent) _event: LoadEvent): void {}
  @Webhook('load.13') e13(@Payload(LoadEvent) _event: LoadEvent): void {}
  @Webhook('load.14') e14(@Payload(LoadEvent) _event: LoadEvent): void {}
  @Webhook('load.15') e15(@Payload(LoadEvent) _event: LoadEvent): void {}
  @Webhook('load.16') e16(@Payload(LoadEvent) _event: LoadEvent): void {}
  @Webhook('load.17') e17(@Payload(LoadEvent) _event: LoadEvent): void {}
  @Webhook('load.18') e18(@Payload(LoadEvent) _event: LoadEvent): void {}
  @Webhook('load.19') e19(@Payload(LoadEvent) _event: LoadEvent): void {}
}

const LOAD_WEBHOOK_COUNT = 20;

/** `load.07` for 7. */
export function loadWebhookName(index: number): string {
  return `load.${String(index % LOAD_WEBHOOK_COUNT).padStart(2, '0')}`;
}

export function loadEvent(n: number, note: string): LoadEvent {
  return Object.assign(new LoadEvent(), { n, note });
}
