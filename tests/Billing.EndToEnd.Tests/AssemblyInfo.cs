// Each class starts the whole system (six processes, an SMTP server): one class at a time on a small machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
