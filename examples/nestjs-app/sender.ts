import type { INestApplication } from '@nestjs/common';
import { ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { addWebhooksToDocument } from 'hookspec/nestjs';
import { AppModule } from './app.module';
import { webhooks } from './webhooks';

/** The shop's API, its Swagger document (routes and webhooks) served at /docs and /docs-json. */
export async function createSenderApp(): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  const config = new DocumentBuilder()
    .setTitle('Shop API')
    .setVersion('1.0.0')
    // Webhooks need OpenAPI 3.1; @nestjs/swagger emits 3.0.0 unless told.
    .setOpenAPIVersion('3.1.0')
    .build();
  const document = addWebhooksToDocument(SwaggerModule.createDocument(app, config), [...webhooks]);
  SwaggerModule.setup('docs', app, document);
  return app;
}
