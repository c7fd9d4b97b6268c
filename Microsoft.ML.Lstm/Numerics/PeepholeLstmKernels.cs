using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// The per-step elementwise part of a peephole LSTM cell (Gers &amp; Schmidhuber): the input and forget
/// gates look at c_{t−1}, the output gate at c_t, through diagonal weights p_i, p_f, p_o [H].
/// Gate order and row layout as in <see cref="LstmKernels"/>.
/// <code>
/// i = σ(a_i + p_i ⊙ c_{t−1})   f = σ(a_f + p_f ⊙ c_{t−1})   g = tanh(a_g)
/// c_t = f ⊙ c_{t−1} + i ⊙ g
/// o = σ(a_o + p_o ⊙ c_t)
/// h_t = o ⊙ tanh(c_t)
/// </code>
/// For float the steps run one fused SIMD loop per vector width (512, 256, 128 bits) and a scalar tail;
/// the generic scalar loop is the double path and the oracle the float path is tested against.
/// </summary>
internal static class PeepholeLstmKernels
{
    /// <summary>peepholes is [3H]: p_i, p_f, p_o. gates [batch, 4H]; previousCell, cell, hidden [batch, H].</summary>
    public static void ForwardStep<T>(
        Span<T> gates, ReadOnlySpan<T> peepholes, ReadOnlySpan<T> previousCell, Span<T> cell, Span<T> hidden, int batch, int hiddenSize)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ForwardStep(gates, peepholes, previousCell, cell, hidden, batch, hiddenSize, hiddenSize);

    /// <summary>
    /// <see cref="ForwardStep{T}(Span{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, Span{T}, int, int)"/> on rows of state
    /// that lie <paramref name="stateStride"/> values apart: previousCell, cell and hidden hold row r's
    /// <paramref name="hiddenSize"/> values from r·stateStride on (a part of the units of wider rows). Each unit gets the
    /// bits it gets in a whole row when the part starts at a multiple of the widest vector's lanes.
    /// </summary>
    public static void ForwardStep<T>(
        Span<T> gates, ReadOnlySpan<T> peepholes, ReadOnlySpan<T> previousCell, Span<T> cell, Span<T> hidden, int batch, int hiddenSize, int stateStride)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h4 = 4 * hiddenSize;
        ReadOnlySpan<T> p = peepholes.Slice(0, 3 * hiddenSize);
        for (int row = 0; row < batch; row++)
        {
            Span<T> g = gates.Slice(row * h4, h4);
            int s = row * stateStride;
            ReadOnlySpan<T> cPrevRow = previousCell.Slice(s, hiddenSize);
            Span<T> c = cell.Slice(s, hiddenSize), h = hidden.Slice(s, hiddenSize);
            int done = 0;
            if (typeof(T) == typeof(float))
            {
                done = LaneLoop.RunWidestFirst(new ForwardLanes(
                    MemoryMarshal.Cast<T, float>(g), MemoryMarshal.Cast<T, float>(p), MemoryMarshal.Cast<T, float>(cPrevRow),
                    MemoryMarshal.Cast<T, float>(c), MemoryMarshal.Cast<T, float>(h), hiddenSize));
            }

            for (int j = done; j < hiddenSize; j++)
            {
                T cPrev = cPrevRow[j];
                T input = Activations.Sigmoid(g[j] + p[j] * cPrev);
                T forget = Activations.Sigmoid(g[hiddenSize + j] + p[hiddenSize + j] * cPrev);
                T candidate = T.Tanh(g[2 * hiddenSize + j]);
                T cj = forget * cPrev + input * candidate;
                T output = Activations.Sigmoid(g[3 * hiddenSize + j] + p[2 * hiddenSize + j] * cj);
                g[j] = input;
                g[hiddenSize + j] = forget;
                g[2 * hiddenSize + j] = candidate;
                g[3 * hiddenSize + j] = output;
                c[j] = cj;
                h[j] = output * T.Tanh(cj);
            }
        }
    }

    /// <summary>
    /// Backward through one step; conventions as <see cref="LstmKernels.BackwardStep{T}"/> (gateGradients may
    /// be gates itself). The peephole weights' own gradients (dp_i = Σ da_i ⊙ c_{t−1}, dp_f = Σ da_f ⊙ c_{t−1},
    /// dp_o = Σ da_o ⊙ c_t) are left to the caller, which sums them over all rows in an order that does not
    /// depend on how the rows were split between threads.
    /// <code>
    /// da_o = dh ⊙ tanh(c_t) ⊙ o(1−o)
    /// dc  += dh ⊙ o ⊙ (1 − tanh²(c_t)) + da_o ⊙ p_o
    /// da_i = dc ⊙ g ⊙ i(1−i)   da_f = dc ⊙ c_{t−1} ⊙ f(1−f)   da_g = dc ⊙ i ⊙ (1−g²)
    /// dc_{t−1} = dc ⊙ f + da_i ⊙ p_i + da_f ⊙ p_f
    /// </code>
    /// </summary>
    public static void BackwardStep<T>(
        ReadOnlySpan<T> gates, ReadOnlySpan<T> peepholes, ReadOnlySpan<T> previousCell, ReadOnlySpan<T> cell,
        ReadOnlySpan<T> outputGradient, ReadOnlySpan<T> hiddenGradient, Span<T> cellGradient, Span<T> gateGradients, int batch, int hiddenSize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h4 = 4 * hiddenSize;
        ReadOnlySpan<T> p = peepholes.Slice(0, 3 * hiddenSize);
        for (int row = 0; row < batch; row++)
        {
            ReadOnlySpan<T> g = gates.Slice(row * h4, h4);
            Span<T> d = gateGradients.Slice(row * h4, h4);
            int s = row * hiddenSize;
            ReadOnlySpan<T> cPrevRow = previousCell.Slice(s, hiddenSize), cRow = cell.Slice(s, hiddenSize);
            ReadOnlySpan<T> dyRow = outputGradient.Slice(s, hiddenSize), dhRow = hiddenGradient.Slice(s, hiddenSize);
            Span<T> dcRow = cellGradient.Slice(s, hiddenSize);
            int done = 0;
            if (typeof(T) == typeof(float))
            {
                done = LaneLoop.RunWidestFirst(new BackwardLanes(
                    MemoryMarshal.Cast<T, float>(g), MemoryMarshal.Cast<T, float>(p), MemoryMarshal.Cast<T, float>(cPrevRow),
                    MemoryMarshal.Cast<T, float>(cRow), MemoryMarshal.Cast<T, float>(dyRow), MemoryMarshal.Cast<T, float>(dhRow), MemoryMarshal.Cast<T, float>(dcRow),
                    MemoryMarshal.Cast<T, float>(d), hiddenSize));
            }

            for (int j = done; j < hiddenSize; j++)
            {
                T input = g[j], forget = g[hiddenSize + j], candidate = g[2 * hiddenSize + j], output = g[3 * hiddenSize + j];
                T c = cRow[j], cPrev = cPrevRow[j];
                T tanhC = T.Tanh(c);
                T dh = dyRow[j] + dhRow[j];
                T dOutput = dh * tanhC * output * (T.One - output);
                T dc = dcRow[j] + dh * output * (T.One - tanhC * tanhC) + dOutput * p[2 * hiddenSize + j];
                T dInput = dc * candidate * input * (T.One - input);
                T dForget = dc * cPrev * forget * (T.One - forget);
                d[j] = dInput;
                d[hiddenSize + j] = dForget;
                d[2 * hiddenSize + j] = dc * input * (T.One - candidate * candidate);
                d[3 * hiddenSize + j] = dOutput;
                dcRow[j] = dc * forget + dInput * p[j] + dForget * p[hiddenSize + j];
            }
        }
    }

    /// <summary>The forward equations on lanes [start, start + Count·q) of one row.</summary>
    private readonly ref struct ForwardLanes(
        Span<float> gates, ReadOnlySpan<float> peepholes, ReadOnlySpan<float> previousCell, Span<float> cell, Span<float> hidden, int hiddenSize)
        : ILaneLoop
    {
        private readonly Span<float> gates = gates, cell = cell, hidden = hidden;
        private readonly ReadOnlySpan<float> peepholes = peepholes, previousCell = previousCell;
        private readonly int hiddenSize = hiddenSize;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int Run<TVector>(int start) where TVector : struct, IFloatVector<TVector>
        {
            // The loop reads locals, not fields (see ILaneLoop).
            Span<float> g = gates, c = cell, h = hidden;
            ReadOnlySpan<float> p = peepholes, cPrevRow = previousCell;
            int hiddenSize = this.hiddenSize;
            int j = start;
            for (; j <= hiddenSize - TVector.Count; j += TVector.Count)
            {
                TVector cPrev = TVector.Load(cPrevRow, j);
                TVector input = Activations.VectorSigmoid(TVector.FusedMultiplyAdd(TVector.Load(p, j), cPrev, TVector.Load(g, j)));
                TVector forget = Activations.VectorSigmoid(TVector.FusedMultiplyAdd(TVector.Load(p, hiddenSize + j), cPrev, TVector.Load(g, hiddenSize + j)));
                TVector candidate = Activations.VectorTanh(TVector.Load(g, 2 * hiddenSize + j));
                TVector cj = TVector.FusedMultiplyAdd(forget, cPrev, input * candidate);
                TVector output = Activations.VectorSigmoid(TVector.FusedMultiplyAdd(TVector.Load(p, 2 * hiddenSize + j), cj, TVector.Load(g, 3 * hiddenSize + j)));
                input.Store(g, j);
                forget.Store(g, hiddenSize + j);
                candidate.Store(g, 2 * hiddenSize + j);
                output.Store(g, 3 * hiddenSize + j);
                cj.Store(c, j);
                (output * Activations.VectorTanh(cj)).Store(h, j);
            }
            return j;
        }
    }

    /// <summary>The backward equations on lanes [start, start + Count·q) of one row.</summary>
    private readonly ref struct BackwardLanes(
        ReadOnlySpan<float> gates, ReadOnlySpan<float> peepholes, ReadOnlySpan<float> previousCell, ReadOnlySpan<float> cell,
        ReadOnlySpan<float> outputGradient, ReadOnlySpan<float> hiddenGradient, Span<float> cellGradient, Span<float> gateGradients, int hiddenSize) : ILaneLoop
    {
        private readonly ReadOnlySpan<float> gates = gates, peepholes = peepholes, previousCell = previousCell, cell = cell;
        private readonly ReadOnlySpan<float> outputGradient = outputGradient, hiddenGradient = hiddenGradient;
        private readonly Span<float> cellGradient = cellGradient, gateGradients = gateGradients;
        private readonly int hiddenSize = hiddenSize;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int Run<TVector>(int start) where TVector : struct, IFloatVector<TVector>
        {
            // The loop reads locals, not fields (see ILaneLoop).
            ReadOnlySpan<float> g = gates, p = peepholes, cPrevRow = previousCell, cRow = cell, dyRow = outputGradient, dhRow = hiddenGradient;
            Span<float> dcRow = cellGradient, d = gateGradients;
            int hiddenSize = this.hiddenSize;
            TVector one = TVector.Create(1f);
            int j = start;
            for (; j <= hiddenSize - TVector.Count; j += TVector.Count)
            {
                TVector input = TVector.Load(g, j), forget = TVector.Load(g, hiddenSize + j);
                TVector candidate = TVector.Load(g, 2 * hiddenSize + j), output = TVector.Load(g, 3 * hiddenSize + j);
                TVector c = TVector.Load(cRow, j), cPrev = TVector.Load(cPrevRow, j);
                TVector tanhC = Activations.VectorTanh(c);
                TVector dh = TVector.Load(dyRow, j) + TVector.Load(dhRow, j);
                TVector dOutput = dh * tanhC * output * (one - output);
                TVector dc = TVector.Load(dcRow, j) + dh * output * (one - tanhC * tanhC) + dOutput * TVector.Load(p, 2 * hiddenSize + j);
                TVector dInput = dc * candidate * input * (one - input);
                TVector dForget = dc * cPrev * forget * (one - forget);
                dInput.Store(d, j);
                dForget.Store(d, hiddenSize + j);
                (dc * input * (one - candidate * candidate)).Store(d, 2 * hiddenSize + j);
                dOutput.Store(d, 3 * hiddenSize + j);
                (dc * forget + dInput * TVector.Load(p, j) + dForget * TVector.Load(p, hiddenSize + j)).Store(dcRow, j);
            }
            return j;
        }
    }
}
