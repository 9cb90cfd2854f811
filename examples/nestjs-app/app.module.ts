import { Module } from '@nestjs/common';
import { HookspecModule } from 'hookspec/nestjs';
import { InMemoryEndpointStore } from './endpoint-store';
import { EndpointsController } from './endpoints.controller';
import { PaymentsController, PaymentsService } from './payments';
import { webhooks } from './webhooks';

/** The endpoint store, shared by the management routes and the client. */
@Module({ providers: [InMemoryEndpointStore], exports: [InMemoryEndpointStore] })
export class EndpointStoreModule {}

@Module({
  imports: [
    EndpointStoreModule,
    HookspecModule.forRootAsync({
      imports: [EndpointStoreModule],
      inject: [InMemoryEndpointStore],
      useFactory: (store: InMemoryEndpointStore) => ({
        webhooks,
        endpoints: store,
        // The example delivers to a receiver on this machine; the SSRF guard refuses loopback otherwise.
        allowNetworks: ['127.0.0.0/8'],
      }),
    }),
  ],
  controllers: [PaymentsController, EndpointsController],
  providers: [PaymentsService],
})
export class AppModule {}
