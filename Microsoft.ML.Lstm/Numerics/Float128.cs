using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>A 128-bit vector of 4 floats, wrapping <see cref="Vector128{T}"/> for kernels generic over <see cref="IFloatVector{TSelf}"/>.</summary>
internal readonly unsafe struct Float128(Vector128<float> value) : IWideningVector<Float128>
{
    private readonly Vector128<float> value = value;

    /// <inheritdoc/>
    public static int Count => Vector128<float>.Count;

    /// <inheritdoc/>
    public static bool IsHardwareAccelerated => Vector128.IsHardwareAccelerated;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 Create(float value) => new(Vector128.Create(value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 Load(ReadOnlySpan<float> source, int offset) =>
        new(Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(source), (nuint)offset));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 Load(float* source) => new(Vector128.Load(source));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 Broadcast(float* source) => new(Avx.IsSupported ? Avx.BroadcastScalarToVector128(source) : Vector128.Create(*source));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(Span<float> destination, int offset) =>
        value.StoreUnsafe(ref MemoryMarshal.GetReference(destination), (nuint)offset);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 FusedMultiplyAdd(Float128 a, Float128 b, Float128 addend) => new(MultiplyAdd.Vector(a.value, b.value, addend.value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 Round(Float128 x) => new(Vector128.Round(x.value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 ScaleByPowerOfTwo(Float128 x, Float128 n) =>
        new((x.value.AsInt32() + Vector128.ShiftLeft(Vector128.ConvertToInt32Native(n.value), 23)).AsSingle());

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 Abs(Float128 x) => new(Vector128.Abs(x.value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 Min(Float128 a, Float128 b) => new(Vector128.MinNative(b.value, a.value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 Max(Float128 a, Float128 b) => new(Vector128.MaxNative(b.value, a.value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 CopySign(Float128 magnitude, Float128 sign) => new(Vector128.CopySign(magnitude.value, sign.value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 LoadWords(uint* source) => new(Vector128.Load(source).AsSingle());

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 LowHalves(Float128 words) => new(Vector128.ShiftLeft(words.value.AsUInt32(), 16).AsSingle());

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 HighHalves(Float128 words) => new((words.value.AsUInt32() & Vector128.Create(0xFFFF0000u)).AsSingle());

    /// <summary>Lane-wise sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 operator +(Float128 left, Float128 right) => new(left.value + right.value);

    /// <summary>Lane-wise difference.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 operator -(Float128 left, Float128 right) => new(left.value - right.value);

    /// <summary>Lane-wise product.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 operator *(Float128 left, Float128 right) => new(left.value * right.value);

    /// <summary>Lane-wise quotient.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 operator /(Float128 left, Float128 right) => new(left.value / right.value);

    /// <summary>Lane-wise negation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 operator -(Float128 operand) => new(-operand.value);
}
