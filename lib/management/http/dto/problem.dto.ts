import { IsArray, IsInt, IsOptional, IsString, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { WebhookProperty } from '../../../decorators';

/** The error body's DTO classes; declared on first use, see ./admin-dtos.ts for why. */
export function declareProblemDtos() {
  class ProblemFieldOut {
    @IsString()
    @WebhookProperty({ description: 'Where in the request: `url`, `events[1]`, `query.limit`.' })
    path!: string;

    @IsString()
    message!: string;
  }

  /** RFC 9457 problem details, as `application/problem+json`. */
  class ProblemOut {
    @IsString()
    @WebhookProperty({
      format: 'uri-reference',
      description: 'Always `about:blank`: the problem is what the HTTP status says; `code` tells problems apart.',
    })
    type!: string;

    @IsString()
    @WebhookProperty({ description: "The HTTP status's reason phrase." })
    title!: string;

    @IsInt()
    status!: number;

    @IsString()
    @WebhookProperty({ description: 'What was wrong, for people.' })
    detail!: string;

    @IsString()
    @WebhookProperty({
      description: 'A stable, machine-readable reason: `invalid-request`, `unknown-endpoint`, `ssrf-blocked`, …',
    })
    code!: string;

    @IsOptional()
    @IsArray()
    @ValidateNested({ each: true })
    @Type(() => ProblemFieldOut)
    @WebhookProperty({ description: 'Each invalid field of the request (`invalid-request`).' })
    errors?: ProblemFieldOut[];
  }

  return { ProblemFieldOut, ProblemOut };
}
