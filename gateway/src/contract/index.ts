/**
 * The wire contract between the gateway and the Grafana plugin. The gateway validates
 * requests against these schemas (and publishes them as OpenAPI); the plugin imports
 * the types, so a change breaks the build on both sides instead of at run time.
 * Runtime imports from here must stay dependency-light: the plugin bundles them.
 */
export * from './errors';
export * from './catalog';
export * from './info';
export * from './query';
export * from './macros';
export * from './stream';
