using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// The forecasting head: direct multi-horizon quantile forecasts from the encoder's last step.
/// <code>
/// features [N, D] → last step of each sequence [B, D] → dropout → dense [B, Q·H]
///   + skip: the first input feature of the last K steps x [B, K] · Aᵀ, A [Q·H, K]
///   + future: the C lead channels (from feature o) of the last H steps z [B, H·C] · Fᵀ + f, F [Q·H, H·C]
///     (step t's lead channels hold the covariates of step t + H: the last H steps hold the forecast steps' covariates)
/// output (b, q, h) = the level-τ_q quantile of the value h+1 steps after the sequence's last step
/// loss = mean over observed targets y_{b,h} (NaN ones left out) and levels q of ρ_τ(y − ŷ),
///        ρ_τ(e) = max(τ·e, (τ − 1)·e)   (the pinball loss; τ = 0.5 gives half the absolute error)
/// ∂loss/∂ŷ = (−τ if y &gt; ŷ, 1 − τ if y &lt; ŷ, 0 if equal) / count
/// </code>
/// With a bidirectional encoder the backward half is read at the first step, where that direction finished.
/// Parameters: <c>head.dense.weight</c> [Q·H, D], <c>head.dense.bias</c> [Q·H], and with K &gt; 0 <c>head.skip.weight</c> [Q·H, K] (and <c>head.skip.bias</c>, which adds to the dense bias), and with C &gt; 0 <c>head.future.weight</c> [Q·H, H·C] and <c>head.future.bias</c>.
/// <see cref="Predict"/> writes each sequence's Q·H outputs, level after level, in the caller's order.
/// </summary>
internal sealed class ForecastHead<T> : ISequenceHead<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ForecastHeadSpec spec;
    private readonly SequencePooling<T> lastStep;
    private readonly DropoutLayer<T> dropout;
    private readonly DenseLayer<T> dense;
    private readonly DenseLayer<T>? skip;
    private readonly DenseLayer<T>? future;
    private readonly int featuresPerStep;
    private readonly OutputOrder order = new();
    private T[] pooled = Array.Empty<T>();          // [B, D] sorted order
    private T[] denseInput = Array.Empty<T>();      // [B, D] after dropout
    private T[] skipInput = Array.Empty<T>();       // [B, K] sorted order
    private T[] skipOutput = Array.Empty<T>();      // [B, Q·H] sorted order
    private T[] futureInput = Array.Empty<T>();     // [B, H·C] sorted order
    private T[] futureOutput = Array.Empty<T>();    // [B, Q·H] sorted order
    private T[] sortedOutput = Array.Empty<T>();    // [B, Q·H] sorted order
    private T[] output = Array.Empty<T>();          // [B, Q·H] caller's order
    private T[] outputGradient = Array.Empty<T>();  // caller's order
    private T[] sortedOutputGradient = Array.Empty<T>();
    private T[] denseInputGradient = Array.Empty<T>();
    private T[] pooledGradient = Array.Empty<T>();

    /// <summary>Registers the head's parameters and, given <paramref name="random"/>, initialises them.</summary>
    public ForecastHead(ForecastHeadSpec spec, ParameterStore<T> store, EncoderSpec encoder, Random? random)
    {
        spec.Validate();
        spec.ValidateWith(encoder);
        this.spec = spec;
        featuresPerStep = encoder.FeaturesPerStep;
        int directions = encoder.Bidirectional && encoder.Merge == MergeMode.Concat ? 2 : 1;
        lastStep = new SequencePooling<T>(PoolingMode.LastState, encoder.OutputSize, directions, null, "head.last", null);
        dropout = new DropoutLayer<T>(spec.Dropout, random ?? new Random(0));
        dense = new DenseLayer<T>(store, "head.dense", encoder.OutputSize, spec.OutputSize, random);
        if (spec.InputSkipSteps > 0)
        {
            skip = new DenseLayer<T>(store, "head.skip", spec.InputSkipSteps, spec.OutputSize, random: null);
            // Starts at zero: the network begins as the recurrent path alone. A skip layer has no use for its bias, but
            // DenseLayer registers one; it stays in the file so that the parameter list is the layer's own.
        }
        if (spec.FutureCovariates > 0)
            future = new DenseLayer<T>(store, "head.future", spec.FutureInputSize, spec.OutputSize, random);
    }

    /// <inheritdoc />
    public HeadSpec Spec => spec;

    /// <inheritdoc />
    public bool ReadsFinalState => false;

    /// <inheritdoc />
    public int TargetCount(int length) => spec.Horizon;

    /// <inheritdoc />
    public int PredictionCount(int length) => spec.OutputSize;

    /// <inheritdoc />
    public HeadLoss Loss(EncodedBatch<T> encoded, ReadOnlySpan<T> targets, bool training)
    {
        ReadOnlySpan<T> outputs = Forward(encoded, training);
        int rows = encoded.Layout.SequenceCount;
        Span<T> gradient = Workspace.Ensure(ref outputGradient, outputs.Length);
        double mean = Pinball(outputs, targets, rows, gradient);
        return new HeadLoss(mean, rows, null);
    }

    /// <summary>The mean pinball loss over observed targets and levels; writes its gradient (0 where a target is missing).</summary>
    private double Pinball(ReadOnlySpan<T> outputs, ReadOnlySpan<T> targets, int rows, Span<T> gradient)
    {
        int horizon = spec.Horizon, levels = spec.Quantiles.Length;
        long observed = 0;
        for (int i = 0; i < rows * horizon; i++)
            observed += T.IsNaN(targets[i]) ? 0 : 1;
        gradient.Clear();
        if (observed == 0)
            return 0;
        T count = T.CreateChecked(observed * levels);
        T total = T.Zero;
        for (int b = 0; b < rows; b++)
        {
            for (int q = 0; q < levels; q++)
            {
                T tau = T.CreateChecked(spec.Quantiles[q]);
                for (int h = 0; h < horizon; h++)
                {
                    T y = targets[b * horizon + h];
                    if (T.IsNaN(y))
                        continue;
                    int at = (b * levels + q) * horizon + h;
                    T error = y - outputs[at];
                    if (error > T.Zero)
                    {
                        total += tau * error;
                        gradient[at] = -tau / count;
                    }
                    else if (error < T.Zero)
                    {
                        total += (tau - T.One) * error;
                        gradient[at] = (T.One - tau) / count;
                    }
                }
            }
        }
        return double.CreateChecked(total / count);
    }

    /// <inheritdoc />
    public void Backward(EncodedBatch<T> encoded, Span<T> featureGradient, RecurrentState<T>? finalStateGradient)
    {
        PackedLayout layout = encoded.Layout;
        int rows = layout.SequenceCount, k = spec.OutputSize, features = lastStep.OutputSize;
        Span<T> sortedGradient = Workspace.Ensure(ref sortedOutputGradient, rows * k);
        order.FromCaller<T>(outputGradient.AsSpan(0, rows * k), sortedGradient, k);
        skip?.Backward(rows, skipInput.AsSpan(0, rows * spec.InputSkipSteps), sortedGradient, Span<T>.Empty);
        future?.Backward(rows, futureInput.AsSpan(0, rows * spec.FutureInputSize), sortedGradient, Span<T>.Empty);
        Span<T> droppedGradient = Workspace.Ensure(ref denseInputGradient, rows * features);
        dense.Backward(rows, denseInput.AsSpan(0, rows * features), sortedGradient, droppedGradient);
        Span<T> summaryGradient = Workspace.Ensure(ref pooledGradient, rows * features);
        dropout.Backward(droppedGradient, summaryGradient);
        lastStep.Backward(layout, encoded.Features, summaryGradient, featureGradient);
    }

    /// <inheritdoc />
    public void Predict(EncodedBatch<T> encoded, Span<T> predictions) => Forward(encoded, training: false).CopyTo(predictions);

    /// <summary>The Q·H outputs of each sequence [B, Q·H], in the caller's order.</summary>
    private ReadOnlySpan<T> Forward(EncodedBatch<T> encoded, bool training)
    {
        PackedLayout layout = encoded.Layout;
        int rows = layout.SequenceCount, features = lastStep.OutputSize, k = spec.OutputSize;
        Span<T> summary = Workspace.Ensure(ref pooled, rows * features);
        lastStep.Forward(layout, encoded.Features, summary);
        Span<T> dropped = Workspace.Ensure(ref denseInput, rows * features);
        dropout.Forward(summary, dropped, training);
        Span<T> result = Workspace.Ensure(ref sortedOutput, rows * k);
        dense.Forward(rows, dropped, result);
        if (skip is not null)
        {
            Span<T> lags = Workspace.Ensure(ref skipInput, rows * spec.InputSkipSteps);
            GatherLastSteps(encoded.Batch, lags);
            Span<T> added = Workspace.Ensure(ref skipOutput, rows * k);
            skip.Forward(rows, lags, added);
            System.Numerics.Tensors.TensorPrimitives.Add(result, added, result);
        }
        if (future is not null)
        {
            Span<T> known = Workspace.Ensure(ref futureInput, rows * spec.FutureInputSize);
            GatherFutureCovariates(encoded.Batch, known);
            Span<T> added = Workspace.Ensure(ref futureOutput, rows * k);
            future.Forward(rows, known, added);
            System.Numerics.Tensors.TensorPrimitives.Add(result, added, result);
        }
        order.ForSequences(layout);
        Span<T> ordered = Workspace.Ensure(ref output, rows * k);
        order.ToCaller<T>(result, ordered, k);
        return ordered;
    }

    /// <summary>The first feature of each sequence's last K steps [B, K] (sorted order, oldest first).</summary>
    private void GatherLastSteps(SequenceBatch<T> batch, Span<T> lags)
    {
        PackedLayout layout = batch.Layout;
        int steps = spec.InputSkipSteps;
        T[] values = batch.Features ?? throw new ArgumentException("The forecasting head's input skip reads numeric steps.");
        for (int s = 0; s < layout.SequenceCount; s++)
        {
            int length = layout.Lengths[s];
            if (length < steps)
                throw new ArgumentException($"The forecasting head reads the last {steps} steps of each sequence; sequence {layout.SortedToOriginal[s]} has {length}.");
            for (int k = 0; k < steps; k++)
                lags[s * steps + k] = values[layout.Row(length - steps + k, s) * featuresPerStep];
        }
    }

    /// <summary>The lead channels of each sequence's last H steps [B, H·C] (sorted order): the covariates of forecast steps 1…H.</summary>
    private void GatherFutureCovariates(SequenceBatch<T> batch, Span<T> known)
    {
        PackedLayout layout = batch.Layout;
        int h = spec.Horizon, c = spec.FutureCovariates, offset = spec.FutureCovariateOffset;
        T[] values = batch.Features ?? throw new ArgumentException("The forecasting head's future covariates are read from numeric steps.");
        for (int s = 0; s < layout.SequenceCount; s++)
        {
            int length = layout.Lengths[s];
            if (length < h)
                throw new ArgumentException($"The forecasting head reads the covariates of {h} forecast steps from the last {h} steps of each sequence; sequence {layout.SortedToOriginal[s]} has {length}.");
            for (int step = 0; step < h; step++)
                values.AsSpan(layout.Row(length - h + step, s) * featuresPerStep + offset, c).CopyTo(known.Slice((s * h + step) * c, c));
        }
    }
}
