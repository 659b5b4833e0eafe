import { stopGateway } from './gatewayProcess';

export default async function liveGlobalTeardown(): Promise<void> {
  await stopGateway(globalThis.__TSGW_LIVE_GATEWAY__);
  globalThis.__TSGW_LIVE_GATEWAY__ = undefined;
}
