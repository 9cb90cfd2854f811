import type * as NestCommon from '@nestjs/common' with { 'resolution-mode': 'import' };

// @nestjs/common 12 is published as ES modules only, and this package is CommonJS: a static `import`
// of it would not compile here, so its types come with `resolution-mode` and its values through
// require(), which Node (20.19+, 22.12+) serves from the same module instance the application imports.
// Nest 11 and older are CommonJS, and plain require() gives them too.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nest: typeof NestCommon = require('@nestjs/common');

export const {
  All,
  BadRequestException,
  Controller,
  HttpException,
  Inject,
  Injectable,
  InternalServerErrorException,
  Logger,
  Module,
  Optional,
  Req,
  Res,
  UnauthorizedException,
  UseGuards,
  createParamDecorator,
  mixin,
} = nest;

export type HttpException = NestCommon.HttpException;

export type {
  CanActivate,
  DynamicModule,
  ExecutionContext,
  InjectionToken,
  ModuleMetadata,
  OnApplicationShutdown,
  OptionalFactoryDependency,
  Type,
} from '@nestjs/common' with {
  'resolution-mode': 'import',
};
