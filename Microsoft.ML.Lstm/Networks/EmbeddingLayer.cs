using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// A table of trainable vectors, one per token id: output row r = Vectors[tokens[r]]. Only the rows that
/// occur in a batch are read or receive gradient, so no padding or one-hot product is computed.
/// Vectors [V, D] start as N(0, 1) scaled by 1/√D (unit expected norm); row 0 is an ordinary row.
/// </summary>
internal sealed class EmbeddingLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ParameterStore<T> store;
    private readonly ParameterView table;

    /// <summary>Registers a [vocabularySize, dimension] table named <paramref name="name"/> and initialises it (unless <paramref name="random"/> is null: to be loaded).</summary>
    public EmbeddingLayer(ParameterStore<T> store, string name, int vocabularySize, int dimension, Random? random)
    {
        this.store = store;
        VocabularySize = vocabularySize;
        Dimension = dimension;
        table = store.Add(name, vocabularySize, dimension);
        if (random is not null)
            Initialization.Normal(store.Value(table), random, 1.0 / Math.Sqrt(dimension));
    }

    /// <summary>Number of token ids (V).</summary>
    public int VocabularySize { get; }

    /// <summary>Length of each vector (D).</summary>
    public int Dimension { get; }

    /// <summary>Whether training updates the vectors; a frozen table receives no gradient, decay or penalty.</summary>
    public bool Trainable
    {
        get => !store.FrozenViews.Contains(table);
        set => store.SetFrozen(table, !value);
    }

    /// <summary>The table [V, D], for loading pretrained vectors.</summary>
    public Span<T> Vectors => store.Value(table);

    /// <summary>Looks up each token's vector: output [tokens.Length, D].</summary>
    public void Forward(ReadOnlySpan<int> tokens, Span<T> output)
    {
        ReadOnlySpan<T> vectors = store.Value(table);
        int d = Dimension;
        for (int r = 0; r < tokens.Length; r++)
        {
            int token = tokens[r];
            if ((uint)token >= (uint)VocabularySize)
                throw new ArgumentOutOfRangeException(nameof(tokens), token, $"Token id {token} at position {r} is outside the embedding's range [0, {VocabularySize}).");
            vectors.Slice(token * d, d).CopyTo(output.Slice(r * d, d));
        }
    }

    /// <summary>Adds each output row's gradient to its token's row of the table gradient (nothing when frozen).</summary>
    public void Backward(ReadOnlySpan<int> tokens, ReadOnlySpan<T> outputGradient)
    {
        if (!Trainable)
            return;
        Span<T> gradient = store.Gradient(table);
        int d = Dimension;
        for (int r = 0; r < tokens.Length; r++)
            VectorMath.Add(outputGradient.Slice(r * d, d), gradient.Slice(tokens[r] * d, d));
    }
}
