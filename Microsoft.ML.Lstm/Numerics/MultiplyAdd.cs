using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// a·b + c for the portable paths (Vector128, and Vector256 gate kernels): one fused multiply-add where the CPU has
/// the instruction (x86 FMA3, every ARM64), else a multiply and an add, rounded twice.
/// </summary>
/// <remarks>
/// .NET's fused forms are exact everywhere: without the instruction (an x86 CPU before Haswell, or AVX2 switched off
/// with <c>DOTNET_EnableAVX2=0</c>, which also takes FMA away) they run in software, about 0.2 GFLOP/s, hundreds of
/// times slower than the multiply and add. So on such a CPU the Vector128 kernels round each step twice, and their
/// results differ in the last bits from an FMA CPU's (still the same bits for any thread count and tuning there).
/// The wider kernels run only where FMA3 is present, so they always fuse.
/// <para>
/// Each method tests <c>Fma.IsSupported || AdvSimd.IsSupported</c> itself rather than through a property: the JIT folds
/// an intrinsic's IsSupported to a constant as it imports the caller, so the arms not taken are never imported. Through a
/// property (an inlined call whose value is not known at import) every arm was imported, the software FusedMultiplyAdd
/// call among them, which takes its vectors by address; the JIT then kept the kernels' vectors of B and broadcasts of A
/// in memory, stored and reloaded at every depth, and the 128-bit GEMM ran at 10–12 GFLOP/s where it runs at 24–32
/// without FMA (Zen 3 with <c>DOTNET_EnableAVX2=0</c> or <c>DOTNET_EnableAVX=0</c>; benchmarks/RESULTS.md, issue #15).
/// </para>
/// </remarks>
internal static class MultiplyAdd
{
    /// <summary>a·b + c per lane, fused where the CPU has the instruction.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Vector(Vector128<float> a, Vector128<float> b, Vector128<float> c) =>
        Fma.IsSupported || AdvSimd.IsSupported ? Vector128.FusedMultiplyAdd(a, b, c) : Sse.IsSupported ? Sse.Add(Sse.Multiply(a, b), c) : a * b + c;

    /// <summary>a·b + c per lane, fused where the CPU has the instruction (256-bit vectors can be accelerated without FMA3: AVX alone).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Vector(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Fma.IsSupported || AdvSimd.IsSupported ? Vector256.FusedMultiplyAdd(a, b, c) : Avx.IsSupported ? Avx.Add(Avx.Multiply(a, b), c) : a * b + c;

    /// <summary>a·b + c, fused where the CPU has the instruction: the scalar edge of a tile, rounded as its kernel rounds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Scalar(float a, float b, float c) => Fma.IsSupported || AdvSimd.IsSupported ? MathF.FusedMultiplyAdd(a, b, c) : a * b + c;
}
