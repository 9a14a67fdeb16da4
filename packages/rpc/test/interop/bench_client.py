"""The Python side of scripts/bench-rpc.mjs: oslo.messaging calls, measured the way the TS side is measured.

usage: bench_client.py EXCHANGE TOPIC CALLS CONCURRENCY WARMUP MAX_SECONDS
Calls `echo` on TOPIC from CONCURRENCY threads until CALLS calls (after WARMUP unmeasured ones) or
MAX_SECONDS have passed; prints {"calls", "seconds", "latencies_ms": [...]} as one JSON line.
"""
import sys
import threading
import time

import oslo_messaging

import interop_common as common


def main():
    exchange, topic = sys.argv[1:3]
    calls, concurrency, warmup = (int(v) for v in sys.argv[3:6])
    max_seconds = float(sys.argv[6])
    transport = common.make_transport(exchange)
    client = oslo_messaging.get_rpc_client(transport, oslo_messaging.Target(topic=topic), timeout=30)
    payload = {'value': {'id': 42, 'name': 'bench', 'tags': ['a', 'b']}}
    for _ in range(warmup):
        client.call({}, 'echo', **payload)

    lock = threading.Lock()
    latencies = []
    remaining = [calls]
    deadline = time.monotonic() + max_seconds

    def worker():
        while True:
            with lock:
                if remaining[0] <= 0 or time.monotonic() > deadline:
                    return
                remaining[0] -= 1
            started = time.perf_counter()
            client.call({}, 'echo', **payload)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    common.emit({'calls': len(latencies), 'seconds': seconds, 'latencies_ms': latencies})
    transport.cleanup()


if __name__ == '__main__':
    main()
