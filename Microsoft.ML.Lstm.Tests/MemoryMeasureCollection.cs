namespace Microsoft.ML.Lstm.Tests;

/// <summary>
/// Tests that measure the process's memory: they run alone, after the parallel tests, so that what they measure is
/// their own.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasureCollection
{
    /// <summary>The collection's name, for <c>[Collection]</c>.</summary>
    public const string Name = "Memory measures";

    /// <summary>Bytes reachable after a full, compacting collection.</summary>
    public static long ReachableBytes()
    {
        for (int i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
