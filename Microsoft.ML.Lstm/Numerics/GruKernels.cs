using System.Numerics;

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
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h3 = 3 * hiddenSize;
        for (int row = 0; row < batch; row++)
        {
            ReadOnlySpan<T> x = inputProjection.Slice(row * h3, h3);
            ReadOnlySpan<T> h = hiddenProjection.Slice(row * h3, h3);
            Span<T> g = gates.Slice(row * h3, h3);
            int s = row * hiddenSize;
            for (int j = 0; j < hiddenSize; j++)
            {
                T reset = Activations.Sigmoid(x[j] + h[j]);
                T update = Activations.Sigmoid(x[hiddenSize + j] + h[hiddenSize + j]);
                T candidate = T.Tanh(x[2 * hiddenSize + j] + reset * h[2 * hiddenSize + j]);
                g[j] = reset;
                g[hiddenSize + j] = update;
                g[2 * hiddenSize + j] = candidate;
                hidden[s + j] = (T.One - update) * candidate + update * previousHidden[s + j];
            }
        }
    }

    /// <summary>
    /// Backward through one step. hiddenGradient is the total ∂L/∂h_t. Writes the pre-activation
    /// gradients of the x-projection and h-projection [batch, 3H] and the direct part of ∂L/∂h_{t−1}
    /// (dh ⊙ z) into previousHiddenGradient; the caller adds hg-gradient · W_hh.
    /// <code>
    /// dn = dh ⊙ (1−z) ⊙ (1−n²)          → dxg_n = dn, dhg_n = dn ⊙ r
    /// dr = dn ⊙ hg_n ⊙ r(1−r)            → dxg_r = dhg_r = dr
    /// dz = dh ⊙ (h_{t−1} − n) ⊙ z(1−z)   → dxg_z = dhg_z = dz
    /// </code>
    /// </summary>
    public static void BackwardStep<T>(
        ReadOnlySpan<T> gates, ReadOnlySpan<T> hiddenProjection, ReadOnlySpan<T> previousHidden,
        ReadOnlySpan<T> hiddenGradient, Span<T> inputProjectionGradient, Span<T> hiddenProjectionGradient,
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
            for (int j = 0; j < hiddenSize; j++)
            {
                T reset = g[j], update = g[hiddenSize + j], candidate = g[2 * hiddenSize + j];
                T dh = hiddenGradient[s + j];
                T dCandidate = dh * (T.One - update) * (T.One - candidate * candidate);
                T dReset = dCandidate * h[2 * hiddenSize + j] * reset * (T.One - reset);
                T dUpdate = dh * (previousHidden[s + j] - candidate) * update * (T.One - update);
                dx[j] = dReset;
                dx[hiddenSize + j] = dUpdate;
                dx[2 * hiddenSize + j] = dCandidate;
                dhg[j] = dReset;
                dhg[hiddenSize + j] = dUpdate;
                dhg[2 * hiddenSize + j] = dCandidate * reset;
                previousHiddenGradient[s + j] = dh * update;
            }
        }
    }
}
