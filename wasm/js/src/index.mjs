// ESM entry for Node: re-exports the CommonJS entry, so `import` and `require` share one
// WebAssembly instance (and one .wasm file) in a process.
import api from './index.cjs';

export const {
  Webhook,
  WebhookVerificationError,
  ChaveError,
  DocumentError,
  verifySignature,
  sign,
  generateTestHeader,
  generateTestDelivery,
  verifyRequest,
  verifyNfeIoSignature,
  signNfeIo,
  parseChave,
  isValidChave,
  isValidCnpj,
  formatCnpj,
  isValidCpf,
  formatCpf,
  MemoryDedupeStore,
  DuplicateGuard,
  EVENT_NAMES,
  DEFAULT_TOLERANCE_SECONDS,
  SIGNATURE_HEADER,
  ACCOUNT_SIGNATURE_HEADER,
  NFEIO_SIGNATURE_HEADER,
} = api;
