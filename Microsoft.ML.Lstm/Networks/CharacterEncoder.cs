using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// Each token's characters through an embedding and a one-layer BiLSTM, the two directions' final states
/// concatenated: a vector of 2C values per token that knows the token's spelling, so a word never seen in
/// training (a name) still gets features. Parameters: <c>char.embedding</c> [V_c, E_c] and <c>char.rnn.l0[_reverse].*</c>.
/// All tokens of a batch run as one packed batch of character sequences; backward enters through the final
/// states only (the per-character outputs are not used).
/// </summary>
internal sealed class CharacterEncoder<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The cell of the character BiLSTM.</summary>
    public const CellType Cell = CellType.Lstm;

    private readonly EmbeddingLayer<T> embedding;
    private readonly RecurrentStack<T> stack;
    private readonly int hidden;
    private PackedLayout? layout;
    private int[] packedCharacters = Array.Empty<int>();  // [Nc] character ids in the packed order of the character batch
    private T[] embedded = Array.Empty<T>();              // [Nc, E_c]
    private T[] outputs = Array.Empty<T>();               // [Nc, 2C] per-character outputs (not used, but written)
    private T[] zeroGradient = Array.Empty<T>();          // [Nc, 2C] zeros: no gradient enters through the outputs
    private T[] embeddedGradient = Array.Empty<T>();      // [Nc, E_c]
    private RecurrentState<T>? stateGradient;

    /// <summary>Builds the encoder into <paramref name="store"/>; initialises from <paramref name="random"/> unless it is null.</summary>
    public CharacterEncoder(EncoderSpec spec, ParameterStore<T> store, Random? random, int threads)
    {
        hidden = spec.CharacterHiddenSize;
        embedding = new EmbeddingLayer<T>(store, "char.embedding", spec.CharacterVocabularySize, spec.CharacterEmbeddingSize, random);
        stack = new RecurrentStack<T>(store, "char.rnn", Cell, spec.CharacterEmbeddingSize, hidden, 1, bidirectional: true, MergeMode.Concat, 0, random, threads);
    }

    /// <summary>Features per token (2C).</summary>
    public int OutputSize => 2 * hidden;

    /// <summary>Writes each packed token's [forward h_n | backward h_n] into <paramref name="features"/> [N, 2C].</summary>
    public void Forward(SequenceBatch<T> batch, bool training, Span<T> features)
    {
        ReadOnlySpan<int> ids = batch.CharacterIds ?? throw new ArgumentException("This encoder reads each token's characters, but the batch has none.", nameof(batch));
        ReadOnlySpan<int> offsets = batch.CharacterOffsets;
        int tokens = batch.Layout.TotalSteps;
        var lengths = new int[tokens];
        for (int r = 0; r < tokens; r++)
            lengths[r] = offsets[r + 1] - offsets[r];
        layout = PackedLayout.FromLengths(lengths);
        Span<int> packed = Workspace.Ensure(ref packedCharacters, layout.TotalSteps);
        for (int s = 0; s < tokens; s++)
        {
            int token = layout.SortedToOriginal[s];
            for (int t = 0; t < layout.Lengths[s]; t++)
                packed[layout.Row(t, s)] = ids[offsets[token] + t];
        }

        int n = layout.TotalSteps;
        Span<T> vectors = Workspace.Ensure(ref embedded, n * embedding.Dimension);
        embedding.Forward(packed, vectors);
        stack.Forward(layout, vectors, Workspace.Ensure(ref outputs, n * OutputSize), training);

        // Final states [2, tokens, C], in token order: token r gets [h_n forward | h_n backward].
        ReadOnlySpan<T> final = stack.FinalState.Hidden;
        for (int r = 0; r < tokens; r++)
        {
            final.Slice(r * hidden, hidden).CopyTo(features.Slice(r * OutputSize, hidden));
            final.Slice((tokens + r) * hidden, hidden).CopyTo(features.Slice(r * OutputSize + hidden, hidden));
        }
    }

    /// <summary>Back-propagates ∂features [N, 2C] of the last training Forward into the encoder's parameters.</summary>
    public void Backward(ReadOnlySpan<T> featureGradient)
    {
        PackedLayout characters = layout ?? throw new InvalidOperationException("Backward needs a Forward pass first.");
        int tokens = characters.SequenceCount, n = characters.TotalSteps;
        if (stateGradient is null || !stateGradient.Fits(2, tokens, hidden, hasCell: true))
            stateGradient = new RecurrentState<T>(2, tokens, hidden, hasCell: true);
        for (int r = 0; r < tokens; r++)
        {
            featureGradient.Slice(r * OutputSize, hidden).CopyTo(stateGradient.Hidden.AsSpan(r * hidden, hidden));
            featureGradient.Slice(r * OutputSize + hidden, hidden).CopyTo(stateGradient.Hidden.AsSpan((tokens + r) * hidden, hidden));
        }
        Span<T> zeros = Workspace.Ensure(ref zeroGradient, n * OutputSize);
        zeros.Clear();
        Span<T> vectorGradient = embedding.Trainable ? Workspace.Ensure(ref embeddedGradient, n * embedding.Dimension) : Span<T>.Empty;
        stack.Backward(characters, embedded.AsSpan(0, n * embedding.Dimension), zeros, vectorGradient, stateGradient);
        if (embedding.Trainable)
            embedding.Backward(packedCharacters.AsSpan(0, n), vectorGradient);
    }
}
