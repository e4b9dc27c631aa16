/** In-memory adapters for tests, the property test and benchmarks: the same contracts as real storage. */
export { createManualClock, createMemoryAuditLog, type ManualClock } from './memory-audit-log.ts';
export { createMemoryKeyringStore } from './memory-keyring-store.ts';
export { createMemoryPublisher, type MemoryPublisher } from './memory-publisher.ts';
export { createMemoryVault, type MemoryVault } from './memory-vault.ts';
