import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { MemoryEndpointStore, WebhookAdmin, WebhookClient } from 'hookspec';
import { HookspecAdminModule, HookspecModule } from 'hookspec/nestjs';
import { accountOf, BearerAuthGuard } from './auth';
import { PaymentsController, PaymentsService } from './payments';
import { webhooks } from './webhooks';

/** The shop's own routes: captured payments, each told to its account's endpoints. */
@Module({ controllers: [PaymentsController], providers: [PaymentsService] })
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
    // The management API at /webhooks: each account manages its own endpoints and reads its own messages.
    HookspecAdminModule.registerAsync({
      path: 'webhooks',
      inject: [WebhookClient],
      useFactory: (client: WebhookClient) => ({
        admin: new WebhookAdmin(client),
        // The owner is the account BearerAuthGuard found; undefined (no or an unknown token) answers 401.
        authorize: (req) => accountOf(req),
      }),
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: BearerAuthGuard }],
})
export class AppModule {}
