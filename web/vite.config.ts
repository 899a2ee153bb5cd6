import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `vite build web` -> dist/web, served by `unirec serve` under /dashboard/.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/dashboard/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // React + Chart.js in one bundle is ~450 kB minified (~140 kB gzipped): fine for an admin page.
    chunkSizeWarningLimit: 700,
  },
});
