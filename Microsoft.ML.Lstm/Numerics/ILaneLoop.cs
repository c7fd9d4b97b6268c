namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// One row's fused elementwise loop, written once and generic over the vector width: a gate kernel's SIMD body
/// for the float path. <see cref="LaneLoop.RunWidestFirst{TLoop}"/> runs it at each width the CPU accelerates.
/// </summary>
/// <remarks>
/// Implementations are <c>ref struct</c>s holding the row's spans, so that the dispatch, being generic over them,
/// is compiled once per loop and per width with no delegate, virtual call or allocation. <see cref="Run"/> copies
/// the fields it reads into locals before its loop: the JIT keeps locals in registers, but reloads a field of
/// <c>this</c> after every store the loop makes (a store might have changed it), which made the LSTM and GRU
/// backward kernels 15–25 % slower.
/// </remarks>
internal interface ILaneLoop
{
    /// <summary>
    /// Runs lanes [start, start + Count·q) in vectors of <typeparamref name="TVector"/>, q as large as fits in
    /// the row; returns where it stopped.
    /// </summary>
    int Run<TVector>(int start) where TVector : struct, IFloatVector<TVector>;
}
