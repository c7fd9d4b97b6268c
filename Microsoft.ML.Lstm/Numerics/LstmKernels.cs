using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// The per-step elementwise part of an LSTM cell, for a block of <c>batch</c> rows.
/// Gate order is PyTorch's: input i, forget f, cell candidate g, output o; a gates row is
/// [i(H) | f(H) | g(H) | o(H)] holding pre-activations a = x·Wᵀ + h·Uᵀ + b before the forward step
/// and activations after it.
/// <code>
/// i = σ(a_i)   f = σ(a_f)   g = tanh(a_g)   o = σ(a_o)
/// c_t = f ⊙ c_{t−1} + i ⊙ g
/// h_t = o ⊙ tanh(c_t)
/// </code>
/// For float the steps run one fused SIMD loop per vector width (512, 256, 128 bits) and a scalar tail;
/// the generic scalar loop is the double path and the oracle the float path is tested against.
/// </summary>
internal static class LstmKernels
{
    /// <summary>
    /// Applies the gate nonlinearities in place and computes the new cell and hidden states.
    /// gates [batch, 4H]; previousCell, cell, hidden [batch, H].
    /// </summary>
    public static void ForwardStep<T>(Span<T> gates, ReadOnlySpan<T> previousCell, Span<T> cell, Span<T> hidden, int batch, int hiddenSize)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ForwardStep(gates, previousCell, cell, hidden, batch, hiddenSize, hiddenSize);

    /// <summary>
    /// <see cref="ForwardStep{T}(Span{T}, ReadOnlySpan{T}, Span{T}, Span{T}, int, int)"/> on rows of state that lie
    /// <paramref name="stateStride"/> values apart: previousCell, cell and hidden hold row r's <paramref name="hiddenSize"/>
    /// values from r·stateStride on (a part of the units of wider rows). Each unit gets the bits it gets in a whole row
    /// when the part starts at a multiple of the widest vector's lanes.
    /// </summary>
    public static void ForwardStep<T>(Span<T> gates, ReadOnlySpan<T> previousCell, Span<T> cell, Span<T> hidden, int batch, int hiddenSize, int stateStride)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            ForwardRows(MemoryMarshal.Cast<T, float>(gates), MemoryMarshal.Cast<T, float>(previousCell), MemoryMarshal.Cast<T, float>(cell), MemoryMarshal.Cast<T, float>(hidden), batch, hiddenSize, stateStride);
            return;
        }

        int h4 = 4 * hiddenSize;
        for (int row = 0; row < batch; row++)
        {
            int s = row * stateStride;
            ForwardTail(gates.Slice(row * h4, h4), previousCell.Slice(s, hiddenSize), cell.Slice(s, hiddenSize), hidden.Slice(s, hiddenSize), hiddenSize, 0);
        }
    }

    /// <summary>The float path of <see cref="ForwardStep{T}(Span{T}, ReadOnlySpan{T}, Span{T}, Span{T}, int, int, int)"/>: every row in one call per vector width, then any tail lanes.</summary>
    private static void ForwardRows(Span<float> gates, ReadOnlySpan<float> previousCell, Span<float> cell, Span<float> hidden, int batch, int hiddenSize, int stateStride)
    {
        int h4 = 4 * hiddenSize;
        int done = LaneLoop.RunWidestFirst(new ForwardLanes(gates, previousCell, cell, hidden, hiddenSize, stateStride, batch));
        for (int row = 0; row < batch && done < hiddenSize; row++)
        {
            int s = row * stateStride;
            ForwardTail(gates.Slice(row * h4, h4), previousCell.Slice(s, hiddenSize), cell.Slice(s, hiddenSize), hidden.Slice(s, hiddenSize), hiddenSize, done);
        }
    }

    /// <summary>The scalar equations on units [done, H) of one row (the double path, and float's lanes past the last vector).</summary>
    private static void ForwardTail<T>(Span<T> g, ReadOnlySpan<T> cPrev, Span<T> c, Span<T> h, int hiddenSize, int done)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int j = done; j < hiddenSize; j++)
        {
            T input = Activations.Sigmoid(g[j]);
            T forget = Activations.Sigmoid(g[hiddenSize + j]);
            T candidate = T.Tanh(g[2 * hiddenSize + j]);
            T output = Activations.Sigmoid(g[3 * hiddenSize + j]);
            g[j] = input;
            g[hiddenSize + j] = forget;
            g[2 * hiddenSize + j] = candidate;
            g[3 * hiddenSize + j] = output;
            T cj = forget * cPrev[j] + input * candidate;
            c[j] = cj;
            h[j] = output * T.Tanh(cj);
        }
    }

    /// <summary>
    /// Backward through one step. On entry <paramref name="cellGradient"/> holds ∂L/∂c_t arriving from
    /// step t+1, and the total ∂L/∂h_t is <paramref name="outputGradient"/> (from the layer above) +
    /// <paramref name="hiddenGradient"/> (from step t+1), summed here rather than in a pass of its own; on exit <paramref name="cellGradient"/>
    /// holds ∂L/∂c_{t−1} and <paramref name="gateGradients"/> [batch, 4H] the gradients of the pre-activations.
    /// <paramref name="gateGradients"/> may be <paramref name="gates"/> itself: each unit's four gates are read
    /// before its four gradients are written.
    /// <code>
    /// dc += dh ⊙ o ⊙ (1 − tanh²(c_t))
    /// da_i = dc ⊙ g ⊙ i(1−i)   da_f = dc ⊙ c_{t−1} ⊙ f(1−f)   da_g = dc ⊙ i ⊙ (1−g²)   da_o = dh ⊙ tanh(c_t) ⊙ o(1−o)
    /// dc_{t−1} = dc ⊙ f
    /// </code>
    /// </summary>
    public static void BackwardStep<T>(
        ReadOnlySpan<T> gates, ReadOnlySpan<T> previousCell, ReadOnlySpan<T> cell,
        ReadOnlySpan<T> outputGradient, ReadOnlySpan<T> hiddenGradient, Span<T> cellGradient, Span<T> gateGradients, int batch, int hiddenSize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h4 = 4 * hiddenSize;
        for (int row = 0; row < batch; row++)
        {
            ReadOnlySpan<T> g = gates.Slice(row * h4, h4);
            Span<T> d = gateGradients.Slice(row * h4, h4);
            int s = row * hiddenSize;
            ReadOnlySpan<T> cPrev = previousCell.Slice(s, hiddenSize), c = cell.Slice(s, hiddenSize);
            ReadOnlySpan<T> dyRow = outputGradient.Slice(s, hiddenSize), dhRow = hiddenGradient.Slice(s, hiddenSize);
            Span<T> dcRow = cellGradient.Slice(s, hiddenSize);
            int done = 0;
            if (typeof(T) == typeof(float))
            {
                done = LaneLoop.RunWidestFirst(new BackwardLanes(
                    MemoryMarshal.Cast<T, float>(g), MemoryMarshal.Cast<T, float>(cPrev), MemoryMarshal.Cast<T, float>(c),
                    MemoryMarshal.Cast<T, float>(dyRow), MemoryMarshal.Cast<T, float>(dhRow), MemoryMarshal.Cast<T, float>(dcRow),
                    MemoryMarshal.Cast<T, float>(d), hiddenSize));
            }

            for (int j = done; j < hiddenSize; j++)
            {
                T input = g[j], forget = g[hiddenSize + j], candidate = g[2 * hiddenSize + j], output = g[3 * hiddenSize + j];
                T tanhC = T.Tanh(c[j]);
                T dh = dyRow[j] + dhRow[j];
                T dc = dcRow[j] + dh * output * (T.One - tanhC * tanhC);
                d[j] = dc * candidate * input * (T.One - input);
                d[hiddenSize + j] = dc * cPrev[j] * forget * (T.One - forget);
                d[2 * hiddenSize + j] = dc * input * (T.One - candidate * candidate);
                d[3 * hiddenSize + j] = dh * tanhC * output * (T.One - output);
                dcRow[j] = dc * forget;
            }
        }
    }

    /// <summary>
    /// The forward equations on lanes [start, start + Count·q) of every one of <c>rows</c> rows, in one call: a call per
    /// row costs as much as a narrow row's work.
    /// </summary>
    private readonly ref struct ForwardLanes(
        Span<float> gates, ReadOnlySpan<float> previousCell, Span<float> cell, Span<float> hidden, int hiddenSize, int stateStride, int rows)
        : ILaneLoop
    {
        private readonly Span<float> gates = gates, cell = cell, hidden = hidden;
        private readonly ReadOnlySpan<float> previousCell = previousCell;
        private readonly int hiddenSize = hiddenSize, stateStride = stateStride, rows = rows;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int Run<TVector>(int start) where TVector : struct, IFloatVector<TVector>
        {
            // The loop reads locals, not fields (see ILaneLoop).
            Span<float> g = gates, c = cell, h = hidden;
            ReadOnlySpan<float> cPrev = previousCell;
            int stride = hiddenSize, states = stateStride, rows = this.rows;
            int end = start + (stride - start) / TVector.Count * TVector.Count;
            for (int row = 0; row < rows; row++)
            {
                int gateRow = 4 * stride * row, stateRow = states * row;
                for (int j = start; j < end; j += TVector.Count)
                {
                    int gj = gateRow + j, sj = stateRow + j;
                    TVector input = Activations.VectorSigmoid(TVector.Load(g, gj));
                    TVector forget = Activations.VectorSigmoid(TVector.Load(g, stride + gj));
                    TVector candidate = Activations.VectorTanh(TVector.Load(g, 2 * stride + gj));
                    TVector output = Activations.VectorSigmoid(TVector.Load(g, 3 * stride + gj));
                    input.Store(g, gj);
                    forget.Store(g, stride + gj);
                    candidate.Store(g, 2 * stride + gj);
                    output.Store(g, 3 * stride + gj);
                    TVector cj = TVector.FusedMultiplyAdd(forget, TVector.Load(cPrev, sj), input * candidate);
                    cj.Store(c, sj);
                    (output * Activations.VectorTanh(cj)).Store(h, sj);
                }
            }
            return end;
        }
    }

    /// <summary>The backward equations on lanes [start, start + Count·q) of one row.</summary>
    private readonly ref struct BackwardLanes(
        ReadOnlySpan<float> gates, ReadOnlySpan<float> previousCell, ReadOnlySpan<float> cell, ReadOnlySpan<float> outputGradient,
        ReadOnlySpan<float> hiddenGradient, Span<float> cellGradient, Span<float> gateGradients, int hiddenSize) : ILaneLoop
    {
        private readonly ReadOnlySpan<float> gates = gates, previousCell = previousCell, cell = cell;
        private readonly ReadOnlySpan<float> outputGradient = outputGradient, hiddenGradient = hiddenGradient;
        private readonly Span<float> cellGradient = cellGradient, gateGradients = gateGradients;
        private readonly int hiddenSize = hiddenSize;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int Run<TVector>(int start) where TVector : struct, IFloatVector<TVector>
        {
            // The loop reads locals, not fields (see ILaneLoop).
            ReadOnlySpan<float> g = gates, cPrev = previousCell, c = cell, dyRow = outputGradient, dhRow = hiddenGradient;
            Span<float> dcRow = cellGradient, d = gateGradients;
            int hiddenSize = this.hiddenSize;
            TVector one = TVector.Create(1f);
            int j = start;
            for (; j <= hiddenSize - TVector.Count; j += TVector.Count)
            {
                TVector input = TVector.Load(g, j), forget = TVector.Load(g, hiddenSize + j);
                TVector candidate = TVector.Load(g, 2 * hiddenSize + j), output = TVector.Load(g, 3 * hiddenSize + j);
                TVector tanhC = Activations.VectorTanh(TVector.Load(c, j));
                TVector dh = TVector.Load(dyRow, j) + TVector.Load(dhRow, j);
                TVector dc = TVector.Load(dcRow, j) + dh * output * (one - tanhC * tanhC);
                (dc * candidate * input * (one - input)).Store(d, j);
                (dc * TVector.Load(cPrev, j) * forget * (one - forget)).Store(d, hiddenSize + j);
                (dc * input * (one - candidate * candidate)).Store(d, 2 * hiddenSize + j);
                (dh * tanhC * output * (one - output)).Store(d, 3 * hiddenSize + j);
                (dc * forget).Store(dcRow, j);
            }
            return j;
        }
    }
}
