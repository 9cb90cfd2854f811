import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { Transform, Type } from 'class-transformer';
import { WebhookProperty, WEBHOOK_NAME_PATTERN } from '../../../decorators';
import { MAX_SECRET_GRACE_MS } from '../../../endpoints';
import { IsDateTime, IsStringRecord } from './wire-validators';

const MAX_TEXT = 1000;

/** The endpoint routes' DTO classes; declared on first use, see ./admin-dtos.ts for why. */
export function declareEndpointDtos() {
  class EndpointIn {
    @IsString()
    @IsNotEmpty()
    @WebhookProperty({
      format: 'uri',
      description: 'Where to POST the webhooks: an http: or https: URL whose host is a public address.',
    })
    url!: string;

    @IsOptional()
    @IsArray()
    @IsString({ each: true })
    @Matches(WEBHOOK_NAME_PATTERN, { each: true })
    @WebhookProperty({ description: 'The event types it receives (see GET /event-types). Default: all of them.' })
    events?: string[];

    @IsOptional()
    @IsString()
    @MaxLength(MAX_TEXT)
    description?: string;

    @IsOptional()
    @IsStringRecord()
    @WebhookProperty({ description: 'Extra request headers sent with every webhook (not the webhook-* ones).' })
    headers?: Record<string, string>;

    @IsOptional()
    @IsStringRecord()
    @WebhookProperty({ description: 'Your own string keys and values (at most 50 keys).' })
    metadata?: Record<string, string>;

    @IsOptional()
    @IsBoolean()
    @WebhookProperty({ description: 'Default: true.' })
    enabled?: boolean;

    @IsOptional()
    @IsString()
    @Matches(/^whsec_/)
    @WebhookProperty({ description: 'A `whsec_…` secret to start with. Default: a new random one.' })
    secret?: string;
  }

  class EndpointPatchIn {
    @ValidateIf((patch: EndpointPatchIn) => patch.url !== undefined)
    @IsString()
    @IsNotEmpty()
    @WebhookProperty({ format: 'uri', description: 'A new URL, checked as on creation.' })
    url?: string;

    @IsOptional()
    @IsArray()
    @IsString({ each: true })
    @Matches(WEBHOOK_NAME_PATTERN, { each: true })
    @WebhookProperty({ description: '`null`: all event types.' })
    events?: string[] | null;

    @IsOptional()
    @IsString()
    @MaxLength(MAX_TEXT)
    @WebhookProperty({ description: '`null` removes it.' })
    description?: string | null;

    @IsOptional()
    @IsStringRecord()
    @WebhookProperty({ description: 'Replaces all extra headers; `null` removes them.' })
    headers?: Record<string, string> | null;

    @IsOptional()
    @IsStringRecord()
    @WebhookProperty({ description: 'Replaces all metadata; `null` removes it.' })
    metadata?: Record<string, string> | null;
  }

  class DisableEndpointIn {
    @IsOptional()
    @IsString()
    @MaxLength(MAX_TEXT)
    @WebhookProperty({ description: 'Why, for people (shown as `disabledReason`).' })
    reason?: string;
  }

  class RotateSecretIn {
    @IsOptional()
    @IsInt()
    @Min(0)
    @Max(MAX_SECRET_GRACE_MS)
    @WebhookProperty({
      description: 'How long the previous secret keeps signing beside the new one, in milliseconds. Default: 24 hours.',
    })
    graceMs?: number;
  }

  class SendExampleIn {
    @IsString()
    @Matches(WEBHOOK_NAME_PATTERN)
    @WebhookProperty({ description: 'The event type to send.' })
    event!: string;

    @IsOptional()
    @IsObject()
    @WebhookProperty({
      description: "The payload to send, validated as the event type's schema. Default: the event type's example.",
    })
    payload?: Record<string, unknown>;
  }

  class RecoverIn {
    @IsDateTime()
    @WebhookProperty({ description: 'Messages created at or after this time.' })
    since!: string;

    @IsOptional()
    @IsDateTime()
    @WebhookProperty({ description: 'Messages created before this time. Default: now.' })
    until?: string;
  }

  class EndpointListQuery {
    @IsOptional()
    @IsString()
    @Matches(WEBHOOK_NAME_PATTERN)
    @WebhookProperty({ description: 'Only endpoints that receive this event type.' })
    event?: string;

    @IsOptional()
    @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value), {
      toClassOnly: true,
    })
    @IsBoolean()
    @WebhookProperty({ description: 'Only enabled (`true`) or disabled (`false`) endpoints.' })
    enabled?: boolean;

    @IsOptional()
    @Type(() => Number)
    @IsInt()
    @Min(1)
    @Max(250)
    @WebhookProperty({ description: 'Page size. Default: 50.' })
    limit?: number;

    @IsOptional()
    @IsString()
    @WebhookProperty({ description: 'The `nextCursor` of the previous page.' })
    cursor?: string;
  }

  class StatsQuery {
    @IsDateTime()
    @WebhookProperty({ description: 'Messages created at or after this time.' })
    since!: string;

    @IsOptional()
    @IsDateTime()
    @WebhookProperty({ description: 'Messages created before this time. Default: now.' })
    until?: string;
  }

  class EndpointOut {
    @IsString()
    id!: string;

    @IsOptional()
    @IsString()
    @WebhookProperty({ description: 'The owner it belongs to: the one the request was authorized for.' })
    owner?: string;

    @IsString()
    @WebhookProperty({ format: 'uri' })
    url!: string;

    @IsOptional()
    @IsArray()
    @IsString({ each: true })
    @WebhookProperty({ description: 'The event types it receives; absent: all of them.' })
    events?: string[];

    @IsOptional()
    @IsString()
    description?: string;

    @IsOptional()
    @IsStringRecord()
    headers?: Record<string, string>;

    @IsOptional()
    @IsStringRecord()
    metadata?: Record<string, string>;

    @IsBoolean()
    enabled!: boolean;

    @IsOptional()
    @IsString()
    @WebhookProperty({ description: '`gone` (it answered 410), `failing`, or the reason given when it was disabled.' })
    disabledReason?: string;

    @IsDateTime()
    createdAt!: string;

    @IsDateTime()
    updatedAt!: string;
  }

  class EndpointListOut {
    @IsArray()
    @ValidateNested({ each: true })
    @Type(() => EndpointOut)
    data!: EndpointOut[];

    @IsOptional()
    @IsString()
    @WebhookProperty({ description: 'Pass it as `cursor` for the next page; absent on the last page.' })
    nextCursor?: string;
  }

  class EndpointWithSecretOut {
    @ValidateNested()
    @Type(() => EndpointOut)
    endpoint!: EndpointOut;

    @IsString()
    @WebhookProperty({
      description: 'The signing secret (`whsec_…`). Shown only in this answer: store it in the receiving app.',
    })
    secret!: string;
  }

  class EndpointStatsOut {
    @IsString()
    endpointId!: string;

    @IsDateTime()
    since!: string;

    @IsDateTime()
    until!: string;

    @IsInt()
    @Min(0)
    pending!: number;

    @IsInt()
    @Min(0)
    failing!: number;

    @IsInt()
    @Min(0)
    delivered!: number;

    @IsInt()
    @Min(0)
    exhausted!: number;

    @IsInt()
    @Min(0)
    disabled!: number;

    @IsOptional()
    @IsDateTime()
    @WebhookProperty({ description: 'The last successful attempt in the window.' })
    lastSuccessAt?: string;

    @IsOptional()
    @IsDateTime()
    @WebhookProperty({ description: 'The last failed attempt in the window.' })
    lastFailureAt?: string;
  }

  class RecoverOut {
    @IsInt()
    @Min(0)
    @WebhookProperty({ description: 'How many failed or skipped deliveries start again.' })
    recovered!: number;
  }

  class DeliveryTargetOut {
    @IsString()
    endpointId!: string;

    @IsString()
    url!: string;
  }

  class SkippedTargetOut {
    @IsString()
    endpointId!: string;

    @IsString()
    url!: string;

    @IsIn(['endpoint-disabled'])
    reason!: 'endpoint-disabled';
  }

  class SendResultOut {
    @IsString()
    @WebhookProperty({ description: 'The message id (`webhook-id`): GET /messages/{id} shows its deliveries.' })
    id!: string;

    @IsString()
    event!: string;

    @IsOptional()
    @IsString()
    owner?: string;

    @IsArray()
    @ValidateNested({ each: true })
    @Type(() => DeliveryTargetOut)
    deliveries!: DeliveryTargetOut[];

    @IsArray()
    @ValidateNested({ each: true })
    @Type(() => SkippedTargetOut)
    @WebhookProperty({ description: 'The endpoint, when it is disabled: nothing is sent until it is recovered.' })
    skipped!: SkippedTargetOut[];
  }

  return {
    EndpointIn,
    EndpointPatchIn,
    DisableEndpointIn,
    RotateSecretIn,
    SendExampleIn,
    RecoverIn,
    EndpointListQuery,
    StatsQuery,
    EndpointOut,
    EndpointListOut,
    EndpointWithSecretOut,
    EndpointStatsOut,
    RecoverOut,
    DeliveryTargetOut,
    SkippedTargetOut,
    SendResultOut,
  };
}
