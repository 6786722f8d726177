export { insertSession, insertUser } from './factories.js';
export { insertGoalRow, insertTaskRows, makePlan } from './task-factories.js';
export { type TestDatabase, useTestDatabase } from './test-database.js';
