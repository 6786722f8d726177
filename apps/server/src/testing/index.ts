export { type SmtpTestServer, startSmtpTestServer } from './smtp-test-server.js';
export { startTestServer } from './start-test-server.js';
export {
  anonymousCaller,
  createTestServices,
  signedInCaller,
  type TestServices,
  testEnv,
} from './test-services.js';
