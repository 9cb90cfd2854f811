import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { Type } from 'class-transformer';
import type { RedeliverSkipReason } from '../../../client';
import { WebhookProperty, WEBHOOK_NAME_PATTERN } from '../../../decorators';
import type { DeliveryState } from '../../../delivery';
import { IsDateTime } from './wire-validators';

/** Every `DeliveryState`, as a record so that a state added to the union but not here fails to compile. */
export const DELIVERY_STATES = Object.keys({
  pending: true,
  failing: true,
  delivered: true,
  exhausted: true,
  disabled: true,
  cancelled: true,
} satisfies Record<DeliveryState, true>) as DeliveryState[];

const SKIP_REASONS = Object.keys({
  pending: true,
  delivered: true,
  'payload-erased': true,
  'endpoint-disabled': true,
  'endpoint-deleted': true,
} satisfies Record<RedeliverSkipReason, true>) as RedeliverSkipReason[];

/** The message routes' DTO classes; declared on first use, see ./admin-dtos.ts for why. */
export function declareMessageDtos() {
  class MessageListQuery {
    @IsOptional()
    @IsString()
    @Matches(WEBHOOK_NAME_PATTERN)
    @WebhookProperty({ description: 'Only messages of this event type.' })
    event?: string;

    @IsOptional()
    @IsIn(DELIVERY_STATES)
    @WebhookProperty({ description: 'Only messages with a delivery (to `endpointId`, when given) in this state.' })
    status?: DeliveryState;

    @IsOptional()
    @IsString()
    @WebhookProperty({ description: 'Only messages with a delivery to this endpoint.' })
    endpointId?: string;

    @IsOptional()
    @IsDateTime()
    @WebhookProperty({ description: 'Messages created at or after this time.' })
    since?: string;

    @IsOptional()
    @IsDateTime()
    @WebhookProperty({ description: 'Messages created before this time.' })
    until?: string;

    @IsOptional()
    @Type(() => Number)
    @IsInt()
    @Min(1)
    @Max(250)
    @WebhookProperty({ description: 'Page size. Default: 50.' })
    limit?: number;

    @IsOptional()
    @IsString()
    @WebhookProperty({ description: 'The `nextCursor` of the previous page, with the same filters.' })
    cursor?: string;
  }

  class ResendIn {
    @IsOptional()
    @IsString()
    @WebhookProperty({ description: 'Resend to this endpoint only. Default: every endpoint of the message.' })
    endpointId?: string;
  }

  class AttemptOut {
    @IsInt()
    @Min(1)
    @WebhookProperty({ description: "1-based, over the delivery's whole life." })
    attempt!: number;

    @IsDateTime()
    startedAt!: string;

    @IsNumber()
    @Min(0)
    durationMs!: number;

    @IsOptional()
    @IsInt()
    @WebhookProperty({ description: 'The HTTP status, when a response came.' })
    status?: number;

    @IsOptional()
    @IsString()
    @WebhookProperty({ description: 'Why no usable response came: `timeout`, `connection-refused`, `ssrf-blocked`, …' })
    errorCode?: string;

    @IsOptional()
    @IsString()
    error?: string;

    @IsOptional()
    @IsString()
    @WebhookProperty({ description: 'The first 20 kB of the response body.' })
    response?: string;

    @IsOptional()
    @IsBoolean()
    responseTruncated?: boolean;
  }

  class DeliveryOut {
    @IsString()
    endpointId!: string;

    @IsString()
    @WebhookProperty({ description: "The endpoint's URL without user info or query string." })
    url!: string;

    @IsIn(DELIVERY_STATES)
    @WebhookProperty({
      description:
        '`pending` (not attempted yet), `failing` (its last attempt failed; it will be retried), `delivered`, ' +
        '`exhausted` (every retry failed), `disabled` (its endpoint is disabled), `cancelled` (its payload was erased).',
    })
    state!: DeliveryState;

    @IsOptional()
    @IsDateTime()
    @WebhookProperty({ description: 'When the next attempt is due, while pending or failing.' })
    nextAttemptAt?: string;

    @IsArray()
    @ValidateNested({ each: true })
    @Type(() => AttemptOut)
    attempts!: AttemptOut[];
  }

  class MessageOut {
    @IsString()
    @WebhookProperty({ description: 'The `webhook-id`: the same on every attempt.' })
    id!: string;

    @IsString()
    event!: string;

    @IsOptional()
    @IsString()
    owner?: string;

    @IsDateTime()
    createdAt!: string;

    @WebhookProperty({
      schema: { type: 'object' },
      nullable: true,
      description: 'The body as sent, parsed; `null` once the payload was erased.',
    })
    payload!: Record<string, unknown> | null;

    @IsOptional()
    @IsDateTime()
    erasedAt?: string;

    @IsArray()
    @ValidateNested({ each: true })
    @Type(() => DeliveryOut)
    deliveries!: DeliveryOut[];
  }

  class MessageListOut {
    @IsArray()
    @ValidateNested({ each: true })
    @Type(() => MessageOut)
    data!: MessageOut[];

    @IsOptional()
    @IsString()
    @WebhookProperty({ description: 'Pass it as `cursor` for the next page; absent on the last page.' })
    nextCursor?: string;
  }

  class ResendSkipOut {
    @IsString()
    endpointId!: string;

    @IsIn(SKIP_REASONS)
    reason!: RedeliverSkipReason;
  }

  class ResendOut {
    @IsInt()
    @Min(0)
    @WebhookProperty({ description: 'How many deliveries start again.' })
    restarted!: number;

    @IsArray()
    @ValidateNested({ each: true })
    @Type(() => ResendSkipOut)
    @WebhookProperty({ description: 'The deliveries left as they were, and why.' })
    skipped!: ResendSkipOut[];
  }

  return { MessageListQuery, ResendIn, AttemptOut, DeliveryOut, MessageOut, MessageListOut, ResendSkipOut, ResendOut };
}
