export { insertSession, insertUser } from './factories.js';
export { type TestDatabase, useTestDatabase } from './test-database.js';
