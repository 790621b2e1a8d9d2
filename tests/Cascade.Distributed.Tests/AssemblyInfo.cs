// Every test here runs the processes of tye.yaml on the same ports and servers: one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
