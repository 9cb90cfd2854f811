import { randomBytes } from 'node:crypto';
import { Controller, Inject, Module, Post, Req, UnauthorizedException } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiProperty, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { WebhookAdmin, WebhookClient } from 'hookspec';
import { accountOf } from './auth';
import type { AuthenticatedRequest } from './auth';

export class PortalLinkOut {
  @ApiProperty({ description: "The portal page, with a token for the caller's account in the fragment." }) url!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
}

/**
 * The one WebhookAdmin of the app, for the management API and for minting portal links. Its key comes
 * from the app's secret store (here PORTAL_SECRET); without one, a random key per start: links then stop
 * working when the app restarts.
 */
@Module({
  providers: [
    {
      provide: WebhookAdmin,
      inject: [WebhookClient],
      useFactory: (client: WebhookClient) =>
        new WebhookAdmin(client, { portalSecret: process.env.PORTAL_SECRET ?? randomBytes(32) }),
    },
  ],
  exports: [WebhookAdmin],
})
export class WebhookAdminProviderModule {}

const PORTAL_TTL_MS = 60 * 60 * 1000;

/**
 * What the shop's settings page calls to send an account to its webhook portal: a link valid for an
 * hour, for the caller's account only, letting it manage endpoints, see their secrets and resend.
 */
@ApiTags('account')
@ApiBearerAuth()
@Controller('portal-links')
export class PortalLinksController {
  constructor(@Inject(WebhookAdmin) private readonly admin: WebhookAdmin) {}

  @Post()
  @ApiCreatedResponse({ type: PortalLinkOut })
  @ApiUnauthorizedResponse({ description: 'No bearer token of an account.' })
  create(@Req() request: AuthenticatedRequest): PortalLinkOut {
    const accountId = accountOf(request);
    if (accountId === undefined) throw new UnauthorizedException('POST /portal-links needs an account’s bearer token.');
    const token = this.admin.portalToken({
      owner: accountId,
      ttlMs: PORTAL_TTL_MS,
      capabilities: ['view', 'manage-endpoints', 'view-secret', 'resend'],
    });
    // Relative to the shop's origin, which the settings page knows; the token never reaches a server log.
    return { url: `/webhooks/portal#token=${token}`, expiresAt: new Date(Date.now() + PORTAL_TTL_MS).toISOString() };
  }
}
