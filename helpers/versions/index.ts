export * from './kubernetes.ts';
export * from './skew.ts';
export * from './supported.ts';
export * from './version.ts';
