/**
 * jsdom (Grafana's packages need `window`) plus Node's own fetch, which jsdom lacks:
 * the live tests talk HTTP to a real gateway.
 */
const { TestEnvironment } = require('jest-environment-jsdom');

class JsdomWithFetch extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    Object.assign(this.global, { fetch, Headers, Request, Response });
  }
}

module.exports = JsdomWithFetch;
