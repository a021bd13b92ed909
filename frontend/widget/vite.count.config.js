// Builds count.js: comment counts for the article links of a page, with no framework.
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    outDir: '../dist',
    emptyOutDir: false,
    target: 'es2020',
    lib: { entry: 'src/count.js', name: 'ParleyCount', formats: ['iife'], fileName: () => 'count.js' },
  },
});
