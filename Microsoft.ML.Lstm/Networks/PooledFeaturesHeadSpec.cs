using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// A <see cref="PooledFeaturesHead{T}"/>: no layers of its own, only the pooled vector of each sequence, one block per
/// mode in <see cref="Modes"/> (the featurizing job). It is not trained: the encoder under it was trained under
/// another head (a language model, a classifier) and copied here.
/// </summary>
internal sealed record PooledFeaturesHeadSpec : HeadSpec
{
    /// <summary>The poolings whose vectors are concatenated, in order; attention only alone (it has the weights of the head it came from).</summary>
    public required PoolingMode[] Modes { get; init; }

    /// <inheritdoc />
    public override ISequenceHead<T> Create<T>(ParameterStore<T> store, EncoderSpec encoder, Random? random) =>
        new PooledFeaturesHead<T>(this, store, encoder, random);

    /// <inheritdoc />
    public override long ParameterCount(EncoderSpec encoder)
    {
        long d = encoder.OutputSize;
        return Modes.Length == 1 && Modes[0] == PoolingMode.Attention ? d * d + 2 * d : 0;
    }

    /// <summary>Values per sequence: the encoder's features per step times the modes.</summary>
    public int OutputSize(EncoderSpec encoder) => encoder.OutputSize * Modes.Length;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (Modes is not { Length: > 0 and <= 3 })
            throw new ArgumentOutOfRangeException(nameof(Modes), Modes?.Length ?? 0, "Modes must be 1 to 3 pooling modes.");
        EncoderSpec.Require(Modes.All(Enum.IsDefined), nameof(Modes), string.Join(", ", Modes), "known pooling modes");
        EncoderSpec.Require(Modes.Distinct().Count() == Modes.Length, nameof(Modes), string.Join(", ", Modes), "each mode at most once");
        EncoderSpec.Require(Modes.Length == 1 || !Modes.Contains(PoolingMode.Attention), nameof(Modes), string.Join(", ", Modes), "attention alone, or modes without attention");
    }

    /// <summary>Value equality over the modes' values.</summary>
    public bool Equals(PooledFeaturesHeadSpec? other) => other is not null && base.Equals(other) && Modes.AsSpan().SequenceEqual(other.Modes);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), Modes.Length);
}
