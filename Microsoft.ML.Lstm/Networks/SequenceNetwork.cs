using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// A complete recurrent network, composed as <see cref="NetworkSpec"/> describes:
/// <code>
/// tokens [N] → embedding [N, E]  (or numeric steps [N, F])
///   → recurrent stack [N, R]
///   → pooling over each sequence's steps [B, R]   (skipped when predicting per step)
///   → dropout → dense head [rows, K]
/// </code>
/// All parameters live in one <see cref="ParameterStore{T}"/>. Forward and backward speak the caller's
/// order: per-sequence outputs are [B, K] in the order the batch's sequences were given; per-step outputs
/// are [N, K] with each sequence's steps in time order, sequence after sequence in the caller's order.
/// </summary>
internal sealed class SequenceNetwork<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly EmbeddingLayer<T>? embedding;
    private readonly RecurrentStack<T> recurrent;
    private readonly SequencePooling<T>? pooling;
    private readonly DropoutLayer<T> headDropout;
    private readonly DenseLayer<T> head;

    private SequenceBatch<T>? lastBatch;
    private int[] outputRowToCallerRow = Array.Empty<int>();
    private T[] embedded = Array.Empty<T>();        // [N, E]
    private T[] recurrentOutput = Array.Empty<T>(); // [N, R]
    private T[] pooled = Array.Empty<T>();          // [B, R]
    private T[] headInput = Array.Empty<T>();       // [rows, R] after dropout
    private T[] sortedOutput = Array.Empty<T>();    // [rows, K] in packed or sorted order
    private T[] output = Array.Empty<T>();          // [rows, K] in the caller's order
    private T[] sortedOutputGradient = Array.Empty<T>();
    private T[] headInputGradient = Array.Empty<T>();
    private T[] pooledGradient = Array.Empty<T>();
    private T[] recurrentOutputGradient = Array.Empty<T>();
    private T[] embeddedGradient = Array.Empty<T>();

    /// <summary>Builds the network and initialises its weights from <paramref name="seed"/>.</summary>
    /// <param name="spec">The architecture.</param>
    /// <param name="seed">Seeds weight initialisation and dropout masks.</param>
    /// <param name="threads">Threads the recurrence and the large products may use.</param>
    public SequenceNetwork(NetworkSpec spec, int seed, int threads)
    {
        spec.Validate();
        Spec = spec;
        var random = new Random(seed);
        if (spec.Input == SequenceInputKind.Tokens)
            embedding = new EmbeddingLayer<T>(Parameters, "embedding", spec.VocabularySize, spec.EmbeddingSize, random);
        recurrent = new RecurrentStack<T>(
            Parameters, "rnn", spec.Cell, spec.RecurrentInputSize, spec.HiddenSize, spec.LayerCount,
            spec.Bidirectional, spec.Merge, spec.Dropout, random, threads);
        int features = recurrent.OutputSize;
        if (spec.Pooling is PoolingMode mode)
        {
            // Sum or mean merging mixes the directions, so only concatenated halves have separate final states.
            int directions = spec.Bidirectional && spec.Merge == MergeMode.Concat ? 2 : 1;
            pooling = new SequencePooling<T>(mode, features, directions, Parameters, "pooling", random);
            features = pooling.OutputSize;
        }
        headDropout = new DropoutLayer<T>(spec.Dropout, random);
        head = new DenseLayer<T>(Parameters, "head", features, spec.OutputSize, random);
    }

    /// <summary>The architecture.</summary>
    public NetworkSpec Spec { get; }

    /// <summary>Every weight and its gradient.</summary>
    public ParameterStore<T> Parameters { get; } = new();

    /// <summary>The embedding table, for a token input (to load pretrained vectors or freeze it).</summary>
    public EmbeddingLayer<T>? Embedding => embedding;

    /// <summary>True when the head predicts at every step rather than once per sequence.</summary>
    public bool PredictsPerStep => pooling is null;

    /// <summary>Rows of output for a batch: B per sequence, or N per step.</summary>
    public int OutputRows(SequenceBatch<T> batch) => PredictsPerStep ? batch.Layout.TotalSteps : batch.Layout.SequenceCount;

    /// <summary>
    /// A network with the same weights and its own workspaces, on one thread: what a scoring thread runs.
    /// </summary>
    public SequenceNetwork<T> CloneForInference()
    {
        var clone = new SequenceNetwork<T>(Spec, seed: 0, threads: 1);
        Parameters.Values.CopyTo(clone.Parameters.Values, 0);
        clone.Parameters.MarkChanged();
        return clone;
    }

    /// <summary>
    /// Runs the network; the returned span is owned by the network and valid until the next call.
    /// <paramref name="training"/> enables dropout and keeps what <see cref="Backward"/> needs.
    /// </summary>
    public ReadOnlySpan<T> Forward(SequenceBatch<T> batch, bool training)
    {
        PackedLayout layout = batch.Layout;
        int n = layout.TotalSteps;
        ReadOnlySpan<T> recurrentInput;
        if (embedding is not null)
        {
            if (batch.Tokens is null)
                throw new ArgumentException("This network reads token ids, but the batch holds numeric features.", nameof(batch));
            Span<T> vectors = Workspace.Ensure(ref embedded, n * Spec.EmbeddingSize);
            embedding.Forward(batch.Tokens.AsSpan(0, n), vectors);
            recurrentInput = vectors;
        }
        else
        {
            if (batch.Features is null || batch.FeaturesPerStep != Spec.FeaturesPerStep)
                throw new ArgumentException($"This network reads {Spec.FeaturesPerStep} numeric features per step, but the batch holds {(batch.Features is null ? "token ids" : batch.FeaturesPerStep + " per step")}.", nameof(batch));
            recurrentInput = batch.Features.AsSpan(0, n * Spec.FeaturesPerStep);
        }

        int features = recurrent.OutputSize;
        Span<T> sequenceOutput = Workspace.Ensure(ref recurrentOutput, n * features);
        recurrent.Forward(layout, recurrentInput, sequenceOutput, training);

        int rows = OutputRows(batch);
        ReadOnlySpan<T> headFeatures = sequenceOutput;
        if (pooling is not null)
        {
            features = pooling.OutputSize;
            Span<T> summary = Workspace.Ensure(ref pooled, rows * features);
            pooling.Forward(layout, sequenceOutput, summary);
            headFeatures = summary;
        }
        Span<T> dropped = Workspace.Ensure(ref headInput, rows * features);
        headDropout.Forward(headFeatures, dropped, training);

        int k = Spec.OutputSize;
        Span<T> result = Workspace.Ensure(ref sortedOutput, rows * k);
        head.Forward(rows, dropped, result);

        Span<int> toCaller = Workspace.Ensure(ref outputRowToCallerRow, rows);
        FillCallerOrder(layout, toCaller);
        Span<T> ordered = Workspace.Ensure(ref output, rows * k);
        for (int r = 0; r < rows; r++)
            result.Slice(r * k, k).CopyTo(ordered.Slice(toCaller[r] * k, k));

        lastBatch = batch;
        return ordered;
    }

    /// <summary>
    /// Back-propagates ∂L/∂output (arranged like <see cref="Forward"/>'s result) through the last training
    /// forward pass, accumulating into <see cref="ParameterStore{T}.Gradients"/> (the caller zeroes them).
    /// </summary>
    public void Backward(ReadOnlySpan<T> outputGradient)
    {
        SequenceBatch<T> batch = lastBatch ?? throw new InvalidOperationException("Backward needs a Forward pass first.");
        PackedLayout layout = batch.Layout;
        int rows = OutputRows(batch);
        int k = Spec.OutputSize;
        if (outputGradient.Length != rows * k)
            throw new ArgumentException($"Expected a gradient of {rows}×{k} values, got {outputGradient.Length}.", nameof(outputGradient));

        Span<T> sortedGradient = Workspace.Ensure(ref sortedOutputGradient, rows * k);
        ReadOnlySpan<int> toCaller = outputRowToCallerRow.AsSpan(0, rows);
        for (int r = 0; r < rows; r++)
            outputGradient.Slice(toCaller[r] * k, k).CopyTo(sortedGradient.Slice(r * k, k));

        int features = pooling?.OutputSize ?? recurrent.OutputSize;
        Span<T> droppedGradient = Workspace.Ensure(ref headInputGradient, rows * features);
        head.Backward(rows, headInput.AsSpan(0, rows * features), sortedGradient, droppedGradient);

        int n = layout.TotalSteps;
        int sequenceFeatures = recurrent.OutputSize;
        Span<T> sequenceGradient = Workspace.Ensure(ref recurrentOutputGradient, n * sequenceFeatures);
        if (pooling is not null)
        {
            Span<T> summaryGradient = Workspace.Ensure(ref pooledGradient, rows * features);
            headDropout.Backward(droppedGradient, summaryGradient);
            pooling.Backward(layout, recurrentOutput.AsSpan(0, n * sequenceFeatures), summaryGradient, sequenceGradient);
        }
        else
        {
            headDropout.Backward(droppedGradient, sequenceGradient);
        }

        if (embedding is not null)
        {
            int e = Spec.EmbeddingSize;
            Span<T> vectorGradient = embedding.Trainable ? Workspace.Ensure(ref embeddedGradient, n * e) : Span<T>.Empty;
            recurrent.Backward(layout, embedded.AsSpan(0, n * e), sequenceGradient, vectorGradient);
            if (embedding.Trainable)
                embedding.Backward(batch.Tokens.AsSpan(0, n), vectorGradient);
        }
        else
        {
            recurrent.Backward(layout, batch.Features.AsSpan(0, n * Spec.FeaturesPerStep), sequenceGradient, Span<T>.Empty);
        }
    }

    /// <summary>Maps each output row (sorted sequence, or packed step) to its row in the caller's order.</summary>
    private void FillCallerOrder(PackedLayout layout, Span<int> toCaller)
    {
        if (!PredictsPerStep)
        {
            layout.SortedToOriginal.CopyTo(toCaller);
            return;
        }
        // Per step: caller row = (first row of the sequence in caller order) + t.
        int count = layout.SequenceCount;
        Span<int> start = count <= 512 ? stackalloc int[count] : new int[count];
        for (int s = 0; s < count; s++)
            start[layout.SortedToOriginal[s]] = layout.Lengths[s];
        int next = 0;
        for (int original = 0; original < count; original++)
            (start[original], next) = (next, next + start[original]);
        for (int t = 0; t < layout.MaxLength; t++)
        {
            for (int s = 0; s < layout.BatchSizes[t]; s++)
                toCaller[layout.Row(t, s)] = start[layout.SortedToOriginal[s]] + t;
        }
    }
}
