using Microsoft.ML.Lstm.Numerics;

namespace Microsoft.ML.Lstm.Tests.Numerics;

public class ParallelPartsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void RunsEveryPartOnceBeforeReturning(int parts)
    {
        for (int section = 0; section < 200; section++)
        {
            var runs = new int[parts];
            ParallelParts.Run(parts, part => Interlocked.Increment(ref runs[part]));
            Assert.All(runs, count => Assert.Equal(1, count));
        }
    }

    [Fact]
    public void UsesAnotherThreadWhenThePartsTakeAWhile()
    {
        // Part 0 waits (bounded) for part 1 to start: with a worker awake both run at once; if no worker ever
        // joined, the caller would run part 1 only after part 0 gave up.
        // Other tests run sections at the same time (a section that finds the workers busy runs alone), so this
        // tries up to 100 sections and needs one that overlapped.
        int together = 0;
        for (int section = 0; section < 100 && together == 0; section++)
        {
            int started = 0;
            bool overlapped = false;
            ParallelParts.Run(2, part =>
            {
                Interlocked.Increment(ref started);
                var clock = System.Diagnostics.Stopwatch.StartNew();
                while (Volatile.Read(ref started) < 2 && clock.ElapsedMilliseconds < 50)
                    Thread.SpinWait(10);
                if (Volatile.Read(ref started) == 2 && part == 0)
                    overlapped = true;
            });
            if (overlapped)
                together++;
        }
        Assert.True(together > 0, "no section ever ran its two parts at the same time");
    }

    [Fact]
    public void AnExceptionInAPartReachesTheCallerAsItself()
    {
        var error = Assert.Throws<InvalidOperationException>(() => ParallelParts.Run(4, part =>
        {
            if (part == 2)
                throw new InvalidOperationException("part 2 failed");
        }));
        Assert.Equal("part 2 failed", error.Message);

        // The next section runs normally.
        int count = 0;
        ParallelParts.Run(3, _ => Interlocked.Increment(ref count));
        Assert.Equal(3, count);
    }

    [Fact]
    public void NestedAndConcurrentSectionsStillRunEveryPart()
    {
        int inner = 0;
        ParallelParts.Run(2, _ => ParallelParts.Run(3, _ => Interlocked.Increment(ref inner)));
        Assert.Equal(6, inner);

        int total = 0;
        Parallel.For(0, 4, _ =>
        {
            for (int section = 0; section < 50; section++)
                ParallelParts.Run(2, _ => Interlocked.Increment(ref total));
        });
        Assert.Equal(4 * 50 * 2, total);
    }
}
