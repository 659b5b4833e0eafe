import { LIVE_ENV, startGateway, type LiveGateway } from './gatewayProcess';

declare global {
  var __TSGW_LIVE_GATEWAY__: LiveGateway | undefined;
}

/** One gateway for all live test files; workers start after this and inherit the variables. */
export default async function liveGlobalSetup(): Promise<void> {
  const gateway = await startGateway();
  globalThis.__TSGW_LIVE_GATEWAY__ = gateway;
  process.env[LIVE_ENV.url] = gateway.url;
  process.env[LIVE_ENV.token] = gateway.token;
  process.env[LIVE_ENV.readOnlyToken] = gateway.readOnlyToken;
  process.env[LIVE_ENV.writeToken] = gateway.writeToken;
}
