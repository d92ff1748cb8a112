export * from './schema';
export * from './parse';
export { PRESETS, PRESET_NAMES, type PresetName } from './presets';
export type { MetricStat, Versioning, MethodSpec } from './metric';
