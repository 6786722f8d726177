import { loadEnvFile } from './load-env-file.js';

/**
 * Importing this module applies the repository's `.env` to `process.env` (real environment
 * variables win). Every entry point imports it first, before anything reads the environment:
 *
 * @example
 * import '@stepwise/db/env-file';
 */
loadEnvFile();
