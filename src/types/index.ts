export * from './query';
export * from './variables';
export * from './config';
