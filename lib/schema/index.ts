/*
 * Build time: what lib/facts says about a class → JSON Schema 2020-12, through a table of converters keyed by
 * class-validator's rule names (users may add their own).
 */
export { SchemaGenerator } from './schema-generator';
export type { SchemaGeneratorOptions } from './schema-generator';
export type { SchemaConverter, SchemaConverters, ConverterContext } from './converter';
export type { ValidationFact } from '../facts';
export { defaultConverters } from './default-converters';
