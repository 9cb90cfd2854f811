import type { INestApplication } from '@nestjs/common';
import { ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { OpenAPIObject as NestOpenApiObject } from '@nestjs/swagger';
import { buildAdminOpenApi } from 'hookspec';
import { addWebhooksToDocument } from 'hookspec/nestjs';
import type { OpenAPIObject } from 'openapi3-ts/oas31';
import { AppModule, ShopModule } from './app.module';
import { webhooks } from './webhooks';

/**
 * The shop's API and its Swagger document, served at /docs and /docs-json: the shop's routes, the
 * management API under /webhooks and the webhooks it sends, one OpenAPI 3.1 document.
 */
export async function createSenderApp(): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  const config = new DocumentBuilder()
    .setTitle('Shop API')
    .setVersion('1.0.0')
    // Webhooks need OpenAPI 3.1; @nestjs/swagger emits 3.0.0 unless told.
    .setOpenAPIVersion('3.1.0')
    .addBearerAuth()
    .build();
  // Only the shop's own controllers: the management API's catch-all controller is documented, route by
  // route, by buildAdminOpenApi from the table that serves it.
  const routes = SwaggerModule.createDocument(app, config, { include: [ShopModule] }) as unknown as OpenAPIObject;
  const withAdmin = buildAdminOpenApi({ basePath: '/webhooks', document: routes, security: [{ bearer: [] }] });
  const document = addWebhooksToDocument(withAdmin, [...webhooks]);
  SwaggerModule.setup('docs', app, document as unknown as NestOpenApiObject);
  return app;
}
