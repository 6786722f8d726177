export {
  DOMAIN_ERROR_CODES,
  DomainError,
  type DomainErrorCode,
  isDomainError,
} from './domain-error.js';
export { asPlainJson, isPlainJson } from './plain-json.js';
