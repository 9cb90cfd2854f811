export { SchemaGenerator } from './schema-generator';
export type { SchemaGeneratorOptions } from './schema-generator';
export type { SchemaConverter, SchemaConverters, ConverterContext } from './converter';
export type { ValidationFact } from '../facts';
export { defaultConverters } from './default-converters';
