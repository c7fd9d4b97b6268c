using System.Runtime;

namespace Microsoft.ML.Lstm.Tests;

/// <summary>What code allocates on the calling thread, for the tests that hold a warm path to allocating nothing.</summary>
internal static class ThreadAllocations
{
    /// <summary>
    /// Bytes <paramref name="action"/> allocates on the calling thread, measured with no collection under way: one started
    /// by another thread retires this thread's allocation buffer, and its unused rest then counts as allocated (a few
    /// hundred bytes at random points: one run in five of <c>SequencePredictorTests</c> alone failed so).
    /// </summary>
    public static long Of(Action action)
    {
        bool noCollections = GC.TryStartNoGCRegion(64L << 20);
        try
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            action();
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        finally
        {
            if (noCollections && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
                GC.EndNoGCRegion();
        }
    }
}
