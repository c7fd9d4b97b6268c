using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>A 256-bit vector of 8 floats, wrapping <see cref="Vector256{T}"/> for kernels generic over <see cref="IFloatVector{TSelf}"/>.</summary>
internal readonly unsafe struct Float256(Vector256<float> value) : IWideningVector<Float256>
{
    private readonly Vector256<float> value = value;

    /// <inheritdoc/>
    public static int Count => Vector256<float>.Count;

    /// <inheritdoc/>
    public static bool IsHardwareAccelerated => Vector256.IsHardwareAccelerated;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 Create(float value) => new(Vector256.Create(value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 Load(ReadOnlySpan<float> source, int offset) =>
        new(Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(source), (nuint)offset));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 Load(float* source) => new(Vector256.Load(source));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 Broadcast(float* source) => new(Avx.BroadcastScalarToVector256(source));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(Span<float> destination, int offset) =>
        value.StoreUnsafe(ref MemoryMarshal.GetReference(destination), (nuint)offset);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 FusedMultiplyAdd(Float256 a, Float256 b, Float256 addend) => new(MultiplyAdd.Vector(a.value, b.value, addend.value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 Round(Float256 x) => new(Vector256.Round(x.value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 ScaleByPowerOfTwo(Float256 x, Float256 n) =>
        new((x.value.AsInt32() + Vector256.ShiftLeft(Vector256.ConvertToInt32Native(n.value), 23)).AsSingle());

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 Abs(Float256 x) => new(Vector256.Abs(x.value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 Min(Float256 a, Float256 b) => new(Vector256.MinNative(b.value, a.value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 Max(Float256 a, Float256 b) => new(Vector256.MaxNative(b.value, a.value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 CopySign(Float256 magnitude, Float256 sign) => new(Vector256.CopySign(magnitude.value, sign.value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 LoadWords(uint* source) => new(Vector256.Load(source).AsSingle());

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 LowHalves(Float256 words) => new(Vector256.ShiftLeft(words.value.AsUInt32(), 16).AsSingle()); // vpslld

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 HighHalves(Float256 words) => new((words.value.AsUInt32() & Vector256.Create(0xFFFF0000u)).AsSingle()); // vpand

    /// <summary>Lane-wise sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 operator +(Float256 left, Float256 right) => new(left.value + right.value);

    /// <summary>Lane-wise difference.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 operator -(Float256 left, Float256 right) => new(left.value - right.value);

    /// <summary>Lane-wise product.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 operator *(Float256 left, Float256 right) => new(left.value * right.value);

    /// <summary>Lane-wise quotient.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 operator /(Float256 left, Float256 right) => new(left.value / right.value);

    /// <summary>Lane-wise negation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 operator -(Float256 operand) => new(-operand.value);
}
