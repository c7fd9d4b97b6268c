using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// The float GEMM micro-kernels, widest first. <see cref="Gemm"/> picks the widest the CPU runs; tests name one
/// to cover the narrower kernels on a machine that has the wider ones.
/// </summary>
internal enum GemmKernel
{
    /// <summary>AVX-512F, 8×32 tiles of Vector512 (<see cref="Avx512MicroKernel"/>).</summary>
    Avx512,

    /// <summary>
    /// AVX2 + FMA3, 6×16 tiles of Vector256 (<see cref="Avx2MicroKernel"/>); also what a CPU with AVX alone runs, without
    /// fusing (AVX is what 256-bit float arithmetic needs; the name is the class it was written and tuned for).
    /// </summary>
    Avx2,

    /// <summary>Portable Vector128 (SSE, NEON, or software), 6×8 tiles (<see cref="Vector128MicroKernel"/>).</summary>
    Vector128,
}
