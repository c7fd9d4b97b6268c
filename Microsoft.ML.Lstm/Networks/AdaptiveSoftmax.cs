using System.Numerics;
using System.Numerics.Tensors;
using Microsoft.ML.Lstm.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// An adaptive softmax over a vocabulary (Grave et al., 2017, "Efficient softmax approximation for GPUs"; PyTorch's
/// <c>nn.AdaptiveLogSoftmaxWithLoss</c>): the tokens ranked by frequency are cut into a shortlist of the c₀ most
/// frequent and K tail clusters, cluster i holding ranks [cᵢ, cᵢ₊₁) (c_K = V). A head softmax over the shortlist and
/// one token per cluster, and per cluster a low-rank softmax over its own tokens:
/// <code>
/// head:    z = x·W_hᵀ + b_h                       [N, c₀ + K]
/// tail i:  u = (x·P_iᵀ)·O_iᵀ, P_i [H/4^(i+1), H], O_i [cᵢ₊₁ − cᵢ, H/4^(i+1)]
/// log p(token of rank r) = log softmax(z)_r                           when r &lt; c₀
///                        = log softmax(z)_(c₀+i) + log softmax(u)_(r−cᵢ)  when r is in cluster i
/// </code>
/// The probabilities are exact and sum to one over the vocabulary. Training touches cluster i only for the rows
/// whose target lies in it, so at a word vocabulary (where the shortlist covers most tokens) a step costs a fraction of
/// a full softmax's, and every product is still one GEMM over the rows that take it. Parameters, under
/// <c>{name}</c>: <c>.head.weight</c>, <c>.head.bias</c>, and per cluster <c>.tail{i}.projection.weight</c>,
/// <c>.tail{i}.output.weight</c> (no biases in the tails, as PyTorch's).
/// </summary>
internal sealed class AdaptiveSoftmax<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ParameterStore<T> store;
    private readonly int inputSize, vocabulary, shortlist, headSize;
    private readonly int[] clusterStart;        // [K + 1] ranks; clusterStart[K] = V
    private readonly int[] clusterWidth;        // [K] the tails' inner sizes
    private readonly int[] rankOf, tokenAt;     // token id → frequency rank, and back
    private readonly ParameterView headWeight, headBias;
    private readonly ParameterView[] projection, output;

    private int rows;                           // of the last training Loss
    private T[] headScores = Array.Empty<T>();  // [rows, c₀ + K]; after Loss, ∂loss/∂scores
    private int[][] clusterRows;                // per cluster, the rows whose target lies in it, in row order
    private int[] clusterCounts;
    private T[][] gathered, projected, tailScores;  // per cluster [n, H], [n, wᵢ], [n, sᵢ] (scores then their gradient)
    private T[] projectedGradient = Array.Empty<T>(), gatheredGradient = Array.Empty<T>();

    /// <summary>Registers the parameters under <paramref name="name"/> and, given <paramref name="random"/>, initialises them (Xavier uniform, biases zero).</summary>
    /// <param name="store">The network's parameters, where this layer's are added.</param>
    /// <param name="name">The prefix of the parameters' names.</param>
    /// <param name="inputSize">H, the features read per row.</param>
    /// <param name="vocabulary">V, the tokens.</param>
    /// <param name="cutoffs">c₀ &lt; c₁ &lt; … &lt; c_(K−1), ranks in [1, V): the shortlist's size, then where each tail cluster but the first begins.</param>
    /// <param name="tokenRanking">The token ids from most to least frequent (a permutation of [0, V)); null for ids already in that order.</param>
    /// <param name="random">Draws the initial weights; null leaves zeros, to be loaded.</param>
    public AdaptiveSoftmax(ParameterStore<T> store, string name, int inputSize, int vocabulary, IReadOnlyList<int> cutoffs, IReadOnlyList<int>? tokenRanking, Random? random)
    {
        this.store = store;
        this.inputSize = inputSize;
        this.vocabulary = vocabulary;
        int clusters = cutoffs.Count;
        shortlist = cutoffs[0];
        headSize = shortlist + clusters;
        clusterStart = new int[clusters + 1];
        clusterWidth = new int[clusters];
        for (int i = 0; i < clusters; i++)
        {
            clusterStart[i] = cutoffs[i];
            clusterWidth[i] = TailWidth(inputSize, i);
        }
        clusterStart[clusters] = vocabulary;
        tokenAt = tokenRanking is null ? [.. Enumerable.Range(0, vocabulary)] : [.. tokenRanking];
        rankOf = new int[vocabulary];
        for (int rank = 0; rank < vocabulary; rank++)
            rankOf[tokenAt[rank]] = rank;

        headWeight = store.Add(name + ".head.weight", headSize, inputSize);
        headBias = store.Add(name + ".head.bias", headSize);
        if (random is not null)
            Initialization.XavierUniform(store.Value(headWeight), inputSize, headSize, random);
        projection = new ParameterView[clusters];
        output = new ParameterView[clusters];
        for (int i = 0; i < clusters; i++)
        {
            int size = clusterStart[i + 1] - clusterStart[i];
            projection[i] = store.Add($"{name}.tail{i}.projection.weight", clusterWidth[i], inputSize);
            output[i] = store.Add($"{name}.tail{i}.output.weight", size, clusterWidth[i]);
            if (random is not null)
            {
                Initialization.XavierUniform(store.Value(projection[i]), inputSize, clusterWidth[i], random);
                Initialization.XavierUniform(store.Value(output[i]), clusterWidth[i], size, random);
            }
        }
        clusterRows = new int[clusters][];
        clusterCounts = new int[clusters];
        gathered = new T[clusters][];
        projected = new T[clusters][];
        tailScores = new T[clusters][];
        for (int i = 0; i < clusters; i++)
        {
            clusterRows[i] = Array.Empty<int>();
            gathered[i] = projected[i] = tailScores[i] = Array.Empty<T>();
        }
    }

    /// <summary>The inner size of tail cluster <paramref name="cluster"/>: H / 4^(i+1), at least 1 (PyTorch's <c>div_value</c> 4).</summary>
    public static int TailWidth(int inputSize, int cluster)
    {
        long divisor = 1;
        for (int i = 0; i <= cluster && divisor <= inputSize; i++)
            divisor *= 4;
        return Math.Max(1, (int)(inputSize / divisor));
    }

    /// <summary>Weights over an input of <paramref name="inputSize"/>, from the sizes alone.</summary>
    public static long ParameterCount(int inputSize, int vocabulary, IReadOnlyList<int> cutoffs)
    {
        long count = (long)(cutoffs[0] + cutoffs.Count) * (inputSize + 1);
        for (int i = 0; i < cutoffs.Count; i++)
        {
            int size = (i + 1 < cutoffs.Count ? cutoffs[i + 1] : vocabulary) - cutoffs[i];
            count += (long)TailWidth(inputSize, i) * (inputSize + size);
        }
        return count;
    }

    /// <summary>
    /// Σ −log p(target) over the rows with a target (<paramref name="targets"/>[row] a token id, or −1 for none), and
    /// keeps ∂(scale · that sum)/∂scores for <see cref="Backward"/>.
    /// </summary>
    public double Loss(int rows, ReadOnlySpan<T> input, ReadOnlySpan<int> targets, T scale, int threads)
    {
        this.rows = rows;
        Span<T> head = Workspace.Ensure(ref headScores, rows * headSize);
        VectorMath.BroadcastRows<T>(store.Value(headBias), rows, head);
        Gemm.Multiply(false, true, rows, headSize, inputSize, T.One, input, inputSize, store.Value(headWeight), inputSize, T.One, head, headSize, threads);

        // Which rows each cluster serves, in row order (so the sums run in one order on any thread count).
        Array.Clear(clusterCounts);
        for (int row = 0; row < rows; row++)
        {
            if (targets[row] >= 0 && rankOf[targets[row]] >= shortlist)
                clusterCounts[ClusterOf(rankOf[targets[row]])]++;
        }
        for (int i = 0; i < clusterCounts.Length; i++)
            Workspace.Ensure(ref clusterRows[i], clusterCounts[i]);
        Array.Clear(clusterCounts);
        double loss = 0;
        for (int row = 0; row < rows; row++)
        {
            Span<T> scores = head.Slice(row * headSize, headSize);
            if (targets[row] < 0)
            {
                scores.Clear();
                continue;
            }
            int rank = rankOf[targets[row]];
            int headTarget = rank;
            if (rank >= shortlist)
            {
                int cluster = ClusterOf(rank);
                clusterRows[cluster][clusterCounts[cluster]++] = row;
                headTarget = shortlist + cluster;
            }
            loss += CrossEntropyInPlace(scores, headTarget, scale);
        }

        for (int i = 0; i < clusterCounts.Length; i++)
        {
            int n = clusterCounts[i], width = clusterWidth[i], size = clusterStart[i + 1] - clusterStart[i];
            if (n == 0)
                continue;
            Span<T> x = Workspace.Ensure(ref gathered[i], n * inputSize);
            for (int j = 0; j < n; j++)
                input.Slice(clusterRows[i][j] * inputSize, inputSize).CopyTo(x.Slice(j * inputSize, inputSize));
            Span<T> inner = Workspace.Ensure(ref projected[i], n * width);
            Gemm.Multiply(false, true, n, width, inputSize, T.One, x, inputSize, store.Value(projection[i]), inputSize, T.Zero, inner, width, threads);
            Span<T> scores = Workspace.Ensure(ref tailScores[i], n * size);
            Gemm.Multiply(false, true, n, size, width, T.One, inner, width, store.Value(output[i]), width, T.Zero, scores, size, threads);
            for (int j = 0; j < n; j++)
                loss += CrossEntropyInPlace(scores.Slice(j * size, size), rankOf[targets[clusterRows[i][j]]] - clusterStart[i], scale);
        }
        return loss;
    }

    /// <summary>After <see cref="Loss"/>: accumulates the parameters' gradients and writes (overwrites) ∂loss/∂input [rows, H].</summary>
    public void Backward(ReadOnlySpan<T> input, Span<T> inputGradient, int threads)
    {
        ReadOnlySpan<T> head = headScores.AsSpan(0, rows * headSize);
        Gemm.Multiply(true, false, headSize, inputSize, rows, T.One, head, headSize, input, inputSize, T.One, store.Gradient(headWeight), inputSize, threads);
        VectorMath.AddColumnSums(head, rows, headSize, store.Gradient(headBias));
        Gemm.Multiply(false, false, rows, inputSize, headSize, T.One, head, headSize, store.Value(headWeight), inputSize, T.Zero, inputGradient, inputSize, threads);
        for (int i = 0; i < clusterCounts.Length; i++)
        {
            int n = clusterCounts[i], width = clusterWidth[i], size = clusterStart[i + 1] - clusterStart[i];
            if (n == 0)
                continue;
            ReadOnlySpan<T> scoreGradient = tailScores[i].AsSpan(0, n * size);
            ReadOnlySpan<T> inner = projected[i].AsSpan(0, n * width);
            Gemm.Multiply(true, false, size, width, n, T.One, scoreGradient, size, inner, width, T.One, store.Gradient(output[i]), width, threads);
            Span<T> innerGradient = Workspace.Ensure(ref projectedGradient, n * width);
            Gemm.Multiply(false, false, n, width, size, T.One, scoreGradient, size, store.Value(output[i]), width, T.Zero, innerGradient, width, threads);
            Gemm.Multiply(true, false, width, inputSize, n, T.One, innerGradient, width, gathered[i].AsSpan(0, n * inputSize), inputSize, T.One, store.Gradient(projection[i]), inputSize, threads);
            Span<T> xGradient = Workspace.Ensure(ref gatheredGradient, n * inputSize);
            Gemm.Multiply(false, false, n, inputSize, width, T.One, innerGradient, width, store.Value(projection[i]), inputSize, T.Zero, xGradient, inputSize, threads);
            for (int j = 0; j < n; j++)
                VectorMath.Add<T>(xGradient.Slice(j * inputSize, inputSize), inputGradient.Slice(clusterRows[i][j] * inputSize, inputSize));
        }
    }

    /// <summary>Writes log p(token) for every token id of every row [rows, V] (ids in their own order): exact, normalized over the vocabulary.</summary>
    public void LogProbabilities(int rows, ReadOnlySpan<T> input, Span<T> logProbabilities, int threads)
    {
        Span<T> head = Workspace.Ensure(ref headScores, rows * headSize);
        VectorMath.BroadcastRows<T>(store.Value(headBias), rows, head);
        Gemm.Multiply(false, true, rows, headSize, inputSize, T.One, input, inputSize, store.Value(headWeight), inputSize, T.One, head, headSize, threads);
        for (int row = 0; row < rows; row++)
        {
            Span<T> scores = head.Slice(row * headSize, headSize);
            LogSoftmaxInPlace(scores);
            Span<T> target = logProbabilities.Slice(row * vocabulary, vocabulary);
            for (int rank = 0; rank < shortlist; rank++)
                target[tokenAt[rank]] = scores[rank];
        }
        for (int i = 0; i < clusterCounts.Length; i++)
        {
            int width = clusterWidth[i], start = clusterStart[i], size = clusterStart[i + 1] - start;
            Span<T> inner = Workspace.Ensure(ref projected[i], rows * width);
            Gemm.Multiply(false, true, rows, width, inputSize, T.One, input, inputSize, store.Value(projection[i]), inputSize, T.Zero, inner, width, threads);
            Span<T> scores = Workspace.Ensure(ref tailScores[i], rows * size);
            Gemm.Multiply(false, true, rows, size, width, T.One, inner, width, store.Value(output[i]), width, T.Zero, scores, size, threads);
            for (int row = 0; row < rows; row++)
            {
                Span<T> tail = scores.Slice(row * size, size);
                LogSoftmaxInPlace(tail);
                T clusterLogProbability = head[row * headSize + shortlist + i];
                Span<T> target = logProbabilities.Slice(row * vocabulary, vocabulary);
                for (int j = 0; j < size; j++)
                    target[tokenAt[start + j]] = clusterLogProbability + tail[j];
            }
        }
    }

    /// <summary>The tail cluster holding rank <paramref name="rank"/> (at least the shortlist's size).</summary>
    private int ClusterOf(int rank)
    {
        int cluster = 0;
        while (rank >= clusterStart[cluster + 1])
            cluster++;
        return cluster;
    }

    /// <summary>−log softmax(z)_target of one row, which it overwrites with scale·(softmax(z) − onehot(target)).</summary>
    private static double CrossEntropyInPlace(Span<T> row, int target, T scale)
    {
        T maximum = TensorPrimitives.Max<T>(row);
        T targetLogit = row[target];
        TensorPrimitives.Subtract<T>(row, maximum, row);
        TensorPrimitives.Exp<T>(row, row);
        T total = TensorPrimitives.Sum<T>(row);
        TensorPrimitives.Multiply<T>(row, scale / total, row);
        row[target] -= scale;
        return double.CreateChecked(T.Log(total) - (targetLogit - maximum));
    }

    /// <summary>z ← z − log Σ exp(z), shifted by the maximum.</summary>
    private static void LogSoftmaxInPlace(Span<T> row)
    {
        T maximum = TensorPrimitives.Max<T>(row);
        T total = T.Zero;
        foreach (T value in row)
            total += T.Exp(value - maximum);
        TensorPrimitives.Subtract<T>(row, maximum + T.Log(total), row);
    }
}
