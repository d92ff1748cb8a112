export * from './scenario';
export * from './generate';
export * from './sim-metric-source';
export { Random, mulberry32, streamSeed, normalCdf, type UniformSource } from './random';
