import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isRpcError, RabbitTransport } from '../src/index.js';
import { brokerUrls } from '../src/rabbit/url.js';

test("oslo's rabbit:// transport URLs become amqp URLs, one per host, with the vhost and a heartbeat", () => {
  assert.deepEqual(brokerUrls('rabbit://nova:s%2Fcret@mq1:5672,nova:s%2Fcret@mq2:5673/openstack', 60), [
    'amqp://nova:s%2Fcret@mq1:5672/openstack?heartbeat=60',
    'amqp://nova:s%2Fcret@mq2:5673/openstack?heartbeat=60',
  ]);
  assert.deepEqual(brokerUrls('rabbit://guest:guest@localhost:5671/?ssl=1', 30), ['amqps://guest:guest@localhost:5671/?heartbeat=30']);
  assert.deepEqual(brokerUrls('amqp://u:p@h/?heartbeat=5', 60), ['amqp://u:p@h/?heartbeat=5']);
  assert.deepEqual(brokerUrls('amqp://h', 60), ['amqp://h?heartbeat=60']);
});

test('a URL that is not amqp, amqps or rabbit, or names an empty host, is refused typed without its password', () => {
  for (const bad of ['http://h/', 'rabbit://u:secret@h1,/v', 'not a url', '', 'kafka://u:secret@h']) {
    assert.throws(
      () => brokerUrls(bad, 60),
      (e: unknown) => isRpcError(e, 'invalid_target') && !e.message.includes('secret'),
      bad,
    );
  }
});

test('RabbitTransport.connect accepts a rabbit:// URL and tries its hosts in turn', async () => {
  // The first host refuses connections; the second is the broker.
  const transport = await RabbitTransport.connect({
    url: 'rabbit://guest:guest@127.0.0.1:1,guest:guest@127.0.0.1:5672/',
    onError: () => undefined,
  });
  assert.equal(transport.state, 'up');
  await transport.close();
  assert.equal(transport.state, 'closed');
  await assert.rejects(
    RabbitTransport.connect({ url: 'rabbit://guest:secret@127.0.0.1:1,guest:secret@127.0.0.1:2/', onError: () => undefined }),
    (e: unknown) =>
      isRpcError(e, 'transport') && /127\.0\.0\.1:1/.test(e.message) && /127\.0\.0\.1:2/.test(e.message) && !e.message.includes('secret'),
  );
});
