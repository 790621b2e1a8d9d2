// The servers are shared: queues, topics and consumer groups of one test must not meet another test's workers.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
