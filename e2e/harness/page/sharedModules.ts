/**
 * The modules Grafana shares with plugins (the externals of create-plugin's webpack
 * config), resolved from the real packages bundled into this page. Loaded lazily so the
 * plugin gets exactly the instances the host uses — one React, one @grafana/runtime with
 * the services set below.
 */
type Loader = () => Promise<unknown>;

export const sharedModules: Record<string, Loader> = {
  react: () => import('react'),
  'react/jsx-runtime': () => import('react/jsx-runtime'),
  'react/jsx-dev-runtime': () => import('react/jsx-dev-runtime'),
  'react-dom': () => import('react-dom'),
  'react-dom/client': () => import('react-dom/client'),
  '@grafana/data': () => import('@grafana/data'),
  '@grafana/data/unstable': () => import('@grafana/data/unstable'),
  '@grafana/ui': () => import('@grafana/ui'),
  '@grafana/ui/unstable': () => import('@grafana/ui/unstable'),
  '@grafana/runtime': () => import('@grafana/runtime'),
  '@grafana/runtime/unstable': () => import('@grafana/runtime/unstable'),
  '@emotion/css': () => import('@emotion/css'),
  '@emotion/react': () => import('@emotion/react'),
  rxjs: () => import('rxjs'),
  'rxjs/operators': () => import('rxjs/operators'),
  lodash: () => import('lodash'),
  moment: () => import('moment'),
  i18next: () => import('i18next'),
  redux: () => import('redux'),
  'react-redux': () => import('react-redux'),
  'react-router': () => import('react-router'),
  'react-router-dom': () => import('react-router-dom'),
  jquery: () => import('jquery'),
  prismjs: () => import('prismjs'),
  slate: () => import('slate'),
  'slate-plain-serializer': () => import('slate-plain-serializer'),
};
