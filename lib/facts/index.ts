/*
 * What the libraries a payload class is written with (class-validator, class-transformer, @nestjs/swagger,
 * and hookspec's own @WebhookProperty) say about its properties, as plain facts. A leaf: both the schema
 * generator (build time) and the sender's payload shaping (run time) read classes through it, so the
 * properties documented and the properties sent are one list.
 */
export { readClassExclusions, readClassProperties } from './class-facts';
export type { ClassExclusions, PropertyFacts, ToPlainTransform } from './class-facts';
export type { ValidationFact } from './validation-fact';
export { API_PROPERTY_RULE } from './api-property-facts';
export type { ApiPropertyMetadata } from './api-property-facts';
