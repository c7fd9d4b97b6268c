using System.Runtime.CompilerServices;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>The one place a gate kernel's float loop is dispatched over vector widths.</summary>
internal static class LaneLoop
{
    /// <summary>
    /// Runs <paramref name="loop"/> in the widest vectors the CPU accelerates (512, 256, 128 bits), then in each
    /// narrower accelerated width on what the wider left; returns the first lane left for the scalar tail.
    /// </summary>
    /// <remarks>The width checks are JIT-time constants, so only the accelerated widths' calls remain.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int RunWidestFirst<TLoop>(TLoop loop) where TLoop : ILaneLoop, allows ref struct
    {
        int done = 0;
        if (Float512.IsHardwareAccelerated)
            done = loop.Run<Float512>(done);
        if (Float256.IsHardwareAccelerated)
            done = loop.Run<Float256>(done);
        if (Float128.IsHardwareAccelerated)
            done = loop.Run<Float128>(done);
        return done;
    }
}
