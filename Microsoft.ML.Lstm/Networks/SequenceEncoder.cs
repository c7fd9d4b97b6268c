using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// The shared front of every network (<see cref="EncoderSpec"/>): token ids through an embedding, or numeric steps,
/// with an optional second per-step input and each token's character features (<see cref="CharacterEncoder{T}"/>)
/// concatenated, through the recurrent stack, into per-step features and
/// the final states of every layer and direction (<see cref="EncodedBatch{T}"/>). Parameters: <c>embedding</c>
/// [V, E] and the stack's <c>rnn.l{k}[_reverse].*</c>. Backward takes ∂features and, optionally, ∂(final states),
/// and leaves ∂(initial states) and ∂(extra input) for whoever gave them.
/// </summary>
internal sealed class SequenceEncoder<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly EmbeddingLayer<T>? embedding;
    private readonly CharacterEncoder<T>? characters;
    private readonly RecurrentStack<T> stack;
    private readonly EncodedBatch<T> encoded;
    private T[] recurrentInput = Array.Empty<T>();          // [N, P + X + 2C]: the first layer's input, when assembled
    private T[] recurrentInputGradient = Array.Empty<T>();  // its gradient
    private T[] part = Array.Empty<T>();                    // one part of the input rows [N, P], [N, X] or [N, 2C], before or after assembly
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
        if (spec.ReadsCharacters)
            characters = new CharacterEncoder<T>(spec, store, random, threads);
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
        ReadOnlySpan<T> input = AssembleInput(batch, training);
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
        int n = layout.TotalSteps, width = Spec.RecurrentInputSize;
        int primary = Spec.PrimaryInputSize, extra = Spec.ExtraFeaturesPerStep, character = Spec.CharacterFeatureSize;
        bool embeddingLearns = embedding is { Trainable: true };
        ReadOnlySpan<T> input = inputAssembled ? recurrentInput.AsSpan(0, n * width) : batch.Features.AsSpan(0, n * width);
        Span<T> inputGradient = embeddingLearns || extra > 0 || character > 0 ? Workspace.Ensure(ref recurrentInputGradient, n * width) : Span<T>.Empty;
        stack.Backward(layout, input, featureGradient, inputGradient, finalStateGradient);
        if (inputGradient.IsEmpty)
            return;

        // Each part of the input rows [primary | extra | characters] sends its gradient where it came from.
        if (extra > 0)
            TakePart(inputGradient, width, primary, extra, n, Workspace.Ensure(ref extraGradient, n * extra));
        if (characters is not null)
        {
            Span<T> characterGradient = Workspace.Ensure(ref part, n * character);
            TakePart(inputGradient, width, primary + extra, character, n, characterGradient);
            characters.Backward(characterGradient);
        }
        if (embeddingLearns)
        {
            Span<T> vectorGradient = inputGradient.Slice(0, n * primary);
            if (width != primary)
                TakePart(inputGradient, width, 0, primary, n, vectorGradient);
            embedding!.Backward(batch.Tokens.AsSpan(0, n), vectorGradient);
        }
    }

    /// <summary>
    /// The first layer's input [N, width]: the batch's numeric features as they are, or rows assembled from the
    /// embedding (or the features), the extra input and the character features.
    /// </summary>
    private ReadOnlySpan<T> AssembleInput(SequenceBatch<T> batch, bool training)
    {
        PackedLayout layout = batch.Layout;
        int n = layout.TotalSteps, width = Spec.RecurrentInputSize;
        int primary = Spec.PrimaryInputSize, extra = Spec.ExtraFeaturesPerStep, character = Spec.CharacterFeatureSize;
        if (extra > 0 && (batch.ExtraFeatures is null || batch.ExtraFeaturesPerStep != extra))
            throw new ArgumentException($"This encoder reads {extra} extra values per step, but the batch holds {batch.ExtraFeaturesPerStep}.", nameof(batch));
        if (embedding is null)
        {
            if (batch.Features is null || batch.FeaturesPerStep != Spec.FeaturesPerStep)
                throw new ArgumentException($"This encoder reads {Spec.FeaturesPerStep} numeric features per step, but the batch holds {(batch.Features is null ? "token ids" : batch.FeaturesPerStep + " per step")}.", nameof(batch));
            inputAssembled = width != primary;
            if (!inputAssembled)
                return batch.Features.AsSpan(0, n * width);
        }
        else if (batch.Tokens is null)
        {
            throw new ArgumentException("This encoder reads token ids, but the batch holds numeric features.", nameof(batch));
        }

        inputAssembled = true;
        Span<T> rows = Workspace.Ensure(ref recurrentInput, n * width);
        if (embedding is not null && width == primary)
        {
            embedding.Forward(batch.Tokens.AsSpan(0, n), rows);
            return rows;
        }
        if (embedding is not null)
        {
            Span<T> vectors = Workspace.Ensure(ref part, n * primary);
            embedding.Forward(batch.Tokens.AsSpan(0, n), vectors);
            PutPart(vectors, rows, width, 0, primary, n);
        }
        else
        {
            PutPart(batch.Features.AsSpan(0, n * primary), rows, width, 0, primary, n);
        }
        if (extra > 0)
            PutPart(batch.ExtraFeatures.AsSpan(0, n * extra), rows, width, primary, extra, n);
        if (characters is not null)
        {
            Span<T> spelled = Workspace.Ensure(ref part, n * character);
            characters.Forward(batch, training, spelled);
            PutPart(spelled, rows, width, primary + extra, character, n);
        }
        return rows;
    }

    /// <summary>Writes <paramref name="source"/> [rows, partWidth] into columns [offset, offset + partWidth) of <paramref name="destination"/> [rows, width].</summary>
    private static void PutPart(ReadOnlySpan<T> source, Span<T> destination, int width, int offset, int partWidth, int rows)
    {
        for (int row = 0; row < rows; row++)
            source.Slice(row * partWidth, partWidth).CopyTo(destination.Slice(row * width + offset, partWidth));
    }

    /// <summary>
    /// Reads columns [offset, offset + partWidth) of <paramref name="source"/> [rows, width] into <paramref name="destination"/>
    /// [rows, partWidth], row by row from the first, so the destination may be the start of the source itself.
    /// </summary>
    private static void TakePart(ReadOnlySpan<T> source, int width, int offset, int partWidth, int rows, Span<T> destination)
    {
        for (int row = 0; row < rows; row++)
            source.Slice(row * width + offset, partWidth).CopyTo(destination.Slice(row * partWidth, partWidth));
    }
}
