// Builds embed-extras.js, the widget's parts loaded on demand, as a classic script that puts
// them on globalThis.ParleyExtras. Preact, the context, the i18n, the style sheets and the shared
// helpers are not bundled again: they come from embed.js through globalThis.ParleyRuntime, so both share
// one Preact (hooks need that), one context and one English catalog.
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

const shared = [
  [/^preact$/, 'ParleyRuntime.preact'],
  [/^preact\/hooks$/, 'ParleyRuntime.hooks'],
  [/^preact\/jsx-runtime$/, 'ParleyRuntime.jsx'],
  [/components\/context\.js$/, 'ParleyRuntime.context'],
  [/src\/errors\.js$/, 'ParleyRuntime.errors'],
  [/src\/format\.js$/, 'ParleyRuntime.format'],
  [/src\/i18n\/index\.js$/, 'ParleyRuntime.i18n'],
  [/src\/styles\.js$/, 'ParleyRuntime.styles'],
];
const globalOf = (id) => shared.find(([re]) => re.test(id))?.[1];

export default defineConfig({
  plugins: [preact()],
  build: {
    outDir: '../dist',
    emptyOutDir: false,
    target: 'es2020',
    lib: { entry: 'src/extras.js', name: 'ParleyExtras', formats: ['iife'], fileName: () => 'embed-extras.js' },
    rollupOptions: { external: (id) => !!globalOf(id), output: { globals: globalOf } },
  },
});
