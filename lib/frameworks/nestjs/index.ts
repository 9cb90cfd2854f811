/*
 * The `hookspec/nestjs` entry: `HookspecModule` (the client as a provider), `WebhookGuard` with
 * `@WebhookPayload()` (a thin adapter over lib/receiver's core), and `addWebhooksToDocument` for Swagger.
 */
export { WebhookGuard } from './webhook.guard';
export { WebhookPayload, WebhookEventName, WebhookId } from './webhook-payload.decorator';
export type { WebhookPayloadOptions } from './webhook-payload.decorator';
export { WEBHOOK_GUARD_OPTIONS } from './webhook-guard-options';
export type { WebhookGuardOptions } from './webhook-guard-options';
export type { WebhookReceiverOptions } from '../../receiver';
export { HookspecModule } from './hookspec.module';
export { HOOKSPEC_MODULE_OPTIONS } from './hookspec-module-options';
export type { HookspecModuleOptions, HookspecModuleAsyncOptions } from './hookspec-module-options';
export { addWebhooksToDocument } from './add-webhooks-to-document';
export type { AddWebhooksOptions } from './add-webhooks-to-document';
export { HookspecAdminModule } from './admin-module';
export type {
  HookspecAdminModuleOptions,
  HookspecAdminModuleAsyncOptions,
  HookspecAdminOptions,
  HookspecAdminMountOptions,
  NestAdminRequest,
} from './admin-module';
