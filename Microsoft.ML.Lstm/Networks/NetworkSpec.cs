namespace Microsoft.ML.Lstm.Networks;

/// <summary>The architecture of a <see cref="SequenceNetwork{T}"/>: an encoder and a head.</summary>
/// <param name="Encoder">The input and the recurrent stack.</param>
/// <param name="Head">What is computed from the encoder's outputs, and the loss.</param>
internal sealed record NetworkSpec(EncoderSpec Encoder, HeadSpec Head)
{
    /// <summary>Most weights a network may have (2^31 − 1 floats: one array).</summary>
    public const long MaxParameterCount = int.MaxValue;

    /// <summary>Checks both parts and the total size; throws naming the first problem.</summary>
    public void Validate()
    {
        Encoder.Validate();
        Head.Validate();
        Head.ValidateWith(Encoder);
        long count = ParameterCount();
        if (count > MaxParameterCount)
            throw new ArgumentOutOfRangeException(nameof(Encoder), count, $"The network would have {count} weights; at most {MaxParameterCount} fit.");
    }

    /// <summary>Weights of the encoder and the head, from the sizes alone.</summary>
    public long ParameterCount() => Encoder.ParameterCount() + Head.ParameterCount(Encoder);
}
