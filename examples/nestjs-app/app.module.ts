import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { MemoryEndpointStore, WebhookAdmin } from 'hookspec';
import { HookspecAdminModule, HookspecModule } from 'hookspec/nestjs';
import { accountOf, BearerAuthGuard } from './auth';
import { PaymentsController, PaymentsService } from './payments';
import { PortalLinksController, WebhookAdminProviderModule } from './portal';
import { webhooks } from './webhooks';

/** The shop's own routes: captured payments, each told to its account's endpoints; portal links. */
@Module({
  imports: [WebhookAdminProviderModule],
  controllers: [PaymentsController, PortalLinksController],
  providers: [PaymentsService],
})
export class ShopModule {}

@Module({
  imports: [
    HookspecModule.forRoot({
      webhooks,
      // The subscribers' endpoints, each with its owner: memory for the demo (SqliteEndpointStore keeps them).
      endpoints: new MemoryEndpointStore(),
      // The example delivers to a receiver on this machine; the SSRF guard refuses loopback otherwise.
      allowNetworks: ['127.0.0.0/8'],
      isGlobal: true,
    }),
    ShopModule,
    // The management API at /webhooks: each account manages its own endpoints and reads its own messages,
    // through the API or in the portal page at /webhooks/portal (opened with a link from POST /portal-links).
    HookspecAdminModule.registerAsync({
      path: 'webhooks',
      imports: [WebhookAdminProviderModule],
      inject: [WebhookAdmin],
      useFactory: (admin: WebhookAdmin) => ({
        admin,
        // The owner is the account BearerAuthGuard found; undefined (no or an unknown token) answers 401.
        authorize: (req) => accountOf(req),
        // A portal token (Bearer hsp_…) acts for its account, with the capabilities it was minted with.
        portal: true,
      }),
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: BearerAuthGuard }],
})
export class AppModule {}
