import type { FastifyPluginAsync } from 'fastify';
import { catalogRoutes } from './catalog';
import { dataReadRoutes } from './data-read';
import { dataWriteRoutes } from './data-write';
import { examplesRoutes } from './examples';
import { healthRoutes } from './health';
import { infoRoutes } from './info';
import { ingestRoutes } from '../messaging/ingest/ingest-routes';
import { openapiRoutes } from './openapi';
import { queryRoutes } from './query';
import { streamRoutes } from './stream';
import { valuesRoutes } from './values';
import { relayRoutes } from '../messaging/relay/relay-routes';
import { replicationRoutes } from './replication';

/** The route plugins buildApp registers, in order. Adding a resource is one line here. */
export const routes: FastifyPluginAsync[] = [
  healthRoutes,
  infoRoutes,
  catalogRoutes,
  dataReadRoutes,
  dataWriteRoutes,
  queryRoutes,
  streamRoutes,
  valuesRoutes,
  ingestRoutes,
  relayRoutes,
  replicationRoutes,
  openapiRoutes,
  examplesRoutes,
];
