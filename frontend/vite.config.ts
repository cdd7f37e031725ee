/// <reference types="vitest/config" />
import { fileURLToPath, URL } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

// Django owns these paths; in dev the Vite server forwards them to runserver.
const backend = 'http://127.0.0.1:8000'
const proxied = ['/api', '/admin', '/accounts', '/static/admin', '/static/rest_framework']

export default defineConfig(({ command }) => ({
  // Django serves the built assets under /static/app/; the dev server serves the SPA at /app/.
  base: command === 'build' ? '/static/app/' : '/',
  plugins: [react()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  server: {
    port: 5173,
    proxy: Object.fromEntries(proxied.map((path) => [path, { target: backend }])),
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./src/test/setup.ts'],
    css: false,
    restoreMocks: true,
    unstubGlobals: true,
    // A whole editor page in jsdom takes 1-3 s on a quiet 2-core machine; the default 5 s
    // fails such tests whenever the machine is busy, which says nothing about the code.
    testTimeout: 15_000,
  },
}))
