export * from './runtime';
export * from './hook';
export * from './prepare';
export * from './smoke';
export * from './evaluate';
export * from './watch';
export * from './report';
