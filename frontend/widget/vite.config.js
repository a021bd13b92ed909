// Builds embed.js: the whole widget as one classic script (IIFE), so a host page needs only
// one <script> tag and no module support, with its CSS inlined into the bundle for the Shadow DOM.
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

export default defineConfig({
  plugins: [preact()],
  build: {
    outDir: '../dist',
    emptyOutDir: false,
    target: 'es2020',
    lib: { entry: 'src/embed.jsx', name: 'Parley', formats: ['iife'], fileName: () => 'embed.js' },
  },
});
