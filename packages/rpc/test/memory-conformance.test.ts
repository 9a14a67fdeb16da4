import { InMemoryBroker, InMemoryTransport } from '../src/index.js';
import { transportConformance } from './conformance.js';

const broker = new InMemoryBroker();
transportConformance('in-memory', {
  open: async () => new InMemoryTransport({ broker }),
  cleanup: async () => undefined,
  dropConnections: (forMs) => broker.dropConnections({ forMs }),
});
