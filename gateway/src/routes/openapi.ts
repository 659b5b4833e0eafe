import type { FastifyPluginAsync } from 'fastify';

/** The OpenAPI document @fastify/swagger builds from the route schemas. */
export const openapiRoutes: FastifyPluginAsync = async (app) => {
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
};
