[assembly: CollectionBehavior(MaxParallelThreads = AiAgent.EndToEnd.Tests.PlatformLanes.Count)]
