// Unit tests of the widget and the dashboard (state logic and formatting) in happy-dom.
import { defineConfig } from 'vitest/config';
import preact from '@preact/preset-vite';

export default defineConfig({
  plugins: [preact()],
  test: {
    environment: 'happy-dom',
    include: ['widget/src/**/*.test.{js,jsx}', 'dashboard/src/**/*.test.{js,jsx}'],
  },
});
