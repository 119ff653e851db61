/**
 * Builds the admin SPA into apps/admin/dist, which the API serves at `/`. Run from the repository
 * root (`npm run build:admin`); `vite --config apps/admin/vite.config.ts` serves it in development
 * with /api proxied to a local API.
 */
import { fileURLToPath } from 'node:url';

import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  // `source` makes workspace libs (@crossgate/domain) resolve to their TypeScript, as the API's tests do.
  resolve: { conditions: ['source', ...defaultClientConditions] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // react-admin and MUI make one large vendor bundle; it is served from the API and cached, so the
    // default 500 kB warning says nothing useful here.
    chunkSizeWarningLimit: 2500,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
