import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // RSA key generation in a few tests takes seconds on a 2-core machine.
    testTimeout: 30_000,
  },
});
