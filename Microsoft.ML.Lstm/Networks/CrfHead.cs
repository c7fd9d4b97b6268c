using System.Numerics;
using System.Numerics.Tensors;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// A linear-chain conditional random field over per-step emission scores, for tagging:
/// <code>
/// features [N, D] → dropout → dense: emissions E [N, K] → CRF over each sequence's tag path y_0 … y_{L−1}
/// score(y) = start[y_0] + Σ_t E_t[y_t] + Σ_{t≥1} A[y_{t−1}, y_t] + end[y_{L−1}]
/// p(y | x) = exp(score(y)) / Z,   log Z = log Σ_{y'} exp(score(y'))
/// </code>
/// Parameters: <c>head.dense.weight</c> [K, D], <c>head.dense.bias</c> [K], <c>head.crf.transitions</c> A [K, K]
/// (from → to), <c>head.crf.start</c> [K], <c>head.crf.end</c> [K]. The spec's constraints replace a forbidden
/// transition, start or end score by −∞, so it is in no path's score, no decoded path and no gradient.
/// <para>
/// Everything runs on the packed layout, all sequences of the batch at once: at step t only the first
/// BatchSizes[t] sequences run, and a sequence's last step is where its own length ends. The forward and backward
/// algorithms run in probability space, scaled so nothing overflows or underflows (K² multiply-adds per token instead
/// of K² exp and log). Once per batch, each score table is shifted by its largest allowed score and exponentiated,
/// a forbidden score becoming exactly 0: M_ij = exp(A_ij − a), σ_j = exp(start_j − a_s), ε_j = exp(end_j − a_e).
/// At each step the emissions are shifted by their maximum m_t: ψ_t(j) = exp(E_t(j) − m_t). Then
/// <code>
/// forward   α̂_0(j) = σ_j ψ_0(j)                 α̂_t(j) = ψ_t(j) Σ_i α_{t−1}(i) M_ij        c_t = Σ_j α̂_t(j)    α_t = α̂_t / c_t
///           c_end = Σ_j α_{L−1}(j) ε_j
///           log Z = a_s + (L−1)·a + a_e + Σ_t (m_t + log c_t) + log c_end
/// backward  β_{L−1}(i) = ε_i / c_end             β_t(i) = Σ_j M_ij w_{t+1}(j),   w_t(j) = ψ_t(j) β_t(j) / c_t
/// marginals p(y_t = j) = α_t(j) β_t(j), normalised to sum 1 (it does up to rounding)
///           p(y_{t−1} = i, y_t = j) = α_{t−1}(i) M_ij w_t(j)
/// Viterbi   δ_0(j) = start_j + E_0(j)            δ_t(j) = E_t(j) + max_i(δ_{t−1}(i) + A_ij), the argmax kept to trace back
/// </code>
/// Each α_t sums to 1, so with finite transitions and ψ_t's largest entry 1 no c_t can vanish; but forbidden
/// transitions, or scores far apart, can still make every allowed term underflow to 0. Should any c_t, c_end or
/// marginal normaliser be 0, or any scale not finite, the batch is recomputed in log space (LSE = log-sum-exp
/// shifted by its maximum): α_0(j) = start_j + E_0(j), α_t(j) = E_t(j) + LSE_i(α_{t−1}(i) + A_ij),
/// log Z = LSE_j(α_{L−1}(j) + end_j), β_{L−1}(i) = end_i, β_t(i) = LSE_j(A_ij + E_{t+1}(j) + β_{t+1}(j)),
/// p(y_t = j) = exp(α_t(j) + β_t(j) − log Z), p(y_{t−1} = i, y_t = j) = exp(α_{t−1}(i) + A_ij + E_t(j) + β_t(j) − log Z).
/// Every sum runs in a fixed order, so results do not depend on the thread count.
/// </para>
/// <para>
/// Loss: the mean over tokens of −log p(y | x) = log Z − score(y), summed over the batch's sequences and divided by
/// its N tokens, so a batch weighs like the per-step softmax's. Gradients, divided by the same N:
/// ∂/∂E_t(j) = p(y_t = j) − [y_t = j]; ∂/∂A_ij = Σ_t p(y_{t−1} = i, y_t = j) − #(i → j in y);
/// ∂/∂start_j = p(y_0 = j) − [y_0 = j]; ∂/∂end_j = p(y_{L−1} = j) − [y_{L−1} = j]. A forbidden score's gradient is
/// left at zero.
/// </para>
/// <para>
/// Correct (the tokens tagged right): when evaluating, the tokens whose Viterbi tag is the target. When training,
/// the tokens whose most probable tag by the marginals is the target: the marginals are already there for the
/// gradient, while Viterbi would be another K² per token (measured: about 0.3 ms of a 15 ms BiLSTM training step of
/// 640 tokens and 13 tags) for a count the trainer does not read (it reports accuracy from evaluation only). The two
/// counts differed by 0.3 % of tokens after one epoch of the span task in the tests, and not at all once trained.
/// </para>
/// <para>
/// <see cref="Predict"/> writes two values per step, each sequence's steps in time order, sequence after sequence in
/// the caller's order: the Viterbi tag (a class index as a number) and its marginal probability p(y_t = tag | x)
/// (how sure the model is of that one tag, not of the whole path). A sequence of L steps gives
/// [tag_0, p_0, tag_1, p_1, …, tag_{L−1}, p_{L−1}].
/// </para>
/// </summary>
internal sealed class CrfHead<T> : ISequenceHead<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Range of the uniform draw of the transition, start and end scores, as pytorch-crf does.</summary>
    private const double InitialScoreRange = 0.1;

    private readonly CrfHeadSpec spec;
    private readonly int k;
    private readonly ParameterStore<T> store;
    private readonly DropoutLayer<T> dropout;
    private readonly DenseLayer<T> dense;
    private readonly ParameterView transitions;
    private readonly ParameterView start;
    private readonly ParameterView end;
    private readonly OutputOrder order = new();

    // The scores with the constraints applied (−∞ where forbidden), rebuilt from the weights for each batch.
    private readonly T[] outgoing;          // [K from, K to]
    private readonly T[] incoming;          // [K to, K from]: the transpose, so the forward recursion reads rows too
    private readonly T[] startScores;       // [K]
    private readonly T[] endScores;         // [K]
    private readonly T[] terms;             // [K] the terms of one log-sum-exp or max
    private readonly T[] ahead;             // [K] E_{t+1} + β_{t+1} of one sequence, or E_t + β_t − log Z
    private readonly T[] pairCounts;        // [K, K] expected minus observed transition counts of a batch

    // The same in probability space: exp(score − its table's largest allowed score), exactly 0 where forbidden.
    private readonly T[] transitionFactors; // [K from, K to] M
    private readonly T[] startFactors;      // [K] σ
    private readonly T[] endFactors;        // [K] ε
    private T transitionShift, startShift, endShift;

    private T[] denseInput = Array.Empty<T>();          // [N, D] after dropout
    private T[] emissions = Array.Empty<T>();           // [N, K] packed
    private T[] alpha = Array.Empty<T>();               // [N, K] packed: scaled α_t, or log α_t when in log space
    private T[] beta = Array.Empty<T>();                // [N, K] packed: scaled β_t, or log β_t when in log space
    private T[] potentials = Array.Empty<T>();          // [N, K] packed ψ_t
    private T[] scales = Array.Empty<T>();              // [N] packed c_t
    private T[] weighted = Array.Empty<T>();            // [N, K] packed w_t
    private T[] endScales = Array.Empty<T>();           // [B] sorted c_end
    private T[] marginals = Array.Empty<T>();           // [N, K] packed
    private T[] delta = Array.Empty<T>();               // [N, K] packed Viterbi scores
    private int[] backPointers = Array.Empty<int>();    // [N, K] packed
    private int[] decoded = Array.Empty<int>();         // [N] packed Viterbi tags
    private T[] logPartition = Array.Empty<T>();        // [B] sorted
    private T[] targetValues = Array.Empty<T>();        // [N] packed
    private int[] tags = Array.Empty<int>();            // [N] packed targets
    private T[] emissionGradient = Array.Empty<T>();    // [N, K] packed
    private T[] denseInputGradient = Array.Empty<T>();  // [N, D]
    private T[] packedPredictions = Array.Empty<T>();   // [N, 2] packed
    private bool trained;
    private bool logSpace;                              // whether this batch's posteriors fell back to log space

    /// <summary>Registers the head's parameters and, given <paramref name="random"/>, initialises them.</summary>
    public CrfHead(CrfHeadSpec spec, ParameterStore<T> store, EncoderSpec encoder, Random? random)
    {
        spec.Validate();
        this.spec = spec;
        this.store = store;
        k = spec.ClassCount;
        dropout = new DropoutLayer<T>(spec.Dropout, random ?? new Random(0));
        dense = new DenseLayer<T>(store, "head.dense", encoder.OutputSize, k, random);
        transitions = store.Add("head.crf.transitions", k, k);
        start = store.Add("head.crf.start", k);
        end = store.Add("head.crf.end", k);
        if (random is not null)
        {
            InitialiseScores(store.Value(transitions), spec.AllowedTransitions, random);
            InitialiseScores(store.Value(start), spec.AllowedStarts, random);
            InitialiseScores(store.Value(end), spec.AllowedEnds, random);
        }
        outgoing = new T[k * k];
        incoming = new T[k * k];
        startScores = new T[k];
        endScores = new T[k];
        terms = new T[k];
        ahead = new T[k];
        pairCounts = new T[k * k];
        transitionFactors = new T[k * k];
        startFactors = new T[k];
        endFactors = new T[k];
    }

    /// <inheritdoc />
    public HeadSpec Spec => spec;

    /// <inheritdoc />
    public bool ReadsFinalState => false;

    /// <inheritdoc />
    public int TargetCount(int length) => length;

    /// <summary>Two per step: the Viterbi tag and its marginal probability.</summary>
    public int PredictionCount(int length) => 2 * length;

    /// <inheritdoc />
    public HeadLoss Loss(EncodedBatch<T> encoded, ReadOnlySpan<T> targets, bool training)
    {
        PackedLayout layout = encoded.Layout;
        int rows = layout.TotalSteps;
        trained = false;
        Emit(encoded, training);
        PackTargets(layout, targets);
        logSpace = !ScaledForward(layout);
        if (logSpace)
            ForwardAlgorithm(layout);
        T negativeLogLikelihood = T.Zero;
        for (int s = 0; s < layout.SequenceCount; s++)
            negativeLogLikelihood += logPartition[s] - PathScore(layout, s);
        long correct = 0;
        if (training)
        {
            BackwardAndMarginals(layout);
            correct = Classification.CountArgMaxHits<T>(marginals.AsSpan(0, rows * k), targetValues.AsSpan(0, rows), rows, k);
        }
        else
        {
            Viterbi(layout);
            for (int r = 0; r < rows; r++)
                correct += decoded[r] == tags[r] ? 1 : 0;
        }
        trained = training;
        return new HeadLoss(double.CreateChecked(negativeLogLikelihood / T.CreateChecked(rows)), rows, correct);
    }

    /// <inheritdoc />
    public void Backward(EncodedBatch<T> encoded, Span<T> featureGradient, RecurrentState<T>? finalStateGradient)
    {
        if (!trained)
            throw new InvalidOperationException("The CRF head's Backward needs a training Loss first.");
        PackedLayout layout = encoded.Layout;
        int rows = layout.TotalSteps, d = encoded.FeatureSize;
        T scale = T.One / T.CreateChecked(rows);

        // ∂/∂E = (marginals − one-hot(y)) / N.
        Span<T> gradient = Workspace.Ensure(ref emissionGradient, rows * k);
        marginals.AsSpan(0, rows * k).CopyTo(gradient);
        for (int r = 0; r < rows; r++)
            gradient[r * k + tags[r]] -= T.One;
        TensorPrimitives.Multiply(gradient, scale, gradient);

        AccumulateScoreGradients(layout, scale);

        Span<T> droppedGradient = Workspace.Ensure(ref denseInputGradient, rows * d);
        dense.Backward(rows, denseInput.AsSpan(0, rows * d), gradient, droppedGradient);
        dropout.Backward(droppedGradient, featureGradient);
    }

    /// <inheritdoc />
    public void Predict(EncodedBatch<T> encoded, Span<T> predictions)
    {
        PackedLayout layout = encoded.Layout;
        int rows = layout.TotalSteps;
        Posteriors(encoded);
        Viterbi(layout);
        Span<T> packed = Workspace.Ensure(ref packedPredictions, rows * 2);
        for (int r = 0; r < rows; r++)
        {
            packed[2 * r] = T.CreateChecked(decoded[r]);
            packed[2 * r + 1] = marginals[r * k + decoded[r]];
        }
        order.ForSteps(layout);
        order.ToCaller<T>(packed, predictions, 2);
        trained = false;
    }

    /// <summary>
    /// The marginal probability of every tag at every step, p(y_t = j | x) [N, K], each sequence's steps in time order,
    /// sequence after sequence in the caller's order.
    /// </summary>
    public void PredictMarginals(EncodedBatch<T> encoded, Span<T> destination)
    {
        Posteriors(encoded);
        order.ForSteps(encoded.Layout);
        order.ToCaller<T>(marginals.AsSpan(0, encoded.Layout.TotalSteps * k), destination, k);
        trained = false;
    }

    /// <summary>Emissions, the forward and backward recursions and the marginals of a batch, without dropout.</summary>
    private void Posteriors(EncodedBatch<T> encoded)
    {
        Emit(encoded, training: false);
        logSpace = !ScaledForward(encoded.Layout);
        if (logSpace)
            ForwardAlgorithm(encoded.Layout);
        BackwardAndMarginals(encoded.Layout);
    }

    /// <summary>
    /// β and the marginals of a batch whose forward pass is done: scaled, falling back to log space for the whole
    /// batch (forward pass included) should a normaliser vanish or a scale overflow.
    /// </summary>
    private void BackwardAndMarginals(PackedLayout layout)
    {
        if (!logSpace && ScaledBackward(layout))
            return;
        if (!logSpace)
        {
            logSpace = true;
            ForwardAlgorithm(layout);
        }
        BackwardAlgorithm(layout);
        Marginals(layout);
    }

    /// <summary>Emissions [N, K] from the features, and the constrained transition, start and end scores.</summary>
    private void Emit(EncodedBatch<T> encoded, bool training)
    {
        int rows = encoded.Layout.TotalSteps, d = encoded.FeatureSize;
        Span<T> dropped = Workspace.Ensure(ref denseInput, rows * d);
        dropout.Forward(encoded.Features, dropped, training);
        dense.Forward(rows, dropped, Workspace.Ensure(ref emissions, rows * k));

        ReadOnlySpan<T> weights = store.Value(transitions), first = store.Value(start), last = store.Value(end);
        for (int from = 0; from < k; from++)
        {
            for (int to = 0; to < k; to++)
            {
                T score = spec.AllowsTransition(from, to) ? weights[from * k + to] : T.NegativeInfinity;
                outgoing[from * k + to] = score;
                incoming[to * k + from] = score;
            }
        }
        for (int tag = 0; tag < k; tag++)
        {
            startScores[tag] = spec.AllowsStart(tag) ? first[tag] : T.NegativeInfinity;
            endScores[tag] = spec.AllowsEnd(tag) ? last[tag] : T.NegativeInfinity;
        }
        transitionShift = Exponentiate(outgoing, transitionFactors);
        startShift = Exponentiate(startScores, startFactors);
        endShift = Exponentiate(endScores, endFactors);
    }

    /// <summary>
    /// factors_i = exp(scores_i − the largest finite score), exactly 0 where a score is −∞ (forbidden); returns the
    /// shift (0 if every score is forbidden).
    /// </summary>
    private static T Exponentiate(ReadOnlySpan<T> scores, Span<T> factors)
    {
        T largest = T.NegativeInfinity;
        foreach (T score in scores)
        {
            if (!T.IsNegativeInfinity(score) && !(score <= largest))
                largest = score;
        }
        if (T.IsNegativeInfinity(largest))
            largest = T.Zero;
        for (int i = 0; i < scores.Length; i++)
            factors[i] = T.IsNegativeInfinity(scores[i]) ? T.Zero : T.Exp(scores[i] - largest);
        return largest;
    }

    /// <summary>Whether a normaliser can be divided by: positive, finite, with a finite reciprocal.</summary>
    private static bool Usable(T normaliser) => normaliser > T.Zero && T.IsFinite(normaliser) && T.IsFinite(T.One / normaliser);

    /// <summary>The targets in packed order, each checked to be a tag and each path to be one the constraints allow.</summary>
    private void PackTargets(PackedLayout layout, ReadOnlySpan<T> targets)
    {
        int rows = layout.TotalSteps;
        if (targets.Length != rows)
            throw new ArgumentException($"The batch has {rows} steps but {targets.Length} targets; a CRF takes one tag per step.", nameof(targets));
        Span<T> values = Workspace.Ensure(ref targetValues, rows);
        order.ForSteps(layout);
        order.FromCaller(targets, values, 1);
        Span<int> packed = Workspace.Ensure(ref tags, rows);
        for (int s = 0; s < layout.SequenceCount; s++)
        {
            for (int t = 0; t < layout.Lengths[s]; t++)
            {
                int row = layout.Row(t, s);
                int tag = int.CreateTruncating(values[row]);
                if ((uint)tag >= (uint)k)
                    throw new ArgumentOutOfRangeException(nameof(targets), values[row], $"Sequence {layout.SortedToOriginal[s]} has tag {values[row]} at step {t}, outside [0, {k}).");
                bool allowed = t == 0 ? spec.AllowsStart(tag) : spec.AllowsTransition(packed[layout.Row(t - 1, s)], tag);
                if (!allowed || (t == layout.Lengths[s] - 1 && !spec.AllowsEnd(tag)))
                    throw new ArgumentException($"Sequence {layout.SortedToOriginal[s]}'s tags break the CRF's constraints at step {t} (tag {tag}).", nameof(targets));
                packed[row] = tag;
            }
        }
    }

    /// <summary>score(y) of sequence <paramref name="sequence"/>'s target path.</summary>
    private T PathScore(PackedLayout layout, int sequence)
    {
        int previous = tags[layout.Row(0, sequence)];
        T score = startScores[previous] + emissions[layout.Row(0, sequence) * k + previous];
        for (int t = 1; t < layout.Lengths[sequence]; t++)
        {
            int row = layout.Row(t, sequence), tag = tags[row];
            score += outgoing[previous * k + tag] + emissions[row * k + tag];
            previous = tag;
        }
        return score + endScores[previous];
    }

    /// <summary>
    /// ψ, scaled α and c [N], c_end and log Z [B] in probability space; false (nothing else touched) if a normaliser
    /// vanished or a scale overflowed, so the batch has to go to log space.
    /// </summary>
    private bool ScaledForward(PackedLayout layout)
    {
        int rows = layout.TotalSteps;
        Span<T> a = Workspace.Ensure(ref alpha, rows * k);
        Span<T> psi = Workspace.Ensure(ref potentials, rows * k);
        Span<T> c = Workspace.Ensure(ref scales, rows);
        Span<T> logZ = Workspace.Ensure(ref logPartition, layout.SequenceCount);
        Span<T> cEnd = Workspace.Ensure(ref endScales, layout.SequenceCount);
        ReadOnlySpan<T> e = emissions.AsSpan(0, rows * k);
        ReadOnlySpan<T> factors = transitionFactors;
        for (int t = 0; t < layout.MaxLength; t++)
        {
            for (int s = 0; s < layout.BatchSizes[t]; s++)
            {
                int row = layout.Row(t, s);
                ReadOnlySpan<T> scores = e.Slice(row * k, k);
                Span<T> potential = psi.Slice(row * k, k), next = a.Slice(row * k, k);
                T shift = TensorPrimitives.Max<T>(scores);
                TensorPrimitives.Subtract(scores, shift, potential);
                TensorPrimitives.Exp<T>(potential, potential);
                if (t == 0)
                {
                    for (int j = 0; j < k; j++)
                        next[j] = startFactors[j] * potential[j];
                }
                else
                {
                    ReadOnlySpan<T> previous = a.Slice(layout.Row(t - 1, s) * k, k);
                    next.Clear();
                    for (int i = 0; i < k; i++)
                    {
                        T from = previous[i];
                        if (from == T.Zero)
                            continue;
                        ReadOnlySpan<T> factorRow = factors.Slice(i * k, k);
                        for (int j = 0; j < k; j++)
                            next[j] += from * factorRow[j];
                    }
                    for (int j = 0; j < k; j++)
                        next[j] *= potential[j];
                }
                T sum = T.Zero;
                for (int j = 0; j < k; j++)
                    sum += next[j];
                if (!Usable(sum))
                    return false;
                T inverse = T.One / sum;
                for (int j = 0; j < k; j++)
                    next[j] *= inverse;
                c[row] = sum;
                logZ[s] = (t == 0 ? startShift : logZ[s] + transitionShift) + (shift + T.Log(sum));
            }
        }
        for (int s = 0; s < layout.SequenceCount; s++)
        {
            ReadOnlySpan<T> last = a.Slice(layout.Row(layout.Lengths[s] - 1, s) * k, k);
            T sum = T.Zero;
            for (int j = 0; j < k; j++)
                sum += last[j] * endFactors[j];
            if (!Usable(sum))
                return false;
            cEnd[s] = sum;
            logZ[s] += endShift + T.Log(sum);
        }
        return true;
    }

    /// <summary>
    /// Scaled β, the marginals [N, K] and w [N, K] from a scaled forward pass; false if a normaliser vanished or a
    /// value overflowed, so the batch has to go to log space.
    /// </summary>
    private bool ScaledBackward(PackedLayout layout)
    {
        int rows = layout.TotalSteps;
        Span<T> b = Workspace.Ensure(ref beta, rows * k);
        Span<T> w = Workspace.Ensure(ref weighted, rows * k);
        Span<T> p = Workspace.Ensure(ref marginals, rows * k);
        ReadOnlySpan<T> factors = transitionFactors;
        for (int t = layout.MaxLength - 1; t >= 0; t--)
        {
            for (int s = 0; s < layout.BatchSizes[t]; s++)
            {
                int row = layout.Row(t, s);
                Span<T> current = b.Slice(row * k, k);
                if (t == layout.Lengths[s] - 1)
                {
                    T inverseEnd = T.One / endScales[s];
                    for (int i = 0; i < k; i++)
                        current[i] = endFactors[i] * inverseEnd;
                }
                else
                {
                    ReadOnlySpan<T> ahead = w.Slice(layout.Row(t + 1, s) * k, k);
                    for (int i = 0; i < k; i++)
                    {
                        ReadOnlySpan<T> factorRow = factors.Slice(i * k, k);
                        T sum = T.Zero;
                        for (int j = 0; j < k; j++)
                            sum += factorRow[j] * ahead[j];
                        current[i] = sum;
                    }
                }

                ReadOnlySpan<T> forward = alpha.AsSpan(row * k, k);
                Span<T> rowMarginals = p.Slice(row * k, k);
                T total = T.Zero;
                for (int j = 0; j < k; j++)
                {
                    rowMarginals[j] = forward[j] * current[j];
                    total += rowMarginals[j];
                }
                if (!Usable(total))
                    return false;
                T inverse = T.One / total;
                for (int j = 0; j < k; j++)
                    rowMarginals[j] *= inverse;

                if (t > 0)
                {
                    ReadOnlySpan<T> potential = potentials.AsSpan(row * k, k);
                    Span<T> rowWeights = w.Slice(row * k, k);
                    T inverseScale = T.One / scales[row], weights = T.Zero;
                    for (int j = 0; j < k; j++)
                    {
                        rowWeights[j] = potential[j] * current[j] * inverseScale;
                        weights += rowWeights[j];
                    }
                    if (!T.IsFinite(weights))
                        return false;
                }
            }
        }
        return true;
    }

    /// <summary>Log space: α [N, K] and log Z [B].</summary>
    private void ForwardAlgorithm(PackedLayout layout)
    {
        int rows = layout.TotalSteps;
        Span<T> a = Workspace.Ensure(ref alpha, rows * k);
        ReadOnlySpan<T> e = emissions.AsSpan(0, rows * k);
        for (int s = 0; s < layout.BatchSizes[0]; s++)
            TensorPrimitives.Add(startScores, e.Slice(s * k, k), a.Slice(s * k, k));
        for (int t = 1; t < layout.MaxLength; t++)
        {
            for (int s = 0; s < layout.BatchSizes[t]; s++)
            {
                ReadOnlySpan<T> previous = a.Slice(layout.Row(t - 1, s) * k, k);
                int row = layout.Row(t, s) * k;
                for (int j = 0; j < k; j++)
                    a[row + j] = e[row + j] + LogSumExp(previous, incoming.AsSpan(j * k, k));
            }
        }
        Span<T> logZ = Workspace.Ensure(ref logPartition, layout.SequenceCount);
        for (int s = 0; s < layout.SequenceCount; s++)
            logZ[s] = LogSumExp(a.Slice(layout.Row(layout.Lengths[s] - 1, s) * k, k), endScores);
    }

    /// <summary>Log space: β [N, K], each sequence from its own last step back.</summary>
    private void BackwardAlgorithm(PackedLayout layout)
    {
        int rows = layout.TotalSteps;
        Span<T> b = Workspace.Ensure(ref beta, rows * k);
        ReadOnlySpan<T> e = emissions.AsSpan(0, rows * k);
        for (int t = layout.MaxLength - 1; t >= 0; t--)
        {
            for (int s = 0; s < layout.BatchSizes[t]; s++)
            {
                int row = layout.Row(t, s) * k;
                if (t == layout.Lengths[s] - 1)
                {
                    endScores.CopyTo(b.Slice(row, k));
                    continue;
                }
                int next = layout.Row(t + 1, s) * k;
                TensorPrimitives.Add(e.Slice(next, k), b.Slice(next, k), ahead);
                for (int i = 0; i < k; i++)
                    b[row + i] = LogSumExp(outgoing.AsSpan(i * k, k), ahead);
            }
        }
    }

    /// <summary>p(y_t = j | x) = exp(α_t(j) + β_t(j) − log Z) [N, K].</summary>
    private void Marginals(PackedLayout layout)
    {
        Span<T> p = Workspace.Ensure(ref marginals, layout.TotalSteps * k);
        for (int t = 0; t < layout.MaxLength; t++)
        {
            for (int s = 0; s < layout.BatchSizes[t]; s++)
            {
                int row = layout.Row(t, s) * k;
                Span<T> rowMarginals = p.Slice(row, k);
                TensorPrimitives.Add(alpha.AsSpan(row, k), beta.AsSpan(row, k), rowMarginals);
                TensorPrimitives.Subtract(rowMarginals, logPartition[s], rowMarginals);
                TensorPrimitives.Exp<T>(rowMarginals, rowMarginals);
            }
        }
    }

    /// <summary>
    /// Adds (expected − observed) / N of every allowed transition, start and end into the gradients: the expected
    /// transition counts are the pair marginals summed over every sequence's steps.
    /// </summary>
    private void AccumulateScoreGradients(PackedLayout layout, T scale)
    {
        Span<T> counts = pairCounts;
        counts.Clear();
        if (logSpace)
            LogSpacePairCounts(layout, counts);
        else
            ScaledPairCounts(layout, counts);
        for (int t = 1; t < layout.MaxLength; t++)
        {
            for (int s = 0; s < layout.BatchSizes[t]; s++)
                counts[tags[layout.Row(t - 1, s)] * k + tags[layout.Row(t, s)]] -= T.One;
        }
        Span<T> transitionGradient = store.Gradient(transitions);
        for (int i = 0; i < k * k; i++)
        {
            if (spec.AllowsTransition(i / k, i % k))
                transitionGradient[i] += counts[i] * scale;
        }

        Span<T> startGradient = store.Gradient(start), endGradient = store.Gradient(end);
        for (int s = 0; s < layout.SequenceCount; s++)
        {
            int first = layout.Row(0, s), last = layout.Row(layout.Lengths[s] - 1, s);
            for (int j = 0; j < k; j++)
            {
                if (spec.AllowsStart(j))
                    startGradient[j] += (marginals[first * k + j] - (tags[first] == j ? T.One : T.Zero)) * scale;
                if (spec.AllowsEnd(j))
                    endGradient[j] += (marginals[last * k + j] - (tags[last] == j ? T.One : T.Zero)) * scale;
            }
        }
    }

    /// <summary>Adds Σ_t p(y_{t−1} = i, y_t = j) = Σ_t α_{t−1}(i) M_ij w_t(j) into <paramref name="counts"/>.</summary>
    private void ScaledPairCounts(PackedLayout layout, Span<T> counts)
    {
        ReadOnlySpan<T> factors = transitionFactors;
        for (int t = 1; t < layout.MaxLength; t++)
        {
            for (int s = 0; s < layout.BatchSizes[t]; s++)
            {
                ReadOnlySpan<T> previous = alpha.AsSpan(layout.Row(t - 1, s) * k, k);
                ReadOnlySpan<T> w = weighted.AsSpan(layout.Row(t, s) * k, k);
                for (int i = 0; i < k; i++)
                {
                    T from = previous[i];
                    if (from == T.Zero)
                        continue;
                    ReadOnlySpan<T> factorRow = factors.Slice(i * k, k);
                    Span<T> countRow = counts.Slice(i * k, k);
                    for (int j = 0; j < k; j++)
                        countRow[j] += from * factorRow[j] * w[j];
                }
            }
        }
    }

    /// <summary>Adds Σ_t p(y_{t−1} = i, y_t = j), computed in log space, into <paramref name="counts"/>.</summary>
    private void LogSpacePairCounts(PackedLayout layout, Span<T> counts)
    {
        for (int t = 1; t < layout.MaxLength; t++)
        {
            for (int s = 0; s < layout.BatchSizes[t]; s++)
            {
                int previous = layout.Row(t - 1, s), row = layout.Row(t, s);
                // ahead_j = E_t(j) + β_t(j) − log Z, so p(y_{t−1} = i, y_t = j) = exp(α_{t−1}(i) + A_ij + ahead_j).
                TensorPrimitives.Add(emissions.AsSpan(row * k, k), beta.AsSpan(row * k, k), ahead);
                TensorPrimitives.Subtract(ahead, logPartition[s], ahead);
                for (int i = 0; i < k; i++)
                {
                    T fromScore = alpha[previous * k + i];
                    if (T.IsNegativeInfinity(fromScore))
                        continue;
                    Span<T> pairs = terms;
                    TensorPrimitives.Add(outgoing.AsSpan(i * k, k), ahead, pairs);
                    TensorPrimitives.Add(pairs, fromScore, pairs);
                    TensorPrimitives.Exp<T>(pairs, pairs);
                    TensorPrimitives.Add(counts.Slice(i * k, k), pairs, counts.Slice(i * k, k));
                }
            }
        }
    }

    /// <summary>The most probable path of every sequence: δ [N, K] forward, then each sequence traced back from its last step.</summary>
    private void Viterbi(PackedLayout layout)
    {
        int rows = layout.TotalSteps;
        Span<T> best = Workspace.Ensure(ref delta, rows * k);
        Span<int> from = Workspace.Ensure(ref backPointers, rows * k);
        Span<int> path = Workspace.Ensure(ref decoded, rows);
        ReadOnlySpan<T> e = emissions.AsSpan(0, rows * k);
        for (int s = 0; s < layout.BatchSizes[0]; s++)
            TensorPrimitives.Add(startScores, e.Slice(s * k, k), best.Slice(s * k, k));
        for (int t = 1; t < layout.MaxLength; t++)
        {
            for (int s = 0; s < layout.BatchSizes[t]; s++)
            {
                ReadOnlySpan<T> previous = best.Slice(layout.Row(t - 1, s) * k, k);
                int row = layout.Row(t, s) * k;
                for (int j = 0; j < k; j++)
                {
                    TensorPrimitives.Add(previous, incoming.AsSpan(j * k, k), terms);
                    int i = Classification.ArgMax<T>(terms);
                    best[row + j] = e[row + j] + terms[i];
                    from[row + j] = i;
                }
            }
        }
        for (int s = 0; s < layout.SequenceCount; s++)
        {
            int last = layout.Row(layout.Lengths[s] - 1, s);
            TensorPrimitives.Add(best.Slice(last * k, k), endScores, terms);
            int tag = Classification.ArgMax<T>(terms);
            path[last] = tag;
            for (int t = layout.Lengths[s] - 1; t > 0; t--)
            {
                tag = from[layout.Row(t, s) * k + tag];
                path[layout.Row(t - 1, s)] = tag;
            }
        }
    }

    /// <summary>log Σ_i exp(a_i + b_i), shifted by the largest term; −∞ when every term is.</summary>
    private T LogSumExp(ReadOnlySpan<T> a, ReadOnlySpan<T> b)
    {
        Span<T> sum = terms;
        TensorPrimitives.Add(a, b, sum);
        T largest = TensorPrimitives.Max<T>(sum);
        if (T.IsNegativeInfinity(largest))
            return largest;
        TensorPrimitives.Subtract(sum, largest, sum);
        TensorPrimitives.Exp<T>(sum, sum);
        return largest + T.Log(TensorPrimitives.Sum<T>(sum));
    }

    /// <summary>Draws allowed scores from U(−0.1, 0.1) and sets forbidden ones to zero (they are never read).</summary>
    private static void InitialiseScores(Span<T> scores, bool[]? allowed, Random random)
    {
        for (int i = 0; i < scores.Length; i++)
        {
            T value = T.CreateChecked((random.NextDouble() * 2 - 1) * InitialScoreRange);
            scores[i] = (allowed?[i] ?? true) ? value : T.Zero;
        }
    }
}
