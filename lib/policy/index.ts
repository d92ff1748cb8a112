export * from './schema';
export * from './parse';
export { UnreadableFileError, readTextFile } from './documents';
export { PRESET_NAMES, PRESET_PARAMETERS, expandPreset, type PresetName } from './presets';
export type { MetricStat, MetricExpression, MetricSourceSpec, Versioning, MethodSpec } from './metric';
export { isMetricExpression } from './metric';
export { resolvePrices, catalogPrices, priceOverrideSchema, CATALOG_PACKAGE, CATALOG_VERSION, CATALOG_RELEASED_ON, type PriceOverride, type ResolvedPrices, type TokenPrices } from './prices';
export { secretReferencesOf, secretReferenceKey, type SecretReference } from './smoke-rules';
