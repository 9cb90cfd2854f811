import { IsArray, IsBoolean, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { WebhookProperty } from '../../../decorators';

/** The event-type catalogue's DTO classes; declared on first use, see ./admin-dtos.ts for why. */
export function declareEventTypeDtos() {
  class EventTypeOut {
    @IsString()
    @WebhookProperty({ description: 'The webhook name, as endpoints list it in `events`.' })
    name!: string;

    @IsOptional()
    @IsString()
    summary?: string;

    @IsOptional()
    @IsString()
    description?: string;

    @IsOptional()
    @IsArray()
    @IsString({ each: true })
    tags?: string[];

    @IsOptional()
    @IsBoolean()
    deprecated?: boolean;

    @IsObject()
    @WebhookProperty({ description: 'The JSON Schema 2020-12 of the body as sent, self-contained.' })
    schema!: Record<string, unknown>;

    @IsOptional()
    @IsObject()
    @WebhookProperty({
      description:
        "A body as sent; absent when none could be made (no declared example, and none generated passes the payload's validation).",
    })
    example?: Record<string, unknown>;
  }

  class EventTypeListOut {
    @IsArray()
    @ValidateNested({ each: true })
    @Type(() => EventTypeOut)
    data!: EventTypeOut[];
  }

  return { EventTypeOut, EventTypeListOut };
}
