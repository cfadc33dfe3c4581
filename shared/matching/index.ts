export * from './score';
export * from './decide';
