import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ArrayNotEmpty, IsIn, IsUrl } from 'class-validator';
import { InMemoryEndpointStore } from './endpoint-store';
import type { EndpointView } from './endpoint-store';

const EVENTS = ['new-subscription', 'payment-success', 'stock-changed'];

export class CreateEndpointDto {
  @ApiProperty({ description: 'Where to POST the webhooks.', example: 'https://example.com/webhooks' })
  @IsUrl({ require_protocol: true, require_tld: false, protocols: ['http', 'https'] })
  url!: string;

  @ApiProperty({ description: 'The webhooks this endpoint receives.', enum: EVENTS, isArray: true })
  @ArrayNotEmpty()
  @IsIn(EVENTS, { each: true })
  events!: string[];
}

export class EndpointDto {
  @ApiProperty() id!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ enum: EVENTS, isArray: true }) events!: string[];
  @ApiProperty() enabled!: boolean;
}

export class CreatedEndpointDto extends EndpointDto {
  @ApiProperty({ description: 'The signing secret. Shown once: store it in the receiver’s configuration.' })
  secret!: string;
}

/** The subscribers' side of the API: register an endpoint, list them. */
@ApiTags('webhook endpoints')
@Controller('webhook-endpoints')
export class EndpointsController {
  constructor(private readonly store: InMemoryEndpointStore) {}

  @Post()
  @ApiCreatedResponse({ type: CreatedEndpointDto })
  create(@Body() body: CreateEndpointDto): CreatedEndpointDto {
    return this.store.create(body.url, body.events);
  }

  @Get()
  @ApiOkResponse({ type: EndpointDto, isArray: true })
  list(): EndpointView[] {
    return this.store.list();
  }
}
