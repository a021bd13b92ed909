// Builds the moderator dashboard, served by the binary at /admin/ with hashed, immutable assets.
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

export default defineConfig({
  base: '/admin/',
  plugins: [preact()],
  build: { outDir: '../dist/admin', emptyOutDir: true, target: 'es2020' },
});
