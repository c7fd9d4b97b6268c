using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>A 512-bit vector of 16 floats, wrapping <see cref="Vector512{T}"/> for kernels generic over <see cref="IFloatVector{TSelf}"/>.</summary>
internal readonly unsafe struct Float512(Vector512<float> value) : IWideningVector<Float512>
{
    private readonly Vector512<float> value = value;

    /// <inheritdoc/>
    public static int Count => Vector512<float>.Count;

    /// <inheritdoc/>
    public static bool IsHardwareAccelerated => Vector512.IsHardwareAccelerated;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 Create(float value) => new(Vector512.Create(value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 Load(ReadOnlySpan<float> source, int offset) =>
        new(Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(source), (nuint)offset));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Float512 Load(float* source) => new(Vector512.Load(source));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Float512 Broadcast(float* source) => new(Vector512.Create(*source));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(Span<float> destination, int offset) =>
        value.StoreUnsafe(ref MemoryMarshal.GetReference(destination), (nuint)offset);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 FusedMultiplyAdd(Float512 a, Float512 b, Float512 addend) => new(Vector512.FusedMultiplyAdd(a.value, b.value, addend.value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 Round(Float512 x) => new(Vector512.Round(x.value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 ScaleByPowerOfTwo(Float512 x, Float512 n) =>
        new((x.value.AsInt32() + Vector512.ShiftLeft(Vector512.ConvertToInt32Native(n.value), 23)).AsSingle());

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 Abs(Float512 x) => new(Vector512.Abs(x.value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 Min(Float512 a, Float512 b) => new(Vector512.MinNative(b.value, a.value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 Max(Float512 a, Float512 b) => new(Vector512.MaxNative(b.value, a.value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 CopySign(Float512 magnitude, Float512 sign) => new(Vector512.CopySign(magnitude.value, sign.value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 LoadWords(uint* source) => new(Vector512.Load(source).AsSingle());

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 LowHalves(Float512 words) => new(Vector512.ShiftLeft(words.value.AsUInt32(), 16).AsSingle()); // vpslld

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 HighHalves(Float512 words) => new((words.value.AsUInt32() & Vector512.Create(0xFFFF0000u)).AsSingle()); // vpandd

    /// <summary>Lane-wise sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 operator +(Float512 left, Float512 right) => new(left.value + right.value);

    /// <summary>Lane-wise difference.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 operator -(Float512 left, Float512 right) => new(left.value - right.value);

    /// <summary>Lane-wise product.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 operator *(Float512 left, Float512 right) => new(left.value * right.value);

    /// <summary>Lane-wise quotient.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 operator /(Float512 left, Float512 right) => new(left.value / right.value);

    /// <summary>Lane-wise negation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 operator -(Float512 operand) => new(-operand.value);
}
