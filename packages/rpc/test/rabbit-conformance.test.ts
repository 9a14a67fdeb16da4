import { deleteQueues, TransportPool } from './rabbit-helpers.js';
import { transportConformance } from './conformance.js';

const pool = new TransportPool();
transportConformance('RabbitMQ', {
  open: () => pool.connect(),
  cleanup: async (topics) => {
    await pool.closeAll();
    await deleteQueues(topics.flatMap((t) => [t, `${t}.s`, `${t}.a`, `${t}.b`, `${t}.c`, `${t}.x`]));
  },
});
