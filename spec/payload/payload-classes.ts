import { Exclude, Expose, Transform, Type } from 'class-transformer';
import { IsDate, IsInt, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import { Webhook, WebhookProperty } from 'hookspec';

/** Payload classes for the shaping specs: nesting by each way a class can name another, and free-form values. */

export class Gps {
  @IsString() lat!: string;
}

export class Address {
  @IsString() street!: string;
  @IsOptional() @ValidateNested() @Type(() => Gps) gps?: Gps;
}

export class Tag {
  @IsString() label!: string;
}

/** Named only by TypeScript's design:type (no @Type): the sender still shapes it. */
export class Note {
  @IsString() text!: string;
}

@Webhook('user.updated')
export class UserUpdated {
  @IsString() id!: string;
  @Expose({ name: 'display_name' }) @IsString() name!: string;
  @Exclude() password_hash?: string;
  @Type(() => Date) @IsDate() updated_at!: Date;
  @ValidateNested() @Type(() => Address) address!: Address;
  @ValidateNested({ each: true }) @Type(() => Tag) tags!: Tag[];
  @WebhookProperty({ type: () => [Tag] }) @IsOptional() labels?: Tag[];
  @IsOptional() @ValidateNested() note?: Note;
  @WebhookProperty({ schema: { type: 'object', additionalProperties: { type: 'string' } } })
  @IsOptional()
  @IsObject()
  attributes?: Record<string, string>;
  @WebhookProperty({ schema: {} }) @IsOptional() metadata?: unknown;
  @WebhookProperty({ schema: { type: 'array', items: { type: 'object' } } }) @IsOptional() history?: object[];
  @IsOptional()
  @IsInt()
  @Transform(({ value }: { value?: number }) => (value === undefined ? value : value * 100), { toPlainOnly: true })
  cents?: number;
}

/** A database row as the docs' recipe meets it: the declared columns and more. */
export function userRow(): Record<string, unknown> {
  return {
    id: 'u-1',
    name: 'Ada',
    password_hash: '$2b$12$secret',
    session_token: 'tok-secret',
    updated_at: new Date('2026-03-01T10:00:00.000Z'),
    address: { street: 'Main St 1', gps_secret: '52.1,4.3', gps: { lat: '52.1', precise: '52.100001' } },
    tags: [{ label: 'vip', internal_score: 7 }],
  };
}

export function user(extra: Record<string, unknown> = {}): UserUpdated {
  return Object.assign(new UserUpdated(), userRow(), extra);
}
