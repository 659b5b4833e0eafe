/**
 * Bundles the host page for one runtime: the real react, @grafana/* (Monaco included),
 * rxjs… that the plugin expects Grafana to provide, taken from that runtime's package
 * folder, plus the fake Grafana services and the panel.
 */
import { join } from 'node:path';
import CopyWebpackPlugin from 'copy-webpack-plugin';
import { DefinePlugin, type Configuration } from 'webpack';

import type { HarnessRuntime, RuntimeVersions } from './runtimes';

export const hostWebpackConfig = (
  repoRoot: string,
  runtime: HarnessRuntime,
  versions: RuntimeVersions
): Configuration => {
  const harness = join(repoRoot, 'e2e', 'harness');
  // HARNESS_MODE=development gives React's full error messages when debugging the page.
  const mode = process.env.HARNESS_MODE === 'development' ? 'development' : 'production';
  return {
    mode,
    context: harness,
    entry: { boot: './page/boot.ts' },
    devtool: false,
    target: 'web',
    output: {
      path: runtime.hostDir,
      publicPath: '/harness/',
      filename: '[name].js',
      chunkFilename: '[name].[contenthash].js',
      clean: true,
    },
    // A readable bundle builds in seconds; minifying Monaco and @grafana/ui would take minutes.
    optimization: { minimize: false },
    performance: { hints: false },
    cache: {
      type: 'filesystem',
      name: `${runtime.name}-${mode}`,
      cacheDirectory: join(repoRoot, 'node_modules', '.cache', 'e2e-harness'),
    },
    resolve: { extensions: ['.tsx', '.ts', '.mjs', '.js', '.json'] },
    module: {
      rules: [
        // Grafana's packages import extensionless paths (e.g. ol/format/WKT) from ESM files.
        { test: /\.m?js$/, resolve: { fullySpecified: false } },
        // …and default-import CommonJS modules that set __esModule (react-custom-scrollbars-2):
        // strict .mjs interop would hand them the whole exports object instead of `default`.
        { test: /\.mjs$/, include: /node_modules/, type: 'javascript/auto' },
        {
          test: /\.tsx?$/,
          exclude: /node_modules/,
          // The page's own imports (react, @grafana/ui…) come from the runtime's folder first;
          // the packages found there then resolve their own dependencies beside them.
          resolve: { modules: [runtime.modulesDir, 'node_modules'] },
          use: {
            loader: 'swc-loader',
            options: {
              jsc: {
                target: 'es2020',
                parser: { syntax: 'typescript', tsx: true },
                transform: { react: { runtime: 'automatic' } },
              },
            },
          },
        },
        { test: /\.css$/, use: ['style-loader', 'css-loader'] },
        { test: /\.(woff2?|ttf|eot|svg|png)$/, type: 'asset/resource' },
      ],
    },
    plugins: [
      new CopyWebpackPlugin({ patterns: [{ from: join(harness, 'page', 'index.html') }] }),
      new DefinePlugin({ __HARNESS_RUNTIME__: JSON.stringify({ name: runtime.name, ...versions }) }),
    ],
    stats: 'errors-warnings',
  };
};
