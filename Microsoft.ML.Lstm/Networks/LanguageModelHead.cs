using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// A next-token language model on a token encoder, and with a bidirectional encoder a previous-token one beside it
/// (ELMo's forward and backward models, sharing the embedding):
/// <code>
/// features [N, D] → dropout → forward half h→ [N, H]  → dense [N, V] → softmax: step t predicts token t + 1
///                           → backward half h← [N, H] → dense [N, V] → softmax: step t predicts token t − 1
/// </code>
/// The loss is the mean cross-entropy −log p(target) over every prediction of both directions (a sequence of n
/// tokens gives n − 1 in each); the targets are the batch's own tokens, so examples carry none. On an encoder of float
/// steps the same layers predict the next (previous) step's F values, and the loss is their mean squared error
/// (Σ (ŷ − y)² over the predictions' values, divided by their number). Parameters:
/// <c>head.dense.weight</c> [V, H], <c>head.dense.bias</c> [V] (forward, named as <see cref="StepSoftmaxHead{T}"/>'s
/// so the forward model can run alone as one) and <c>head.dense_reverse.*</c> (backward). <see cref="Predict"/> writes
/// the forward model's V logits (or F predicted values) at every step, each sequence's steps in time order: step t's
/// predict step t + 1.
/// With <see cref="LanguageModelHeadSpec.Cutoffs"/> each direction's dense layer and softmax are an
/// <see cref="AdaptiveSoftmax{T}"/> instead (<c>head.adaptive.*</c>, <c>head.adaptive_reverse.*</c>): the same loss, exact,
/// at a fraction of the work for a word vocabulary; <see cref="Predict"/> then writes the V log-probabilities, which a
/// softmax maps back to the probabilities as it maps logits.
/// </summary>
internal sealed class LanguageModelHead<T> : ISequenceHead<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly LanguageModelHeadSpec spec;
    private readonly DropoutLayer<T> dropout;
    private readonly DenseLayer<T>[] dense;     // [forward] or [forward, backward]; empty when adaptive
    private readonly AdaptiveSoftmax<T>[] adaptive; // [forward] or [forward, backward]; empty for a full softmax
    private readonly int directions;
    private int[] targetIds = Array.Empty<int>();       // [N] a direction's target token per row, −1 for none
    private readonly int hidden, featureSize, vocabulary;   // vocabulary: outputs per step (tokens, or a step's values)
    private readonly bool regression;
    private readonly OutputOrder order = new();
    private T[] dropped = Array.Empty<T>();             // [N, D] after dropout
    private T[][] halves = [];                          // per direction [N, H] (the forward one unused when D = H)
    private T[][] logits = [];                          // per direction [N, V], packed; then ∂loss/∂logits
    private T[] output = Array.Empty<T>();              // [N, V] caller's order
    private T[] halfGradient = Array.Empty<T>();        // [N, H]
    private T[] droppedGradient = Array.Empty<T>();     // [N, D]

    /// <summary>Registers the head's parameters and, given <paramref name="random"/>, initialises them.</summary>
    public LanguageModelHead(LanguageModelHeadSpec spec, ParameterStore<T> store, EncoderSpec encoder, Random? random)
    {
        spec.Validate();
        spec.CheckFits(encoder);
        this.spec = spec;
        hidden = encoder.HiddenSize;
        featureSize = encoder.OutputSize;
        vocabulary = spec.OutputSize;
        regression = encoder.Input == SequenceInputKind.Features;
        dropout = new DropoutLayer<T>(spec.Dropout, random ?? new Random(0));
        directions = spec.Bidirectional ? 2 : 1;
        string[] names = spec.IsAdaptive ? ["head.adaptive", "head.adaptive_reverse"] : ["head.dense", "head.dense_reverse"];
        dense = spec.IsAdaptive ? [] : [.. names.Take(directions).Select(name => new DenseLayer<T>(store, name, hidden, vocabulary, random))];
        adaptive = spec.IsAdaptive
            ? [.. names.Take(directions).Select(name => new AdaptiveSoftmax<T>(store, name, hidden, vocabulary, spec.Cutoffs, spec.TokenRanking, random))]
            : [];
        halves = new T[directions][];
        logits = new T[directions][];
        for (int d = 0; d < directions; d++)
        {
            halves[d] = Array.Empty<T>();
            logits[d] = Array.Empty<T>();
        }
    }

    /// <summary>Threads the softmax's products (the head's bulk of work at a word vocabulary) may use; the same bits for any count.</summary>
    public int Threads { get; set; } = 1;

    /// <inheritdoc />
    public HeadSpec Spec => spec;

    /// <inheritdoc />
    public bool ReadsFinalState => false;

    /// <inheritdoc />
    public int TargetCount(int length) => 0;

    /// <inheritdoc />
    public int PredictionCount(int length) => length * vocabulary;

    /// <inheritdoc />
    public HeadLoss Loss(EncodedBatch<T> encoded, ReadOnlySpan<T> targets, bool training)
    {
        PackedLayout layout = encoded.Layout;
        int rows = layout.TotalSteps;
        int[]? tokens = encoded.Batch.Tokens;
        T[]? steps = encoded.Batch.Features;
        if ((regression ? steps : (object?)tokens) is null)
            throw new ArgumentException($"This language model reads {(regression ? "float steps" : "token ids")}.", nameof(encoded));
        Span<T> input = Workspace.Ensure(ref dropped, rows * featureSize);
        dropout.Forward(encoded.Features, input, training);

        long predictions = 0;
        foreach (int length in layout.Lengths)
            predictions += length - 1;
        predictions *= directions;
        double lossSum = 0;
        long hits = 0;
        long values = regression ? predictions * vocabulary : predictions;
        T scale = predictions == 0 ? T.Zero : T.One / T.CreateChecked(values);
        for (int direction = 0; direction < directions; direction++)
        {
            if (adaptive.Length > 0)
            {
                lossSum += AdaptiveLoss(direction, layout, tokens!, input, scale);
                continue;
            }
            Span<T> scores = Workspace.Ensure(ref logits[direction], rows * vocabulary);
            dense[direction].Forward(rows, Half(direction, input, rows), scores, Threads);
            // Forward: step t predicts token t + 1; backward: step t predicts token t − 1.
            int shift = direction == 0 ? 1 : -1;
            for (int s = 0; s < layout.SequenceCount; s++)
            {
                int length = layout.Lengths[s];
                for (int t = 0; t < length; t++)
                {
                    Span<T> row = scores.Slice(layout.Row(t, s) * vocabulary, vocabulary);
                    int source = t + shift;
                    if (source < 0 || source >= length)
                    {
                        row.Clear(); // no target: no loss, no gradient
                        continue;
                    }
                    if (regression)
                    {
                        lossSum += SquaredErrorInPlace(row, steps.AsSpan(layout.Row(source, s) * vocabulary, vocabulary), scale);
                        continue;
                    }
                    int target = tokens![layout.Row(source, s)];
                    (double loss, bool hit) = CrossEntropyInPlace(row, target, scale);
                    lossSum += loss;
                    hits += hit ? 1 : 0;
                }
            }
        }
        // The adaptive softmax never forms the full distribution in training, so it counts no argmax hits.
        return new HeadLoss(predictions == 0 ? 0 : lossSum / values, predictions, regression || adaptive.Length > 0 ? null : hits);
    }

    /// <summary>Direction <paramref name="direction"/>'s summed loss through its adaptive softmax: each row's target is the batch's next (previous) token.</summary>
    private double AdaptiveLoss(int direction, PackedLayout layout, int[] tokens, ReadOnlySpan<T> input, T scale)
    {
        int rows = layout.TotalSteps;
        Span<int> targets = Workspace.Ensure(ref targetIds, rows);
        int shift = direction == 0 ? 1 : -1;
        for (int s = 0; s < layout.SequenceCount; s++)
        {
            int length = layout.Lengths[s];
            for (int t = 0; t < length; t++)
            {
                int source = t + shift;
                targets[layout.Row(t, s)] = source < 0 || source >= length ? -1 : tokens[layout.Row(source, s)];
            }
        }
        return adaptive[direction].Loss(rows, Half(direction, input, rows), targets, scale, Threads);
    }

    /// <inheritdoc />
    public void Backward(EncodedBatch<T> encoded, Span<T> featureGradient, RecurrentState<T>? finalStateGradient)
    {
        int rows = encoded.Layout.TotalSteps;
        Span<T> inputGradient = Workspace.Ensure(ref droppedGradient, rows * featureSize);
        for (int direction = 0; direction < directions; direction++)
        {
            ReadOnlySpan<T> half = Half(direction, dropped.AsSpan(0, rows * featureSize), rows, copy: false);
            Span<T> gradient = featureSize == hidden ? inputGradient : Workspace.Ensure(ref halfGradient, rows * hidden);
            if (adaptive.Length > 0)
                adaptive[direction].Backward(half, gradient, Threads);
            else
                dense[direction].Backward(rows, half, logits[direction].AsSpan(0, rows * vocabulary), gradient, Threads);
            if (featureSize == hidden)
                continue;
            for (int row = 0; row < rows; row++)
                gradient.Slice(row * hidden, hidden).CopyTo(inputGradient.Slice(row * featureSize + direction * hidden, hidden));
        }
        dropout.Backward(inputGradient, featureGradient);
    }

    /// <inheritdoc />
    public void Predict(EncodedBatch<T> encoded, Span<T> predictions)
    {
        PackedLayout layout = encoded.Layout;
        int rows = layout.TotalSteps;
        Span<T> input = Workspace.Ensure(ref dropped, rows * featureSize);
        encoded.Features.CopyTo(input);
        Span<T> scores = Workspace.Ensure(ref logits[0], rows * vocabulary);
        if (adaptive.Length > 0)
            adaptive[0].LogProbabilities(rows, Half(0, input, rows), scores, Threads);
        else
            dense[0].Forward(rows, Half(0, input, rows), scores, Threads);
        order.ForSteps(layout);
        Span<T> ordered = Workspace.Ensure(ref output, rows * vocabulary);
        order.ToCaller<T>(scores, ordered, vocabulary);
        ordered.CopyTo(predictions);
    }

    /// <summary>Direction <paramref name="direction"/>'s half of the features [N, H]: the features themselves when unidirectional, else a copy of its columns (made when <paramref name="copy"/>).</summary>
    private ReadOnlySpan<T> Half(int direction, ReadOnlySpan<T> features, int rows, bool copy = true)
    {
        if (featureSize == hidden)
            return features;
        Span<T> half = copy ? Workspace.Ensure(ref halves[direction], rows * hidden) : halves[direction].AsSpan(0, rows * hidden);
        if (copy)
        {
            for (int row = 0; row < rows; row++)
                features.Slice(row * featureSize + direction * hidden, hidden).CopyTo(half.Slice(row * hidden, hidden));
        }
        return half;
    }

    /// <summary>Σ (ŷ − y)² of one row of predictions, which it overwrites with the loss's gradient 2·scale·(ŷ − y).</summary>
    private static double SquaredErrorInPlace(Span<T> row, ReadOnlySpan<T> target, T scale)
    {
        System.Numerics.Tensors.TensorPrimitives.Subtract<T>(row, target, row);
        double loss = double.CreateChecked(System.Numerics.Tensors.TensorPrimitives.SumOfSquares<T>(row));
        System.Numerics.Tensors.TensorPrimitives.Multiply<T>(row, (scale + scale), row);
        return loss;
    }

    /// <summary>
    /// −log softmax(z)_target of one row of logits, which it overwrites with the loss's gradient
    /// scale·(softmax(z) − onehot(target)); and whether the target has the largest logit.
    /// </summary>
    private static (double Loss, bool Hit) CrossEntropyInPlace(Span<T> row, int target, T scale)
    {
        int best = System.Numerics.Tensors.TensorPrimitives.IndexOfMax<T>(row);
        T maximum = row[best];
        T targetLogit = row[target];
        System.Numerics.Tensors.TensorPrimitives.Subtract<T>(row, maximum, row);
        System.Numerics.Tensors.TensorPrimitives.Exp<T>(row, row);
        T total = System.Numerics.Tensors.TensorPrimitives.Sum<T>(row);
        System.Numerics.Tensors.TensorPrimitives.Multiply<T>(row, scale / total, row);
        row[target] -= scale;
        double loss = double.CreateChecked(T.Log(total) - (targetLogit - maximum));
        return (loss, best == target);
    }
}
