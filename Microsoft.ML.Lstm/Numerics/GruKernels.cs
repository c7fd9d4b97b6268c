using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// The per-step elementwise part of a GRU cell, with PyTorch's conventions: gate order reset r,
/// update z, new n, and the reset gate applied after the recurrent product (so b_hn stays inside it).
/// With x-projection xg = x·W_ihᵀ + b_ih and h-projection hg = h_{t−1}·W_hhᵀ + b_hh, rows [r(H) | z(H) | n(H)]:
/// <code>
/// r = σ(xg_r + hg_r)   z = σ(xg_z + hg_z)
/// n = tanh(xg_n + r ⊙ hg_n)
/// h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
/// </code>
/// For float the steps run one fused SIMD loop per vector width (512, 256, 128 bits) and a scalar tail;
/// the generic scalar loop is the double path and the oracle the float path is tested against.
/// </summary>
internal static class GruKernels
{
    /// <summary>
    /// gates [batch, 3H] receives r, z, n; inputProjection and hiddenProjection are [batch, 3H];
    /// previousHidden and hidden [batch, H].
    /// </summary>
    public static void ForwardStep<T>(
        ReadOnlySpan<T> inputProjection, ReadOnlySpan<T> hiddenProjection, ReadOnlySpan<T> previousHidden,
        Span<T> gates, Span<T> hidden, int batch, int hiddenSize)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ForwardStep(inputProjection, hiddenProjection, previousHidden, gates, hidden, batch, hiddenSize, hiddenSize);

    /// <summary>
    /// <see cref="ForwardStep{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, Span{T}, int, int)"/> on rows of
    /// state that lie <paramref name="stateStride"/> values apart: previousHidden and hidden hold row r's
    /// <paramref name="hiddenSize"/> values from r·stateStride on (a part of the units of wider rows). Each unit gets the
    /// bits it gets in a whole row when the part starts at a multiple of the widest vector's lanes.
    /// </summary>
    public static void ForwardStep<T>(
        ReadOnlySpan<T> inputProjection, ReadOnlySpan<T> hiddenProjection, ReadOnlySpan<T> previousHidden,
        Span<T> gates, Span<T> hidden, int batch, int hiddenSize, int stateStride)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            ForwardRows(
                MemoryMarshal.Cast<T, float>(inputProjection), MemoryMarshal.Cast<T, float>(hiddenProjection), MemoryMarshal.Cast<T, float>(previousHidden),
                MemoryMarshal.Cast<T, float>(gates), MemoryMarshal.Cast<T, float>(hidden), batch, hiddenSize, stateStride);
            return;
        }

        int h3 = 3 * hiddenSize;
        for (int row = 0; row < batch; row++)
        {
            int s = row * stateStride;
            ForwardTail(
                inputProjection.Slice(row * h3, h3), hiddenProjection.Slice(row * h3, h3), previousHidden.Slice(s, hiddenSize),
                gates.Slice(row * h3, h3), hidden.Slice(s, hiddenSize), hiddenSize, 0);
        }
    }

    /// <summary>The float path of <see cref="ForwardStep{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, Span{T}, int, int, int)"/>: every row in one call per vector width, then any tail lanes.</summary>
    private static void ForwardRows(
        ReadOnlySpan<float> inputProjection, ReadOnlySpan<float> hiddenProjection, ReadOnlySpan<float> previousHidden,
        Span<float> gates, Span<float> hidden, int batch, int hiddenSize, int stateStride)
    {
        int h3 = 3 * hiddenSize;
        int done = LaneLoop.RunWidestFirst(new ForwardLanes(inputProjection, hiddenProjection, previousHidden, gates, hidden, hiddenSize, stateStride, batch));
        for (int row = 0; row < batch && done < hiddenSize; row++)
        {
            int s = row * stateStride;
            ForwardTail(
                inputProjection.Slice(row * h3, h3), hiddenProjection.Slice(row * h3, h3), previousHidden.Slice(s, hiddenSize),
                gates.Slice(row * h3, h3), hidden.Slice(s, hiddenSize), hiddenSize, done);
        }
    }

    /// <summary>The scalar equations on units [done, H) of one row (the double path, and float's lanes past the last vector).</summary>
    private static void ForwardTail<T>(
        ReadOnlySpan<T> x, ReadOnlySpan<T> h, ReadOnlySpan<T> hPrev, Span<T> g, Span<T> hOut, int hiddenSize, int done)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int j = done; j < hiddenSize; j++)
        {
            T reset = Activations.Sigmoid(x[j] + h[j]);
            T update = Activations.Sigmoid(x[hiddenSize + j] + h[hiddenSize + j]);
            T candidate = T.Tanh(x[2 * hiddenSize + j] + reset * h[2 * hiddenSize + j]);
            g[j] = reset;
            g[hiddenSize + j] = update;
            g[2 * hiddenSize + j] = candidate;
            hOut[j] = (T.One - update) * candidate + update * hPrev[j];
        }
    }

    /// <summary>
    /// Backward through one step. The total ∂L/∂h_t is outputGradient (from the layer above) + hiddenGradient
    /// (from step t+1), summed here. Writes the pre-activation
    /// gradients of the x-projection and h-projection [batch, 3H] and the direct part of ∂L/∂h_{t−1}
    /// (dh ⊙ z) into previousHiddenGradient; the caller adds hg-gradient · W_hh. The gradients may be written
    /// over their inputs (inputProjectionGradient over gates, hiddenProjectionGradient over hiddenProjection,
    /// previousHiddenGradient over hiddenGradient): each unit's values are read before its gradients are written.
    /// <code>
    /// dn = dh ⊙ (1−z) ⊙ (1−n²)          → dxg_n = dn, dhg_n = dn ⊙ r
    /// dr = dn ⊙ hg_n ⊙ r(1−r)            → dxg_r = dhg_r = dr
    /// dz = dh ⊙ (h_{t−1} − n) ⊙ z(1−z)   → dxg_z = dhg_z = dz
    /// </code>
    /// </summary>
    public static void BackwardStep<T>(
        ReadOnlySpan<T> gates, ReadOnlySpan<T> hiddenProjection, ReadOnlySpan<T> previousHidden,
        ReadOnlySpan<T> outputGradient, ReadOnlySpan<T> hiddenGradient, Span<T> inputProjectionGradient, Span<T> hiddenProjectionGradient,
        Span<T> previousHiddenGradient, int batch, int hiddenSize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h3 = 3 * hiddenSize;
        for (int row = 0; row < batch; row++)
        {
            ReadOnlySpan<T> g = gates.Slice(row * h3, h3);
            ReadOnlySpan<T> h = hiddenProjection.Slice(row * h3, h3);
            Span<T> dx = inputProjectionGradient.Slice(row * h3, h3);
            Span<T> dhg = hiddenProjectionGradient.Slice(row * h3, h3);
            int s = row * hiddenSize;
            ReadOnlySpan<T> hPrev = previousHidden.Slice(s, hiddenSize), dyRow = outputGradient.Slice(s, hiddenSize), dhRow = hiddenGradient.Slice(s, hiddenSize);
            Span<T> dhPrev = previousHiddenGradient.Slice(s, hiddenSize);
            int done = 0;
            if (typeof(T) == typeof(float))
            {
                done = LaneLoop.RunWidestFirst(new BackwardLanes(
                    MemoryMarshal.Cast<T, float>(g), MemoryMarshal.Cast<T, float>(h), MemoryMarshal.Cast<T, float>(hPrev),
                    MemoryMarshal.Cast<T, float>(dyRow), MemoryMarshal.Cast<T, float>(dhRow), MemoryMarshal.Cast<T, float>(dx), MemoryMarshal.Cast<T, float>(dhg),
                    MemoryMarshal.Cast<T, float>(dhPrev), hiddenSize));
            }

            for (int j = done; j < hiddenSize; j++)
            {
                T reset = g[j], update = g[hiddenSize + j], candidate = g[2 * hiddenSize + j];
                T dh = dyRow[j] + dhRow[j];
                T dCandidate = dh * (T.One - update) * (T.One - candidate * candidate);
                T dReset = dCandidate * h[2 * hiddenSize + j] * reset * (T.One - reset);
                T dUpdate = dh * (hPrev[j] - candidate) * update * (T.One - update);
                dx[j] = dReset;
                dx[hiddenSize + j] = dUpdate;
                dx[2 * hiddenSize + j] = dCandidate;
                dhg[j] = dReset;
                dhg[hiddenSize + j] = dUpdate;
                dhg[2 * hiddenSize + j] = dCandidate * reset;
                dhPrev[j] = dh * update;
            }
        }
    }

    /// <summary>
    /// The forward equations on lanes [start, start + Count·q) of every one of <c>rows</c> rows, in one call: a call per
    /// row costs as much as a narrow row's work.
    /// </summary>
    private readonly ref struct ForwardLanes(
        ReadOnlySpan<float> inputProjection, ReadOnlySpan<float> hiddenProjection, ReadOnlySpan<float> previousHidden,
        Span<float> gates, Span<float> hidden, int hiddenSize, int stateStride, int rows) : ILaneLoop
    {
        private readonly ReadOnlySpan<float> inputProjection = inputProjection, hiddenProjection = hiddenProjection, previousHidden = previousHidden;
        private readonly Span<float> gates = gates, hidden = hidden;
        private readonly int hiddenSize = hiddenSize, stateStride = stateStride, rows = rows;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int Run<TVector>(int start) where TVector : struct, IFloatVector<TVector>
        {
            // The loop reads locals, not fields (see ILaneLoop).
            ReadOnlySpan<float> x = inputProjection, h = hiddenProjection, hPrev = previousHidden;
            Span<float> g = gates, hOut = hidden;
            int stride = hiddenSize, states = stateStride, rows = this.rows;
            int end = start + (stride - start) / TVector.Count * TVector.Count;
            for (int row = 0; row < rows; row++)
            {
                int gateRow = 3 * stride * row, stateRow = states * row;
                for (int j = start; j < end; j += TVector.Count)
                {
                    int gj = gateRow + j, sj = stateRow + j;
                    TVector reset = Activations.VectorSigmoid(TVector.Load(x, gj) + TVector.Load(h, gj));
                    TVector update = Activations.VectorSigmoid(TVector.Load(x, stride + gj) + TVector.Load(h, stride + gj));
                    TVector candidate = Activations.VectorTanh(TVector.FusedMultiplyAdd(reset, TVector.Load(h, 2 * stride + gj), TVector.Load(x, 2 * stride + gj)));
                    reset.Store(g, gj);
                    update.Store(g, stride + gj);
                    candidate.Store(g, 2 * stride + gj);
                    // (1 − z)·n + z·h_{t−1} = n + z·(h_{t−1} − n)
                    TVector.FusedMultiplyAdd(update, TVector.Load(hPrev, sj) - candidate, candidate).Store(hOut, sj);
                }
            }
            return end;
        }
    }

    /// <summary>The backward equations on lanes [start, start + Count·q) of one row.</summary>
    private readonly ref struct BackwardLanes(
        ReadOnlySpan<float> gates, ReadOnlySpan<float> hiddenProjection, ReadOnlySpan<float> previousHidden, ReadOnlySpan<float> outputGradient,
        ReadOnlySpan<float> hiddenGradient, Span<float> inputProjectionGradient, Span<float> hiddenProjectionGradient, Span<float> previousHiddenGradient, int hiddenSize) : ILaneLoop
    {
        private readonly ReadOnlySpan<float> gates = gates, hiddenProjection = hiddenProjection, previousHidden = previousHidden;
        private readonly ReadOnlySpan<float> outputGradient = outputGradient, hiddenGradient = hiddenGradient;
        private readonly Span<float> inputProjectionGradient = inputProjectionGradient, hiddenProjectionGradient = hiddenProjectionGradient;
        private readonly Span<float> previousHiddenGradient = previousHiddenGradient;
        private readonly int hiddenSize = hiddenSize;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int Run<TVector>(int start) where TVector : struct, IFloatVector<TVector>
        {
            // The loop reads locals, not fields (see ILaneLoop).
            ReadOnlySpan<float> g = gates, h = hiddenProjection, hPrev = previousHidden, dyRow = outputGradient, dhRow = hiddenGradient;
            Span<float> dx = inputProjectionGradient, dhg = hiddenProjectionGradient, dhPrev = previousHiddenGradient;
            int hiddenSize = this.hiddenSize;
            TVector one = TVector.Create(1f);
            int j = start;
            for (; j <= hiddenSize - TVector.Count; j += TVector.Count)
            {
                TVector reset = TVector.Load(g, j), update = TVector.Load(g, hiddenSize + j), candidate = TVector.Load(g, 2 * hiddenSize + j);
                TVector dh = TVector.Load(dyRow, j) + TVector.Load(dhRow, j);
                TVector dCandidate = dh * (one - update) * (one - candidate * candidate);
                TVector dReset = dCandidate * TVector.Load(h, 2 * hiddenSize + j) * reset * (one - reset);
                TVector dUpdate = dh * (TVector.Load(hPrev, j) - candidate) * update * (one - update);
                dReset.Store(dx, j);
                dUpdate.Store(dx, hiddenSize + j);
                dCandidate.Store(dx, 2 * hiddenSize + j);
                dReset.Store(dhg, j);
                dUpdate.Store(dhg, hiddenSize + j);
                (dCandidate * reset).Store(dhg, 2 * hiddenSize + j);
                (dh * update).Store(dhPrev, j);
            }
            return j;
        }
    }
}
