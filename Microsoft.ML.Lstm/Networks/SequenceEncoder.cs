using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// The shared front of every network (<see cref="EncoderSpec"/>): token ids through an embedding, or numeric steps,
/// with an optional second per-step input concatenated, through the recurrent stack, into per-step features and
/// the final states of every layer and direction (<see cref="EncodedBatch{T}"/>). Parameters: <c>embedding</c>
/// [V, E] and the stack's <c>rnn.l{k}[_reverse].*</c>. Backward takes ∂features and, optionally, ∂(final states),
/// and leaves ∂(initial states) and ∂(extra input) for whoever gave them.
/// </summary>
internal sealed class SequenceEncoder<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly EmbeddingLayer<T>? embedding;
    private readonly RecurrentStack<T> stack;
    private readonly EncodedBatch<T> encoded;
    private T[] recurrentInput = Array.Empty<T>();          // [N, E + X] or [N, F + X]: the first layer's input, when assembled
    private T[] recurrentInputGradient = Array.Empty<T>();  // its gradient
    private T[] extraGradient = Array.Empty<T>();           // ∂(extra input) [N, X]
    private bool inputAssembled;
    private bool forwardedForTraining;

    /// <summary>Builds the encoder into <paramref name="store"/>; initialises from <paramref name="random"/>, or leaves zeros to be loaded when it is null.</summary>
    public SequenceEncoder(EncoderSpec spec, ParameterStore<T> store, Random? random, int threads)
    {
        spec.Validate();
        Spec = spec;
        if (spec.Input == SequenceInputKind.Tokens)
            embedding = new EmbeddingLayer<T>(store, "embedding", spec.VocabularySize, spec.EmbeddingSize, random);
        stack = new RecurrentStack<T>(
            store, "rnn", spec.Cell, spec.RecurrentInputSize, spec.HiddenSize, spec.LayerCount,
            spec.Bidirectional, spec.Merge, spec.Dropout, random, threads);
        encoded = new EncodedBatch<T>(stack.OutputSize);
    }

    /// <summary>The architecture.</summary>
    public EncoderSpec Spec { get; }

    /// <summary>Features per step given to the head (D).</summary>
    public int OutputSize => stack.OutputSize;

    /// <summary>The embedding table, for a token input (to load pretrained vectors or freeze it).</summary>
    public EmbeddingLayer<T>? Embedding => embedding;

    /// <summary>The recurrent stack.</summary>
    public RecurrentStack<T> Stack => stack;

    /// <summary>∂L/∂h_0 and ∂L/∂c_0 after the last Backward, in the caller's order.</summary>
    public RecurrentState<T> InitialStateGradient => stack.InitialStateGradient;

    /// <summary>∂L/∂(extra per-step input) [N, X] in packed order after the last Backward; empty without one.</summary>
    public ReadOnlySpan<T> ExtraFeatureGradient => Spec.ExtraFeaturesPerStep == 0 ? ReadOnlySpan<T>.Empty : extraGradient.AsSpan(0, encoded.Layout.TotalSteps * Spec.ExtraFeaturesPerStep);

    /// <summary>Zero states for <paramref name="sequences"/> sequences, shaped for this encoder.</summary>
    public RecurrentState<T> CreateState(int sequences) => new(stack.StateCount, sequences, Spec.HiddenSize, stack.HasCell);

    /// <summary>
    /// Encodes <paramref name="batch"/> from <paramref name="initialState"/> (null: zero); the result is owned by the
    /// encoder and valid until the next call. <paramref name="training"/> enables dropout and keeps what
    /// <see cref="Backward"/> needs.
    /// </summary>
    public EncodedBatch<T> Forward(SequenceBatch<T> batch, bool training, RecurrentState<T>? initialState = null)
    {
        ReadOnlySpan<T> input = AssembleInput(batch);
        Span<T> features = encoded.Begin(batch);
        stack.Forward(batch.Layout, input, features, training, initialState);
        encoded.End(stack.FinalState);
        forwardedForTraining = training;
        return encoded;
    }

    /// <summary>
    /// Back-propagates ∂features [N, D] (packed) and ∂(final states) (null: zero) through the last training Forward,
    /// accumulating into the store's gradients (the caller zeroes them).
    /// </summary>
    public void Backward(ReadOnlySpan<T> featureGradient, RecurrentState<T>? finalStateGradient)
    {
        if (!forwardedForTraining)
            throw new InvalidOperationException("Backward needs a training Forward pass first.");
        SequenceBatch<T> batch = encoded.Batch;
        PackedLayout layout = batch.Layout;
        int n = layout.TotalSteps, width = Spec.RecurrentInputSize, extra = Spec.ExtraFeaturesPerStep;
        bool embeddingLearns = embedding is { Trainable: true };
        ReadOnlySpan<T> input = inputAssembled ? recurrentInput.AsSpan(0, n * width) : batch.Features.AsSpan(0, n * width);
        Span<T> inputGradient = embeddingLearns || extra > 0 ? Workspace.Ensure(ref recurrentInputGradient, n * width) : Span<T>.Empty;
        stack.Backward(layout, input, featureGradient, inputGradient, finalStateGradient);
        if (inputGradient.IsEmpty)
            return;

        if (extra > 0)
        {
            int first = width - extra;
            Span<T> extraRows = Workspace.Ensure(ref extraGradient, n * extra);
            for (int row = 0; row < n; row++)
                inputGradient.Slice(row * width + first, extra).CopyTo(extraRows.Slice(row * extra, extra));
        }
        if (embeddingLearns)
        {
            if (extra > 0)
                CompactRows(inputGradient, n, width, Spec.EmbeddingSize);
            embedding!.Backward(batch.Tokens.AsSpan(0, n), inputGradient.Slice(0, n * Spec.EmbeddingSize));
        }
    }

    /// <summary>The first layer's input [N, width]: the batch's features as they are, or assembled from the embedding and the extra input.</summary>
    private ReadOnlySpan<T> AssembleInput(SequenceBatch<T> batch)
    {
        PackedLayout layout = batch.Layout;
        int n = layout.TotalSteps, width = Spec.RecurrentInputSize, extra = Spec.ExtraFeaturesPerStep;
        if (extra > 0 && (batch.ExtraFeatures is null || batch.ExtraFeaturesPerStep != extra))
            throw new ArgumentException($"This encoder reads {extra} extra values per step, but the batch holds {batch.ExtraFeaturesPerStep}.", nameof(batch));
        if (embedding is null)
        {
            if (batch.Features is null || batch.FeaturesPerStep != Spec.FeaturesPerStep)
                throw new ArgumentException($"This encoder reads {Spec.FeaturesPerStep} numeric features per step, but the batch holds {(batch.Features is null ? "token ids" : batch.FeaturesPerStep + " per step")}.", nameof(batch));
            inputAssembled = extra > 0;
            if (!inputAssembled)
                return batch.Features.AsSpan(0, n * width);
            Span<T> assembled = Workspace.Ensure(ref recurrentInput, n * width);
            Interleave(batch.Features, Spec.FeaturesPerStep, batch.ExtraFeatures!, extra, n, assembled);
            return assembled;
        }

        if (batch.Tokens is null)
            throw new ArgumentException("This encoder reads token ids, but the batch holds numeric features.", nameof(batch));
        inputAssembled = true;
        Span<T> vectors = Workspace.Ensure(ref recurrentInput, n * width);
        int e = Spec.EmbeddingSize;
        if (extra == 0)
        {
            embedding.Forward(batch.Tokens.AsSpan(0, n), vectors);
            return vectors;
        }
        // Embed into the first n·E values, then spread the rows out from the last one down so none is overwritten early.
        embedding.Forward(batch.Tokens.AsSpan(0, n), vectors.Slice(0, n * e));
        for (int row = n - 1; row >= 0; row--)
        {
            vectors.Slice(row * e, e).CopyTo(vectors.Slice(row * width, e));
            batch.ExtraFeatures!.AsSpan(row * extra, extra).CopyTo(vectors.Slice(row * width + e, extra));
        }
        return vectors;
    }

    /// <summary>destination row r = [first row r | second row r].</summary>
    private static void Interleave(ReadOnlySpan<T> first, int firstWidth, ReadOnlySpan<T> second, int secondWidth, int rows, Span<T> destination)
    {
        int width = firstWidth + secondWidth;
        for (int row = 0; row < rows; row++)
        {
            first.Slice(row * firstWidth, firstWidth).CopyTo(destination.Slice(row * width, firstWidth));
            second.Slice(row * secondWidth, secondWidth).CopyTo(destination.Slice(row * width + firstWidth, secondWidth));
        }
    }

    /// <summary>Keeps the first <paramref name="kept"/> values of each row [rows, width], packed to [rows, kept] in place.</summary>
    private static void CompactRows(Span<T> values, int rows, int width, int kept)
    {
        for (int row = 1; row < rows; row++)
            values.Slice(row * width, kept).CopyTo(values.Slice(row * kept, kept));
    }
}
