#!/usr/bin/env python3
"""Attributes `perf script` samples of the host to parts of a Predict's path, in µs per request.

Usage: perf script -i X.perf | attribute.py MICROS_PER_REQUEST

A sample goes to the first category (in the order below) one of its frames matches, else to 'other:<the leaf's
library>'. SQLite, libc and the runtime are built without frame pointers, so their samples cannot be followed to the
managed caller and land in 'other:'.
"""
import collections
import re
import sys

CATEGORIES = [
    ('monitor.checkpoint', r'MonitoringProcessor::Checkpoint'),
    ('monitor.observe', r'MonitoringProcessor::ObserveRunAsync|ModelMonitor::Observe'),
    ('monitor.handle', r'MonitoringProcessor::HandleAsync|MonitoringProcessor\+<HandleAsync>'),
    ('consumer.read', r'EmbeddedConsumer::ReadAvailable'),
    ('consumer.commit', r'EmbeddedConsumer\+<CommitAsync>'),
    ('consumer.other', r'EmbeddedConsumer|EventHandlerRunner'),
    ('serving.log', r'PredictionLog'),
    ('serving.predict', r'ServingGrpcService::Predict'),
    ('grpc.handler', r'UnaryServerCallHandler|ServerCallHandlerBase'),
    ('kestrel.stream', r'Http2Stream`1::Execute|HttpProtocol\+<ProcessRequests'),
    ('kestrel.connection', r'Http2Connection|Http2FrameWriter|SocketConnection|Pipe'),
    ('threadpool', r'ThreadPoolWorkQueue::Dispatch|WorkerThread|PortableThreadPool|LowLevelLifoSemaphore|sched_yield'),
]
PATTERNS = [(name, re.compile(pattern)) for name, pattern in CATEGORIES]


def main():
    micros = float(sys.argv[1]) if len(sys.argv) > 1 else 100.0
    counts = collections.Counter()
    total = 0
    stack = []

    def flush():
        nonlocal total
        if not stack:
            return
        total += 1
        frames = stack[1:]
        for name, pattern in PATTERNS:
            if any(pattern.search(frame) for frame in frames):
                counts[name] += 1
                return
        leaf = re.search(r'\(([^)]*)\)\s*$', frames[0]) if frames else None
        counts['other:' + (leaf.group(1).split('/')[-1] if leaf else '?')] += 1

    for line in sys.stdin:
        if line.strip():
            stack.append(line.strip())
        else:
            flush()
            stack = []
    flush()
    for name, count in counts.most_common(20):
        print(f"{name:32s} {100 * count / total:6.2f}%  {micros * count / total:6.2f} µs")


if __name__ == '__main__':
    main()
