export * from './ports';
export * from './appspec';
export * from './state';
export * from './queries';
export * from './observations';
export * from './steps';
export * from './hook';
export * from './verdict-metric';
