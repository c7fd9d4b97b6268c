using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// Per-thread packing buffers for <see cref="GemmDriver{TKernel}"/> and <see cref="CompressedGemm"/>: pinned, 64-byte aligned, grown on demand
/// and then reused, so a steady stream of multiplies allocates nothing.
/// </summary>
internal static class GemmScratch
{
    private const int Alignment = 64;

    [ThreadStatic] private static float[]? packedA;
    [ThreadStatic] private static float[]? packedB;
    [ThreadStatic] private static float[]? quantizedA;

    /// <summary>An aligned buffer of at least <paramref name="length"/> floats for packed A blocks.</summary>
    public static unsafe float* ForA(int length) => Rent(ref packedA, length);

    /// <summary>An aligned buffer of at least <paramref name="length"/> floats for packed B blocks.</summary>
    public static unsafe float* ForB(int length) => Rent(ref packedB, length);

    /// <summary>An aligned buffer of at least <paramref name="length"/> floats for an int8 product's rows of A as bytes and their scales (<see cref="Int8Rows"/>).</summary>
    public static unsafe float* ForQuantizedA(int length) => Rent(ref quantizedA, length);

    /// <summary>Allocates a pinned array with room for <paramref name="length"/> floats at a 64-byte boundary.</summary>
    public static float[] AllocateAligned(int length) =>
        GC.AllocateUninitializedArray<float>(length + Alignment / sizeof(float), pinned: true);

    /// <summary>The first 64-byte aligned element of an array made by <see cref="AllocateAligned"/>.</summary>
    public static unsafe float* Align(float[] pinned)
    {
        // The array lives on the pinned object heap, so its address is stable for its lifetime.
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned));
        return (float*)((address + Alignment - 1) & ~(nint)(Alignment - 1));
    }

    private static unsafe float* Rent(ref float[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length + Alignment / sizeof(float))
            buffer = AllocateAligned(length);
        return Align(buffer);
    }
}
