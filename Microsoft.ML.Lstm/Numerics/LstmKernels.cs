using System.Numerics;

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
/// </summary>
internal static class LstmKernels
{
    /// <summary>
    /// Applies the gate nonlinearities in place and computes the new cell and hidden states.
    /// gates [batch, 4H]; previousCell, cell, hidden [batch, H].
    /// </summary>
    public static void ForwardStep<T>(Span<T> gates, ReadOnlySpan<T> previousCell, Span<T> cell, Span<T> hidden, int batch, int hiddenSize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h4 = 4 * hiddenSize;
        for (int row = 0; row < batch; row++)
        {
            Span<T> g = gates.Slice(row * h4, h4);
            int s = row * hiddenSize;
            for (int j = 0; j < hiddenSize; j++)
            {
                T input = Activations.Sigmoid(g[j]);
                T forget = Activations.Sigmoid(g[hiddenSize + j]);
                T candidate = T.Tanh(g[2 * hiddenSize + j]);
                T output = Activations.Sigmoid(g[3 * hiddenSize + j]);
                g[j] = input;
                g[hiddenSize + j] = forget;
                g[2 * hiddenSize + j] = candidate;
                g[3 * hiddenSize + j] = output;
                T c = forget * previousCell[s + j] + input * candidate;
                cell[s + j] = c;
                hidden[s + j] = output * T.Tanh(c);
            }
        }
    }

    /// <summary>
    /// Backward through one step. On entry <paramref name="cellGradient"/> holds ∂L/∂c_t arriving from
    /// step t+1 and <paramref name="hiddenGradient"/> the total ∂L/∂h_t; on exit <paramref name="cellGradient"/>
    /// holds ∂L/∂c_{t−1} and <paramref name="gateGradients"/> [batch, 4H] the gradients of the pre-activations.
    /// <code>
    /// dc += dh ⊙ o ⊙ (1 − tanh²(c_t))
    /// da_i = dc ⊙ g ⊙ i(1−i)   da_f = dc ⊙ c_{t−1} ⊙ f(1−f)   da_g = dc ⊙ i ⊙ (1−g²)   da_o = dh ⊙ tanh(c_t) ⊙ o(1−o)
    /// dc_{t−1} = dc ⊙ f
    /// </code>
    /// </summary>
    public static void BackwardStep<T>(
        ReadOnlySpan<T> gates, ReadOnlySpan<T> previousCell, ReadOnlySpan<T> cell,
        ReadOnlySpan<T> hiddenGradient, Span<T> cellGradient, Span<T> gateGradients, int batch, int hiddenSize)
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
                T tanhC = T.Tanh(cell[s + j]);
                T dh = hiddenGradient[s + j];
                T dc = cellGradient[s + j] + dh * output * (T.One - tanhC * tanhC);
                d[j] = dc * candidate * input * (T.One - input);
                d[hiddenSize + j] = dc * previousCell[s + j] * forget * (T.One - forget);
                d[2 * hiddenSize + j] = dc * input * (T.One - candidate * candidate);
                d[3 * hiddenSize + j] = dh * tanhC * output * (T.One - output);
                cellGradient[s + j] = dc * forget;
            }
        }
    }
}
