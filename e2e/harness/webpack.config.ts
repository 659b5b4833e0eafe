/**
 * Bundles the host page: the real react, @grafana/* (Monaco included), rxjs… that the
 * plugin expects Grafana to provide, plus the fake Grafana services and the panel.
 */
import { join } from 'node:path';
import CopyWebpackPlugin from 'copy-webpack-plugin';
import type { Configuration } from 'webpack';

export const hostWebpackConfig = (repoRoot: string): Configuration => {
  const harness = join(repoRoot, 'e2e', 'harness');
  return {
    // HARNESS_MODE=development gives React's full error messages when debugging the page.
    mode: process.env.HARNESS_MODE === 'development' ? 'development' : 'production',
    context: harness,
    entry: { boot: './page/boot.ts' },
    devtool: false,
    target: 'web',
    output: {
      path: join(harness, 'dist'),
      publicPath: '/harness/',
      filename: '[name].js',
      chunkFilename: '[name].[contenthash].js',
      clean: true,
    },
    // A readable bundle builds in seconds; minifying Monaco and @grafana/ui would take minutes.
    optimization: { minimize: false },
    performance: { hints: false },
    cache: { type: 'filesystem', cacheDirectory: join(repoRoot, 'node_modules', '.cache', 'e2e-harness') },
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
    plugins: [new CopyWebpackPlugin({ patterns: [{ from: join(harness, 'page', 'index.html') }] })],
    stats: 'errors-warnings',
  };
};
