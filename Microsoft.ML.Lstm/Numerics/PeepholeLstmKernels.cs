using System.Numerics;

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
/// </summary>
internal static class PeepholeLstmKernels
{
    /// <summary>peepholes is [3H]: p_i, p_f, p_o. gates [batch, 4H]; previousCell, cell, hidden [batch, H].</summary>
    public static void ForwardStep<T>(
        Span<T> gates, ReadOnlySpan<T> peepholes, ReadOnlySpan<T> previousCell, Span<T> cell, Span<T> hidden, int batch, int hiddenSize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h4 = 4 * hiddenSize;
        for (int row = 0; row < batch; row++)
        {
            Span<T> g = gates.Slice(row * h4, h4);
            int s = row * hiddenSize;
            for (int j = 0; j < hiddenSize; j++)
            {
                T cPrev = previousCell[s + j];
                T input = Activations.Sigmoid(g[j] + peepholes[j] * cPrev);
                T forget = Activations.Sigmoid(g[hiddenSize + j] + peepholes[hiddenSize + j] * cPrev);
                T candidate = T.Tanh(g[2 * hiddenSize + j]);
                T c = forget * cPrev + input * candidate;
                T output = Activations.Sigmoid(g[3 * hiddenSize + j] + peepholes[2 * hiddenSize + j] * c);
                g[j] = input;
                g[hiddenSize + j] = forget;
                g[2 * hiddenSize + j] = candidate;
                g[3 * hiddenSize + j] = output;
                cell[s + j] = c;
                hidden[s + j] = output * T.Tanh(c);
            }
        }
    }

    /// <summary>
    /// Backward through one step; conventions as <see cref="LstmKernels.BackwardStep{T}"/>. Peephole
    /// gradients are accumulated (+=) into <paramref name="peepholeGradients"/> [3H].
    /// <code>
    /// da_o = dh ⊙ tanh(c_t) ⊙ o(1−o)
    /// dc  += dh ⊙ o ⊙ (1 − tanh²(c_t)) + da_o ⊙ p_o
    /// da_i = dc ⊙ g ⊙ i(1−i)   da_f = dc ⊙ c_{t−1} ⊙ f(1−f)   da_g = dc ⊙ i ⊙ (1−g²)
    /// dc_{t−1} = dc ⊙ f + da_i ⊙ p_i + da_f ⊙ p_f
    /// dp_i += da_i ⊙ c_{t−1}   dp_f += da_f ⊙ c_{t−1}   dp_o += da_o ⊙ c_t
    /// </code>
    /// </summary>
    public static void BackwardStep<T>(
        ReadOnlySpan<T> gates, ReadOnlySpan<T> peepholes, ReadOnlySpan<T> previousCell, ReadOnlySpan<T> cell,
        ReadOnlySpan<T> hiddenGradient, Span<T> cellGradient, Span<T> gateGradients, Span<T> peepholeGradients,
        int batch, int hiddenSize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h4 = 4 * hiddenSize;
        for (int row = 0; row < batch; row++)
        {
            ReadOnlySpan<T> g = gates.Slice(row * h4, h4);
            Span<T> d = gateGradients.Slice(row * h4, h4);
            int s = row * hiddenSize;
            for (int j = 0; j < hiddenSize; j++)
            {
                T input = g[j], forget = g[hiddenSize + j], candidate = g[2 * hiddenSize + j], output = g[3 * hiddenSize + j];
                T c = cell[s + j], cPrev = previousCell[s + j];
                T tanhC = T.Tanh(c);
                T dh = hiddenGradient[s + j];
                T dOutput = dh * tanhC * output * (T.One - output);
                T dc = cellGradient[s + j] + dh * output * (T.One - tanhC * tanhC) + dOutput * peepholes[2 * hiddenSize + j];
                T dInput = dc * candidate * input * (T.One - input);
                T dForget = dc * cPrev * forget * (T.One - forget);
                d[j] = dInput;
                d[hiddenSize + j] = dForget;
                d[2 * hiddenSize + j] = dc * input * (T.One - candidate * candidate);
                d[3 * hiddenSize + j] = dOutput;
                cellGradient[s + j] = dc * forget + dInput * peepholes[j] + dForget * peepholes[hiddenSize + j];
                peepholeGradients[j] += dInput * cPrev;
                peepholeGradients[hiddenSize + j] += dForget * cPrev;
                peepholeGradients[2 * hiddenSize + j] += dOutput * c;
            }
        }
    }
}
